"""Read a catalog edition from its YAML data files (services/registry/data/catalog/), with the
past editions of `editions/` (one file each: `effective_from`, `sources`, `list_types`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from jrp_registry.domain.catalog import (
    DepartmentDefinition,
    DomainDefinition,
    ListTypeDefinition,
    MeasureDefinition,
    PastEdition,
)
from jrp_registry.service_layer.handlers import CatalogBundle
from jrp_shared.errors import FieldProblem, InvalidInput

M = TypeVar("M", bound=BaseModel)

EDITIONS = "editions"
"""The folder of past editions, beside the current edition's files."""


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        raise InvalidInput(f"{path.name}: expected a mapping at the top")
    return data


def _items(path: Path, key: str, model: type[M], problems: list[FieldProblem]) -> list[M]:
    out = []
    for i, raw in enumerate(_load(path).get(key) or []):
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            code = raw.get("code", f"#{i}") if isinstance(raw, dict) else f"#{i}"
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "(item)"
                problems.append(
                    FieldProblem(f"{path.name}:{code}.{where}", err["type"], err["msg"])
                )
    return out


def read_catalog(directory: Path) -> CatalogBundle:
    """Every problem in every file is reported at once; none is skipped."""
    problems: list[FieldProblem] = []
    header = _load(directory / "list_types.yaml")
    effective = header.get("effective_from")
    if not isinstance(effective, date):
        raise InvalidInput("list_types.yaml: effective_from must be an ISO date")
    bundle = CatalogBundle(
        effective_from=effective,
        domains=_items(directory / "domains.yaml", "domains", DomainDefinition, problems),
        departments=_items(
            directory / "departments.yaml", "departments", DepartmentDefinition, problems
        ),
        list_types=_items(
            directory / "list_types.yaml", "list_types", ListTypeDefinition, problems
        ),
        measures=_items(directory / "measures.yaml", "measures", MeasureDefinition, problems),
        past_editions=read_past_editions(directory / EDITIONS, problems),
    )
    if problems:
        raise InvalidInput(
            f"catalog files in {directory} have {len(problems)} problem(s)", problems=problems
        )
    return bundle


def read_past_editions(directory: Path, problems: list[FieldProblem]) -> list[PastEdition]:
    """Every `*.yaml` of `directory` (none when it does not exist), oldest first. Each names
    the date it took effect and the documents it rests on (法释〔2013〕17号, ...)."""
    editions = []
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        data = _load(path)
        effective = data.get("effective_from")
        sources = data.get("sources")
        if not isinstance(effective, date):
            problems.append(
                FieldProblem(f"{path.name}.effective_from", "date_type", "must be an ISO date")
            )
            continue
        if (
            not isinstance(sources, list)
            or not sources
            or not all(isinstance(x, str) and x.strip() for x in sources)
        ):
            problems.append(
                FieldProblem(
                    f"{path.name}.sources", "missing", "name the documents the edition rests on"
                )
            )
            continue
        list_types = _items(path, "list_types", ListTypeDefinition, problems)
        if not list_types:
            problems.append(FieldProblem(f"{path.name}.list_types", "missing", "no list type"))
            continue
        editions.append(PastEdition(path.stem, effective, tuple(sources), tuple(list_types)))
    return sorted(editions, key=lambda e: e.effective_from)
