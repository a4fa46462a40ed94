"""The catalog edition as a document officers can review (docs/catalog.md, `make catalog-doc`)."""

from __future__ import annotations

from collections import defaultdict

from jrp_registry.service_layer.handlers import CatalogBundle


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_catalog(bundle: CatalogBundle) -> str:
    departments = {d.code: d for d in bundle.departments}
    domains = {d.code: d for d in bundle.domains}
    measures_of: dict[str, list[str]] = defaultdict(list)
    for m in bundle.measures:
        for code in m.list_types:
            measures_of[code].append(m.code)
    lines = [
        "# The measures catalog (seed edition)",
        "",
        "Generated from `services/registry/data/catalog/` by `make catalog-doc`; a test fails",
        "when it is stale. The catalog is the only legal basis for any measure (DOMAIN.md §4).",
        f"Edition in force from {bundle.effective_from}: {len(bundle.list_types)} list types, "
        f"{len(bundle.measures)} measures, {len(bundle.departments)} departments, "
        f"{len(bundle.domains)} domains.",
        "",
        "## List types",
        "",
        "| code | name | domain | initiated by | lawful area | period (months) | "
        "suspended on objection | linked persons | repair | legal basis |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def domain_name(code: str) -> str:
        return domains[code].name_en if code in domains else code

    for t in bundle.list_types:
        repair = (
            f"after {t.repair.earliest_after_months} months"
            if t.repair.repairable
            else "not repairable"
        )
        lines.append(
            f"| `{t.code}` | {_cell(t.name)} | {domain_name(t.domain)} "
            f"| {', '.join(t.initiating_departments)} | {t.lawful_area or '—'} "
            f"| {t.default_period_months} / max {t.max_period_months} "
            f"| {'yes' if t.suspend_during_objection else 'no'} "
            f"| {'yes' if t.includes_linked_persons else 'no'} | {repair} "
            f"| {_cell(t.legal_basis)} |"
        )
    lines += ["", "## Measures by list type", ""]
    by_code = {m.code: m for m in bundle.measures}
    for t in bundle.list_types:
        lines += [
            f"### `{t.code}` {t.name}",
            "",
            "| measure | implementing department | kind | content | legal basis |",
            "| --- | --- | --- | --- | --- |",
        ]
        for code in measures_of[t.code]:
            m = by_code[code]
            dept = departments.get(m.implementing_department)
            lines.append(
                f"| `{m.code}` | {dept.name if dept else m.implementing_department} "
                f"| {'mandatory' if m.mandatory else 'recommended'} {m.kind.value} "
                f"| {_cell(m.content)} | {_cell(m.legal_basis)} |"
            )
        lines.append("")
    lines += [
        "## Departments",
        "",
        "| code | name | level | region | initiates | implements |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for d in bundle.departments:
        lines.append(
            f"| `{d.code}` | {_cell(d.name)} | {d.level.value} | {d.region} "
            f"| {'yes' if d.initiates else 'no'} | {'yes' if d.implements else 'no'} |"
        )
    return "\n".join(lines) + "\n"
