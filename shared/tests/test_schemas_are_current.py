from pathlib import Path

from jrp_shared.events.schemas import render_schemas

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_published_json_schemas_match_the_payload_models() -> None:
    """docs/schemas is what consumers outside the mesh read; `make schemas` regenerates it."""
    expected = render_schemas()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.json")}
    assert on_disk == expected, "event schemas are stale: run `make schemas`"
