"""An example agency (implementing department) consumer of its own sanctions topic.

What a department's system does with `<namespace>.sanctions.v1.<department>` (docs/loop.md,
"Reading a department's topic with any Kafka client"; docs/events.md, "How an agency uses them"):

1. read the topic with its own consumer group (on a secured cluster: `<namespace>.dept.<code>.…`,
   as its principal `User:dept-<code>` over SASL/SCRAM and TLS, docs/security.md);
2. take the CloudEvents attributes from the `ce_*` headers (binary mode) and dispatch on
   `ce_type`; the key is the listed subject's code or its pseudonym `p-…`: never use it, the
   body names the subject;
3. validate the body against the JSON Schema that `ce_dataschema` names (fetched once per URL,
   or read from a local copy of docs/schemas/);
4. apply it idempotently: skip a `ce_id` already applied (delivery is at least once), and for
   one order keep the highest `revision` (a re-issue replaces the order; a late, older copy
   changes nothing);
5. report receipt of each newly issued order over HTTP with the department's token
   (`POST /v1/sanction-orders/{order_id}/receipt` on enforcement);
6. commit the consumer offset only after the message is applied.

It prints one line per event (`issued order=… revision=… …`, `receipt order=… status=…`), so a
test (tests/test_agency_examples_over_kafka.py) can see what it did. What it has applied (the
`ce_id`s and each order's revision and state) is kept in a JSON file (`--state`), written
before the offset is committed; a real system keeps it in its own database, in the same
transaction as the measures it applies.

    python agency_consumer.py --bootstrap 127.0.0.1:19092 --topic jrp.sanctions.v1.finance \\
        --group jrp.dept.finance.example --enforcement-url http://127.0.0.1:8003 \\
        --token-file finance.token
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # type: ignore[import-untyped]
from aiokafka import AIOKafkaConsumer

ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1"
SUSPENDED = "cn.jrp.enforcement.sanction-order.suspended.v1"
LIFTED = "cn.jrp.enforcement.sanction-order.lifted.v1"
REMINDED = "cn.jrp.enforcement.department.reminded.v1"
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_dataschema")


@dataclass
class Order:
    """What this department knows of one order: its latest revision and where it stands."""

    order_id: str
    revision: int
    state: str  # "active", "suspended" or "lifted"
    target_role: str
    measures: list[str]


@dataclass
class Agency:
    """The department's side: the schemas, what it has applied, and its receipt channel."""

    http: httpx.AsyncClient
    token: str | None
    schema_dir: Path | None
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    applied_ids: set[str] = field(default_factory=set)
    orders: dict[str, Order] = field(default_factory=dict)

    def load(self, path: Path) -> None:
        if path.exists():
            state = json.loads(path.read_text(encoding="utf-8"))
            self.applied_ids = set(state["applied_ids"])
            self.orders = {o["order_id"]: Order(**o) for o in state["orders"]}

    def save(self, path: Path) -> None:
        state = {
            "applied_ids": sorted(self.applied_ids),
            "orders": [vars(o) for o in self.orders.values()],
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)  # atomically: a crash leaves the old state or the new

    async def schema(self, url: str) -> dict[str, Any]:
        """The JSON Schema `ce_dataschema` names: once per URL (it changes only with the
        event's major version), from the local copy when one is given."""
        if url not in self.schemas:
            if self.schema_dir is not None:
                local = self.schema_dir / url.rsplit("/", 1)[-1]
                text = await asyncio.to_thread(local.read_text, encoding="utf-8")
                self.schemas[url] = json.loads(text)
            else:
                response = await self.http.get(url)
                response.raise_for_status()
                self.schemas[url] = response.json()
        return self.schemas[url]

    async def handle(self, headers: dict[str, str], value: bytes) -> None:
        missing = [name for name in REQUIRED_HEADERS if name not in headers]
        if missing:
            print(f"rejected reason=missing-headers {','.join(missing)}", flush=True)
            return
        event_id, event_type = headers["ce_id"], headers["ce_type"]
        if event_id in self.applied_ids:
            print(f"duplicate ce_id={event_id}", flush=True)
            return
        body = json.loads(value)
        try:
            jsonschema.validate(body, await self.schema(headers["ce_dataschema"]))
        except jsonschema.ValidationError as error:
            print(f"rejected ce_id={event_id} reason={error.message!r}", flush=True)
            return
        if event_type == ISSUED:
            await self.issued(body)
        elif event_type in (SUSPENDED, LIFTED):
            self.stopped(body, "suspended" if event_type == SUSPENDED else "lifted")
        elif event_type == REMINDED:
            print(
                f"reminded order={body['item_id']} level={body['level']} kind={body['kind']}",
                flush=True,
            )
        else:
            print(f"ignored ce_type={event_type}", flush=True)
        self.applied_ids.add(event_id)

    async def issued(self, body: dict[str, Any]) -> None:
        order_id, revision = body["order_id"], body["revision"]
        known = self.orders.get(order_id)
        if known is not None and known.revision >= revision:
            print(f"stale order={order_id} revision={revision}", flush=True)
            return
        measures = [m["code"] for m in body["measures"]]
        self.orders[order_id] = Order(
            order_id, revision, "active", body["target"]["role"], measures
        )
        print(
            f"issued order={order_id} revision={revision} target={body['target']['role']} "
            f"measures={','.join(measures)}",
            flush=True,
        )
        if known is None and self.token is not None:
            await self.acknowledge(order_id)

    def stopped(self, body: dict[str, Any], state: str) -> None:
        """Stop applying the order's measures (suspended until re-issued, or lifted)."""
        order_id, revision = body["order_id"], body["revision"]
        known = self.orders.get(order_id)
        if known is not None and known.revision > revision:
            print(f"stale order={order_id} revision={revision}", flush=True)
            return
        if known is None:
            known = Order(order_id, revision, state, body["target_role"], [])
            self.orders[order_id] = known
        known.state, known.revision = state, revision
        detail = body.get("reason") or body.get("case_kind")
        print(f"{state} order={order_id} revision={revision} why={detail}", flush=True)

    async def acknowledge(self, order_id: str) -> None:
        response = await self.http.post(
            f"/v1/sanction-orders/{order_id}/receipt",
            json={"note": "received by the example agency consumer"},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        print(f"receipt order={order_id} status={response.status_code}", flush=True)
        response.raise_for_status()


def kafka_security(args: argparse.Namespace) -> dict[str, Any]:
    """SASL/SCRAM over TLS as on a secured cluster (docs/security.md, "Kafka"); none on the
    development broker."""
    if args.sasl_username is None:
        return {}
    password = Path(args.sasl_password_file).read_text(encoding="utf-8").strip()
    return {
        "security_protocol": "SASL_SSL" if args.cafile else "SASL_PLAINTEXT",
        "ssl_context": ssl.create_default_context(cafile=args.cafile) if args.cafile else None,
        "sasl_mechanism": args.sasl_mechanism,
        "sasl_plain_username": args.sasl_username,
        "sasl_plain_password": password,
    }


async def run(args: argparse.Namespace, token: str | None) -> int:
    consumer = AIOKafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **kafka_security(args),
    )
    handled = 0
    async with httpx.AsyncClient(base_url=args.enforcement_url, timeout=10) as http:
        agency = Agency(http, token, Path(args.schema_dir) if args.schema_dir else None)
        state = Path(args.state) if args.state else None
        if state is not None:
            await asyncio.to_thread(agency.load, state)
        await consumer.start()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + args.timeout if args.timeout else None
            while args.max_messages is None or handled < args.max_messages:
                wait = 1.0 if deadline is None else min(1.0, deadline - loop.time())
                if wait <= 0:
                    break
                batches = await consumer.getmany(timeout_ms=int(wait * 1000), max_records=50)
                for records in batches.values():
                    for record in records:
                        headers = {k: v.decode() for k, v in record.headers or ()}
                        await agency.handle(headers, record.value)
                        if state is not None:
                            await asyncio.to_thread(agency.save, state)
                        await consumer.commit()  # only once the message is applied
                        handled += 1
        finally:
            await consumer.stop()
    print(f"done messages={handled} orders={len(agency.orders)}", flush=True)
    return 0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--topic", required=True, help="<namespace>.sanctions.v1.<department>")
    parser.add_argument("--group", required=True, help="the department's consumer group")
    parser.add_argument("--enforcement-url", required=True, help="enforcement's base URL")
    parser.add_argument("--token-file", help="the department's bearer token (no receipts without)")
    parser.add_argument("--schema-dir", help="local copy of docs/schemas/ (else ce_dataschema)")
    parser.add_argument("--state", help="JSON file of what was applied (kept across runs)")
    parser.add_argument("--max-messages", type=int, help="stop after this many messages")
    parser.add_argument("--timeout", type=float, help="stop after this many seconds")
    parser.add_argument("--sasl-username", help="e.g. dept-finance (SASL/SCRAM)")
    parser.add_argument("--sasl-password-file")
    parser.add_argument("--sasl-mechanism", default="SCRAM-SHA-512")
    parser.add_argument("--cafile", help="the cluster's CA (TLS)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    token = Path(args.token_file).read_text(encoding="utf-8").strip() if args.token_file else None
    return asyncio.run(run(args, token))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
