"""`GET /schemas/events/{event_type}.json`: the JSON Schema of each event's payload, where its
`ce_dataschema` header points (docs/events.md). Public, no token: the schemas are the contract
agencies build consumers against and hold no data. Generated from the payload models on each
call (`jrp_shared.events.schemas`), the same as docs/schemas/ and the payloads in
docs/asyncapi.yaml; `$id` is the URL under this deployment's `event_schema_base_url`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jrp_registry.entrypoints.http.deps import RegistryDep
from jrp_shared.errors import NotFound
from jrp_shared.events.payloads import payload_class
from jrp_shared.events.schemas import event_schema

router = APIRouter(prefix="/schemas/events", tags=["event schemas"])

SCHEMA_MEDIA_TYPE = "application/schema+json"


@router.get(
    "/{event_type}.json",
    response_class=JSONResponse,
    responses={
        200: {
            "description": "the payload's JSON Schema (draft 2020-12)",
            "content": {SCHEMA_MEDIA_TYPE: {"schema": {"type": "object"}}},
        },
        404: {"description": "no event has this type"},
    },
)
async def event_schema_of(event_type: str, registry: RegistryDep) -> JSONResponse:
    """The JSON Schema of one event type (`cn.jrp.….v1`): what `ce_dataschema` names."""
    model = payload_class(event_type)
    if model is None:
        raise NotFound(f"no event type {event_type[:200]!r}")
    schema = event_schema(model, registry.runtime.settings.event_schema_base_url)
    return JSONResponse(
        schema,
        media_type=SCHEMA_MEDIA_TYPE,
        headers={"Cache-Control": "public, max-age=300"},
    )
