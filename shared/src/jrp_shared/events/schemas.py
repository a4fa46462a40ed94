"""Generate the JSON Schema of every event payload (`python -m jrp_shared.events.schemas DIR`).

The same schema is served by the registry at `ce_dataschema` (`GET /schemas/events/<type>.json`,
with that deployment's base URL in `$id`) and embedded in docs/asyncapi.yaml
(`jrp_shared.events.asyncapi`); docs/schemas/ holds the files with the default base.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from jrp_shared.events.envelope import DEFAULT_SCHEMA_BASE
from jrp_shared.events.payloads import EVENT_TYPES, EventPayload


def event_schema(model: type[EventPayload], base: str = DEFAULT_SCHEMA_BASE) -> dict[str, Any]:
    """The JSON Schema of one event's payload, identified by its `dataschema` URL."""
    schema = model.model_json_schema()
    schema["$id"] = model.schema_uri(base)
    schema["x-topic"] = model.topic
    schema["x-event-type"] = model.event_type
    return schema


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def render_schemas(base: str = DEFAULT_SCHEMA_BASE) -> dict[str, str]:
    """File name → JSON text, one per event type."""
    return {
        f"{event_type}.json": schema_text(event_schema(model, base))
        for event_type, model in sorted(EVENT_TYPES.items())
    }


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")
    for path in write_schemas(target):
        print(path)


if __name__ == "__main__":
    main()
