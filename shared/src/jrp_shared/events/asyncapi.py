"""The AsyncAPI 3.0.0 document of the mesh's Kafka topics, generated from the code
(`python -m jrp_shared.events.asyncapi docs/asyncapi.yaml`, `make asyncapi`).

Everything comes from the code's own tables, so the document cannot drift from what runs:

- channels: every logical topic of `jrp_shared.events.topics` (their docstrings are the
  descriptions), each prefixed with the deployment's `{namespace}`; the per-department sanction
  topics as one parameterised channel `{namespace}.sanctions.v1.{department}`;
- messages: every payload class of `jrp_shared.events.payloads` (`name` = the CloudEvents type,
  payload = the model's JSON Schema, the same as docs/schemas/ and as the registry serves at
  `ce_dataschema`), with the `ce_*` headers of `jrp_shared.events.envelope` and their limits,
  and the message key's description (docs/security.md, "No resident ID in keys");
- operations: what each service sends and receives, from `SERVICES` in `jrp_shared.bus.plan`
  (the ACL table), plus the parties outside the mesh (`EXTERNAL_PARTIES` below);
- servers and security schemes: the connection modes of docs/security.md ("Kafka").

tests/test_asyncapi.py checks docs/asyncapi.yaml is current and validates it with the official
AsyncAPI parser (deploy/local/asyncapi/).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from jrp_shared.bus.plan import SERVICES
from jrp_shared.events import topics
from jrp_shared.events.envelope import (
    CONTENT_TYPE,
    DEFAULT_SCHEMA_BASE,
    MAX_HEADER_BYTES,
    MAX_HEADERS,
    SPEC_VERSION,
    Envelope,
)
from jrp_shared.events.payloads import EVENT_TYPES, EventPayload
from jrp_shared.events.schemas import event_schema
from jrp_shared.messaging.inbound import AUTHORIZATION_HEADER

ASYNCAPI_VERSION: Final = "3.0.0"
DOCUMENT_VERSION: Final = "1.0.0"
"""The contract's version: the topics and types are versioned one by one (`.v<major>`); this
changes when a topic or message is added or removed."""

_REF_PREFIX: Final = "#/$defs/"
_COMPONENT_SCHEMAS: Final = "#/components/schemas/"

INBOUND_TOPICS: Final = topics.BROKER_TIMESTAMPED
"""Topics that department systems post to: each message carries the department's bearer token
in an `authorization` header (`jrp_shared.messaging.inbound`)."""


@dataclass(frozen=True)
class ExternalParty:
    """Who outside the four services sends or receives on a topic (docs/loop.md)."""

    description: str
    sends: tuple[str, ...] = ()
    receives: tuple[str, ...] = ()


EXTERNAL_PARTIES: Final[Mapping[str, ExternalParty]] = {
    "department": ExternalParty(
        "A department's own system (principal `User:dept-<code>`, consumer groups under "
        "`<namespace>.dept.<code>.`): reads only its own sanction topic; posts receipts and "
        "execution feedback if it implements measures, list entries if it initiates lists "
        "(docs/security.md, Kafka; docs/loop.md).",
        sends=(topics.DEPARTMENT_REPORTS, topics.LIST_ENTRY_SUBMISSIONS),
        receives=(topics.SANCTIONS,),
    ),
    "exchange-partner": ExternalParty(
        "The upper-level credit platform or another region's (DOMAIN.md §11, docs/exchange.md): "
        "reads the exchange records, acknowledges them, and posts other regions' entries.",
        sends=(topics.EXCHANGE_ACKS, topics.LIST_ENTRY_SUBMISSIONS),
        receives=(topics.EXCHANGE,),
    ),
    "portal": ExternalParty(
        "The residents' and enterprises' portal: delivers what a subject is told.",
        receives=(topics.SUBJECT_NOTIFICATIONS,),
    ),
}

_TOPIC_DOCS: Final = {
    topics.CATALOG: "CATALOG",
    topics.SUBJECTS: "SUBJECTS",
    topics.DEPARTMENTS: "DEPARTMENTS",
    topics.CALENDAR: "CALENDAR",
    topics.LIST_ENTRY_SUBMISSIONS: "LIST_ENTRY_SUBMISSIONS",
    topics.LIST_ENTRIES: "LIST_ENTRIES",
    topics.DEPARTMENT_REPORTS: "DEPARTMENT_REPORTS",
    topics.ORDER_STATUS: "ORDER_STATUS",
    topics.APPEALS: "APPEALS",
    topics.PUBLICITY: "PUBLICITY",
    topics.SUBJECT_NOTIFICATIONS: "SUBJECT_NOTIFICATIONS",
    topics.ENFORCEMENT_CHANGES: "ENFORCEMENT_CHANGES",
    topics.SUPERVISION: "SUPERVISION",
    topics.EXCHANGE: "EXCHANGE",
    topics.EXCHANGE_ACKS: "EXCHANGE_ACKS",
    topics.DEAD_LETTER: "DEAD_LETTER",
    topics.SANCTIONS: "SANCTIONS",
}
"""Logical topic → its constant in `topics` (whose docstring describes it)."""


def all_topics() -> list[str]:
    """Every logical topic, in the order of `jrp_shared.events.topics`."""
    return list(_TOPIC_DOCS)


def channel_id(topic: str) -> str:
    """`list-entries.v1` → `listEntries`; `sanctions.v1.<department>` → `sanctions`."""
    name = topic.split(".", 1)[0]
    head, *rest = name.split("-")
    return head + "".join(part.title() for part in rest)


def channel_address(topic: str) -> str:
    return "{namespace}." + topic.replace("<department>", "{department}")


@cache
def _topic_description(topic: str) -> str:
    """The attribute docstring of the topic's constant in topics.py (read from its source:
    Python keeps no such docstrings at run time)."""
    source = Path(topics.__file__).read_text(encoding="utf-8")
    constant = _TOPIC_DOCS[topic]
    match = re.search(
        rf'^{constant}: Final = .*?\n"""(.*?)"""', source, flags=re.MULTILINE | re.DOTALL
    )
    text = match.group(1) if match else topic
    return " ".join(text.split())


def _rewrite_refs(node: Any) -> Any:
    """Point pydantic's local `#/$defs/X` references at the document's components."""
    if isinstance(node, dict):
        return {
            key: (
                _COMPONENT_SCHEMAS + value.removeprefix(_REF_PREFIX)
                if key == "$ref" and isinstance(value, str)
                else _rewrite_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _payload_schemas(base: str) -> tuple[dict[str, str], dict[str, Any]]:
    """Message id → payload component name, and every component schema (the payloads and
    their parts, pydantic's `$defs` lifted to `components/schemas`)."""
    components: dict[str, Any] = {}

    def add(name: str, schema: dict[str, Any]) -> None:
        if name in components and components[name] != schema:
            raise ValueError(f"two different schemas are both named {name}")
        components[name] = schema

    payload_of: dict[str, str] = {}
    for _event_type, model in sorted(EVENT_TYPES.items()):
        schema = event_schema(model, base)
        for name, part in schema.pop("$defs", {}).items():
            add(name, _rewrite_refs(part))
        # `$id` would make the document's own references relative to the schema URL: the
        # message carries it as its `ce_dataschema` header and `x-dataschema` instead, and
        # the message names its type and channel (a payload may also be part of another).
        for key in ("$id", "x-topic", "x-event-type"):
            schema.pop(key)
        add(model.__name__, _rewrite_refs(schema))
        payload_of[model.__name__] = model.__name__
    return payload_of, components


def _limit(field: str) -> dict[str, int]:
    limits: dict[str, int] = {}
    for item in Envelope.model_fields[field].metadata:
        for attribute, key in (("min_length", "minLength"), ("max_length", "maxLength")):
            value = getattr(item, attribute, None)
            if value is not None:
                limits[key] = value
    return limits


def _headers_schema() -> dict[str, Any]:
    """The CloudEvents binary-mode headers (`Envelope.to_headers`, `Envelope.from_wire`)."""
    return {
        "type": "object",
        "description": (
            "CloudEvents 1.0 attributes in binary content mode (CloudEvents Kafka protocol "
            "binding): each attribute is a `ce_<name>` header, UTF-8; the body is the JSON "
            f"payload. A consumer refuses (dead-letters) a message with more than {MAX_HEADERS} "
            f"headers or a header longer than {MAX_HEADER_BYTES} bytes, a missing or other "
            "`ce_specversion`, or a content type other than JSON. Other headers (e.g. trace "
            "context) may be present and are ignored."
        ),
        "maxProperties": MAX_HEADERS,
        "required": ["ce_specversion", "content-type", "ce_id", "ce_source", "ce_type", "ce_time"],
        "properties": {
            "ce_specversion": {"type": "string", "const": SPEC_VERSION},
            "content-type": {
                "type": "string",
                "const": CONTENT_TYPE,
                "description": "the body's media type (CloudEvents `datacontenttype`)",
            },
            "ce_id": {
                "type": "string",
                **_limit("id"),
                "description": "unique per event: consumers take each id once (their inbox)",
            },
            "ce_source": {
                "type": "string",
                **_limit("source"),
                "description": "the producing service (`/jrp/<service>`), or the department "
                "(`/departments/<code>`) on the topics departments post to",
            },
            "ce_type": {
                "type": "string",
                **_limit("type"),
                "description": "the event type (the message's name), ending in `.v<major>`",
            },
            "ce_subject": {
                "type": "string",
                **_limit("subject"),
                "description": "the partition key, as the message key (see the message's key)",
            },
            "ce_time": {
                "type": "string",
                "format": "date-time",
                "description": "when the event happened, RFC 3339 with its offset",
            },
            "ce_dataschema": {
                "type": "string",
                "format": "uri",
                **_limit("dataschema"),
                "description": "where the payload's JSON Schema is served: the registry's "
                "`/schemas/events/<ce_type>.json` (docs/events.md)",
            },
            "ce_correlationid": {
                "type": "string",
                **_limit("correlationid"),
                "description": "extension: the request that caused the event (logs, traces)",
            },
        },
    }


_AUTHORIZATION_SCHEMA: Final = {
    "type": "string",
    "pattern": "^Bearer .+$",
    "maxLength": MAX_HEADER_BYTES,
    "description": "the sending department's access token (`Bearer <token>`, from the "
    "registry's token endpoint); it decides which department sent the message, and its "
    "`ce_source` must be `/departments/<code>` of that department (docs/security.md)",
}

_KEY_DESCRIPTION: Final = (
    "The partition key (the events of one key stay in order): {key}. On the Kafka bus a "
    "resident ID in a key or `ce_subject` is replaced by its keyed pseudonym (`p-` + 32 hex "
    "digits of HMAC-SHA256 with the platform secret, docs/security.md): take the subject from "
    "the body, never from the key."
)


def _key_of(topic: str) -> str:
    match = re.search(r"Key: (.*?)(?:\.\s|\.$)", _topic_description(topic))
    if match is None:
        raise ValueError(f"the docstring of topic {topic} names no key")
    return match.group(1)


def _message(
    model: type[EventPayload], channel: str, base: str, *, inbound: bool
) -> dict[str, Any]:
    url = model.schema_uri(base)
    headers: dict[str, Any] = {
        "type": "object",
        "required": ["ce_type", "ce_dataschema"] + ([AUTHORIZATION_HEADER] if inbound else []),
        "properties": {
            "ce_type": {"type": "string", "const": model.event_type},
            "ce_dataschema": {"type": "string", "const": url},
            **({AUTHORIZATION_HEADER: _AUTHORIZATION_SCHEMA} if inbound else {}),
        },
    }
    doc = " ".join((model.__doc__ or model.event_type).split())
    return {
        "name": model.event_type,
        "title": model.__name__,
        "summary": doc,
        "contentType": CONTENT_TYPE,
        "headers": {"allOf": [{"$ref": _COMPONENT_SCHEMAS + "CloudEventHeaders"}, headers]},
        "payload": {"$ref": _COMPONENT_SCHEMAS + model.__name__},
        "correlationId": {"location": "$message.header#/ce_correlationid"},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "maxLength": 200,
                    "description": _KEY_DESCRIPTION.format(key=_key_of(model.topic)),
                },
                "bindingVersion": "0.5.0",
            }
        },
        "x-dataschema": url,
        "x-channel": channel,
    }


def _operation(action: str, channel: str, who: str, description: str) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": f"{who} {'publishes to' if action == 'send' else 'consumes'} {channel}",
        "description": description,
    }


def _operations(channels: Mapping[str, str]) -> dict[str, Any]:
    """From `SERVICES` (the ACL table) and `EXTERNAL_PARTIES`; every service also writes and
    reads dead letters."""
    out: dict[str, Any] = {}
    for service, access in SERVICES.items():
        who = f"The {service} service (`User:jrp-{service}`, groups `<namespace>.{service}.*`)"
        writes = [*access.writes, *([topics.SANCTIONS] if access.writes_prefixed else [])]
        for action, names in (
            ("send", [*writes, topics.DEAD_LETTER]),
            ("receive", [*access.reads, topics.DEAD_LETTER]),
        ):
            for topic in dict.fromkeys(names):
                channel = channels[topic]
                out[f"{service}-{action}-{channel}"] = _operation(action, channel, who, who + ".")
    for party, spec in EXTERNAL_PARTIES.items():
        for action, party_topics in (("send", spec.sends), ("receive", spec.receives)):
            for topic in party_topics:
                channel = channels[topic]
                out[f"{party}-{action}-{channel}"] = _operation(
                    action, channel, f"The {party}", spec.description
                )
    return out


def asyncapi_document(base: str = DEFAULT_SCHEMA_BASE) -> dict[str, Any]:
    """The whole document; `base` is the schema URL prefix (`ce_dataschema`)."""
    payload_of, schemas = _payload_schemas(base)
    schemas = {"CloudEventHeaders": _headers_schema(), **dict(sorted(schemas.items()))}
    by_topic: dict[str, list[type[EventPayload]]] = {}
    for _event_type, model in sorted(EVENT_TYPES.items()):
        by_topic.setdefault(model.topic, []).append(model)
    unknown = set(by_topic) - set(all_topics())
    if unknown:
        raise ValueError(f"payloads on topics the document does not know: {sorted(unknown)}")

    channel_of = {topic: channel_id(topic) for topic in all_topics()}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    for topic in all_topics():
        cid = channel_of[topic]
        parameters: dict[str, Any] = {"namespace": {"$ref": "#/components/parameters/namespace"}}
        if topic == topics.SANCTIONS:
            parameters["department"] = {"$ref": "#/components/parameters/department"}
        models = by_topic.get(topic, [])
        for model in models:
            messages[model.__name__] = _message(model, cid, base, inbound=topic in INBOUND_TOPICS)
        channels[cid] = {
            "address": channel_address(topic),
            "title": topic,
            "description": _topic_description(topic),
            "parameters": parameters,
            "messages": {
                model.__name__: {"$ref": f"#/components/messages/{model.__name__}"}
                for model in models
            },
        }
    assert set(messages) == set(payload_of)

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:cn:jrp:events",
        "info": {
            "title": "Joint reward and punishment mesh: events",
            "version": DOCUMENT_VERSION,
            "description": (
                "Every Kafka topic of the mesh, every event on it (CloudEvents 1.0, binary "
                "mode: `ce_*` headers, JSON body) and who sends and receives it. Generated from "
                "the code (`make asyncapi`); each payload's JSON Schema is also served at the "
                "URL in its `ce_dataschema` header. docs/events.md says how agencies use it."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "production-scram": {
                "host": "{bootstrap}",
                "protocol": "kafka-secure",
                "protocolVersion": "3.7",
                "description": "The platform's cluster: SASL/SCRAM over TLS "
                "(`SASL_SSL`, SCRAM-SHA-512 or -256), each party its own principal; the "
                "authorizer refuses whatever no ACL allows (docs/security.md, Kafka).",
                "variables": {"bootstrap": {"$ref": "#/components/serverVariables/bootstrap"}},
                "security": [
                    {"$ref": "#/components/securitySchemes/scramSha512"},
                    {"$ref": "#/components/securitySchemes/scramSha256"},
                ],
            },
            "production-mtls": {
                "host": "{bootstrap}",
                "protocol": "kafka-secure",
                "protocolVersion": "3.7",
                "description": "The same cluster with mutual TLS: a client certificate "
                "(`SSL`, `KAFKA_SSL_CERTFILE` and `KAFKA_SSL_KEYFILE`) names the principal.",
                "variables": {"bootstrap": {"$ref": "#/components/serverVariables/bootstrap"}},
                "security": [{"$ref": "#/components/securitySchemes/mutualTls"}],
            },
            "development": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "protocolVersion": "3.7",
                "description": "A local broker without security (`PLAINTEXT`, loopback only: "
                "development and tests).",
            },
        },
        "channels": channels,
        "operations": _operations(channel_of),
        "components": {
            "schemas": schemas,
            "messages": messages,
            "parameters": {
                "namespace": {
                    "description": "the deployment's topic namespace "
                    "(`JRP_<SERVICE>_TOPIC_NAMESPACE`), so environments can share a broker",
                    "default": "jrp",
                    "examples": ["jrp"],
                },
                "department": {
                    "description": "an implementing department's code "
                    "(`^[a-z][a-z0-9-]{1,31}$`, the catalog's departments); each reads only "
                    "its own topic",
                    "examples": ["finance", "tax"],
                },
            },
            "serverVariables": {
                "bootstrap": {
                    "description": "the cluster's bootstrap servers (`host:port`)",
                    "default": "kafka.jrp.internal:9093",
                }
            },
            "securitySchemes": {
                "scramSha512": {
                    "type": "scramSha512",
                    "description": "SASL/SCRAM-SHA-512 over TLS; the password is read from a "
                    "file (`KAFKA_SASL_PASSWORD_FILE`), never a setting",
                },
                "scramSha256": {
                    "type": "scramSha256",
                    "description": "SASL/SCRAM-SHA-256 over TLS",
                },
                "mutualTls": {
                    "type": "X509",
                    "description": "mutual TLS: the client certificate's DN is the principal",
                },
            },
        },
    }


def render_asyncapi(base: str = DEFAULT_SCHEMA_BASE) -> str:
    """The document as YAML (what docs/asyncapi.yaml holds)."""
    import yaml

    header = (
        "# Generated by `make asyncapi` (jrp_shared.events.asyncapi) from the code: do not edit.\n"
    )
    body = yaml.safe_dump(asyncapi_document(base), sort_keys=False, allow_unicode=True, width=100)
    return header + body


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/asyncapi.yaml")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_asyncapi(), encoding="utf-8")
    print(target)


if __name__ == "__main__":
    main()
