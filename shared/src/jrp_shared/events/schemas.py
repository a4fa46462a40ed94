"""Generate the JSON Schema of every event payload (`python -m jrp_shared.events.schemas DIR`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jrp_shared.events.payloads import EVENT_TYPES


def render_schemas() -> dict[str, str]:
    """File name → JSON text, one per event type."""
    out: dict[str, str] = {}
    for event_type, model in sorted(EVENT_TYPES.items()):
        schema = model.model_json_schema()
        schema["$id"] = model.schema_uri()
        schema["x-topic"] = model.topic
        schema["x-event-type"] = event_type
        out[f"{event_type}.json"] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    return out


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
