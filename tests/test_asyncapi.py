"""The AsyncAPI document (docs/asyncapi.yaml, docs/events.md): current with the code, complete
(every topic, event type and service), consistent with the JSON Schemas served at
`ce_dataschema`, and valid for the official AsyncAPI parser (@asyncapi/parser, pinned in
deploy/local/asyncapi/package-lock.json), which also refuses broken copies of it.

Needs Node.js 20 and npm (on every developer machine and CI): without them the test fails
saying so, it never skips. The parser is installed with `npm ci` into
deploy/local/asyncapi/node_modules once per lock file (a marker holds the lock's hash).
"""

from __future__ import annotations

import copy
import fcntl
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from jrp_shared.bus.plan import SERVICES
from jrp_shared.events import topics
from jrp_shared.events.asyncapi import (
    all_topics,
    asyncapi_document,
    channel_address,
    channel_id,
    render_asyncapi,
)
from jrp_shared.events.envelope import DEFAULT_SCHEMA_BASE
from jrp_shared.events.payloads import EVENT_TYPES
from jrp_shared.events.schemas import event_schema

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"
SCHEMAS = ROOT / "docs" / "schemas"
CHECKER = ROOT / "deploy" / "local" / "asyncapi"


def test_the_asyncapi_document_is_current() -> None:
    """docs/asyncapi.yaml is what agencies read; `make asyncapi` regenerates it."""
    assert DOCUMENT.read_text(encoding="utf-8") == render_asyncapi(), (
        "docs/asyncapi.yaml is stale: run `make asyncapi`"
    )


def test_every_topic_and_event_type_is_in_the_document() -> None:
    doc = asyncapi_document()
    assert doc["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in doc["channels"].values()}
    assert "{namespace}.sanctions.v1.{department}" in addresses
    assert "{namespace}.list-entries.v1" in addresses
    assert addresses == {channel_address(t) for t in all_topics()}
    # every topic constant of jrp_shared.events.topics is a channel
    constants = {
        value
        for name, value in vars(topics).items()
        if name.isupper() and isinstance(value, str) and ".v" in value
        if name != "SANCTIONS_PREFIX"
    }
    assert constants == set(all_topics())
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert names == set(EVENT_TYPES)
    sanctions = doc["channels"]["sanctions"]
    assert set(sanctions["parameters"]) == {"namespace", "department"}
    assert "SanctionOrderIssued" in sanctions["messages"]


def test_messages_name_the_schema_the_registry_serves() -> None:
    """Each message's `ce_dataschema` is the URL of its JSON Schema, and its payload is that
    schema (the docs/schemas file, `$defs` lifted into the document's components)."""
    doc = asyncapi_document()
    components = doc["components"]["schemas"]
    for name, message in doc["components"]["messages"].items():
        model = EVENT_TYPES[message["name"]]
        url = model.schema_uri(DEFAULT_SCHEMA_BASE)
        assert message["x-dataschema"] == url
        own = message["headers"]["allOf"][1]["properties"]
        assert own["ce_dataschema"]["const"] == url
        assert own["ce_type"]["const"] == model.event_type
        on_disk = json.loads((SCHEMAS / f"{model.event_type}.json").read_text(encoding="utf-8"))
        assert on_disk["$id"] == url
        assert message["payload"] == {"$ref": f"#/components/schemas/{name}"}
        served = event_schema(model)
        assert set(components[name]["properties"]) == set(served["properties"])
        assert components[name].get("required") == served.get("required")
        assert message["x-channel"] == channel_id(model.topic)
        assert "partition key" in message["bindings"]["kafka"]["key"]["description"]
    headers = components["CloudEventHeaders"]["properties"]
    assert headers["ce_id"]["maxLength"] == 64 and headers["ce_dataschema"]["maxLength"] == 500
    inbound = doc["components"]["messages"]["ReceiptAcknowledged"]["headers"]["allOf"][1]
    assert "authorization" in inbound["required"]


def test_operations_follow_the_acl_table() -> None:
    doc = asyncapi_document()
    operations = doc["operations"]
    for service, access in SERVICES.items():
        for topic in access.writes:
            op = operations[f"{service}-send-{channel_id(topic)}"]
            assert op["action"] == "send"
            assert op["channel"] == {"$ref": f"#/channels/{channel_id(topic)}"}
        for topic in access.reads:
            assert operations[f"{service}-receive-{channel_id(topic)}"]["action"] == "receive"
    assert operations["enforcement-send-sanctions"]["action"] == "send"
    assert operations["department-receive-sanctions"]["action"] == "receive"
    assert operations["department-send-departmentReports"]["action"] == "send"
    for op in operations.values():
        assert op["channel"]["$ref"].removeprefix("#/channels/") in doc["channels"]


# --- the official parser ----------------------------------------------------------------------


def _parser_installed() -> Path:
    """`npm ci` of the pinned parser, once per lock file; the path of validate.mjs."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is not installed: the AsyncAPI check needs Node.js 20 and npm "
                "(Debian: apt-get install nodejs npm)"
            )
    lock = (CHECKER / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock).hexdigest()
    marker = CHECKER / "node_modules" / ".jrp-lock-sha256"
    with open(CHECKER / "package.json", "rb") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # one install when tests run in parallel
        if not marker.exists() or marker.read_text() != digest:
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=CHECKER,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                pytest.fail(f"npm ci in {CHECKER} failed:\n{done.stdout}\n{done.stderr}")
            marker.write_text(digest)
    return CHECKER / "validate.mjs"


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    script = _parser_installed()
    return subprocess.run(
        ["node", str(script), str(path)], capture_output=True, text=True, timeout=300
    )


def test_the_official_parser_accepts_the_document() -> None:
    done = _validate(DOCUMENT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout
    assert f"{len(all_topics())} channels, {len(EVENT_TYPES)} messages" in done.stdout


def _broken(doc: dict[str, Any], how: str) -> dict[str, Any]:
    broken = copy.deepcopy(doc)
    if how == "dangling message reference":
        del broken["components"]["messages"]["SanctionOrderIssued"]
    elif how == "unknown operation action":
        broken["operations"]["enforcement-send-sanctions"]["action"] = "publish"
    elif how == "operation on a missing channel":
        broken["operations"]["trigger-send-listEntries"]["channel"] = {
            "$ref": "#/channels/noSuchTopic"
        }
    elif how == "payload schema of the wrong type":
        broken["components"]["schemas"]["ListEntryInForce"]["type"] = "objekt"
    return broken


@pytest.mark.parametrize(
    "how",
    [
        "dangling message reference",
        "unknown operation action",
        "operation on a missing channel",
        "payload schema of the wrong type",
    ],
)
def test_the_parser_refuses_a_broken_copy(how: str, tmp_path: Path) -> None:
    """The check is proven to work: each broken copy is refused with an error."""
    doc = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(_broken(doc, how), sort_keys=False), encoding="utf-8")
    done = _validate(path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "INVALID" in done.stdout and "error:" in done.stdout
