"""The catalog edition as a document officers can review (docs/catalog.md, `make catalog-doc`)."""

from __future__ import annotations

from collections import defaultdict

from jrp_registry.domain.catalog import ListTypeDefinition
from jrp_registry.service_layer.handlers import CatalogBundle
from jrp_shared.events.payloads import EligibilityCondition, EscalationRules


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
        "suspended on objection | linked persons | repair | public lookup | prior notice "
        "| legal basis |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def domain_name(code: str) -> str:
        return domains[code].name_en if code in domains else code

    for t in bundle.list_types:
        repair = _repair(t)
        lines.append(
            f"| `{t.code}` | {_cell(t.name)} | {domain_name(t.domain)} "
            f"| {', '.join(t.initiating_departments)} | {t.lawful_area or '—'} "
            f"| {t.default_period_months} / max {t.max_period_months} "
            f"| {'yes' if t.suspend_during_objection else 'no'} "
            f"| {'yes' if t.includes_linked_persons else 'no'} | {repair} "
            f"| {_publication(t)} | {_prior_notice(t)} | {_cell(t.legal_basis)} |"
        )
    lines += [
        "",
        "Prior notice (国办发〔2020〕49号, DOMAIN.md §11): the party is told the finding, its "
        "reasons, basis and rights before listing; the entry is posted only once the window "
        "(working days from the notice, the platform's calendar) has run or the party answered. "
        "The 5-working-day window is a provincial default; the court's list follows the court's "
        "own procedure (法释〔2017〕7号) and red lists need none.",
        "",
        *_escalation(bundle.list_types),
        "Watch lists (重点关注名单, 发改财金规〔2017〕1798号, DOMAIN.md §11): "
        "valid up to 24 months, supervisory measures only, never published (government "
        "sharing or authorised query); "
        "each names its key area, and a subject on watch lists in three or more key areas is on "
        "the big-data warning list (docs/warning-list.md).",
    ]
    lines += _repair_tiers(bundle.list_types)
    lines += _own_rules(bundle.list_types)
    lines += _past_editions(bundle)
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
    lines += _conditions(bundle)
    lines += [
        "## Departments",
        "",
        "| code | name | level | region | initiates | implements | exchanges |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for d in bundle.departments:
        lines.append(
            f"| `{d.code}` | {_cell(d.name)} | {d.level.value} | {d.region} "
            f"| {'yes' if d.initiates else 'no'} | {'yes' if d.implements else 'no'} "
            f"| {'yes' if d.exchanges else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def _condition_text(c: EligibilityCondition) -> str:
    if c.kind == "on_list_consecutive_years":
        text = (
            f"listed on `{c.list_type}` in each of {c.years} consecutive years, up to the year "
            "of the current listing (each entry counts for the year its period starts)"
        )
    else:
        text = (
            f"no black-list entry in force, nor ended within the last {c.years} years "
            "(revoked entries do not count)"
        )
    if c.for_list_types:
        text += " — for entries of " + ", ".join(f"`{code}`" for code in c.for_list_types)
    return text


def _conditions(bundle: CatalogBundle) -> list[str]:
    """The measures granted only when the subject's record allows (DOMAIN.md §6; evaluated
    by enforcement from the subject's history, docs/must-check.md)."""
    conditioned = [m for m in bundle.measures if m.conditions]
    if not conditioned:
        return []
    lines = [
        "## Conditions on the subject's record",
        "",
        "A measure with conditions is granted only when all of them hold on the day; otherwise "
        "the order leaves it out and a check shows it as withheld, with the reason.",
        "",
        "| measure | condition | sources |",
        "| --- | --- | --- |",
    ]
    for m in conditioned:
        for c in m.conditions:
            lines.append(
                f"| `{m.code}` | {_cell(_condition_text(c))} | {_cell('; '.join(c.sources))} |"
            )
    return [*lines, ""]


def _publication(t: ListTypeDefinition) -> str:
    """Who the public lookup shows and for how long (docs/public-lookup.md). A watch list is
    never published (DOMAIN.md §11; docs/warning-list.md)."""
    if t.watch is not None:
        return f"never (watch list, key area {t.watch.key_area})"
    who = "organisations and persons" if t.publication.natural_persons_public else "organisations"
    months = t.publication.max_disclosure_months
    return f"{who}, {'at most ' + str(months) + ' months' if months else 'for the period'}"


def _prior_notice(t: ListTypeDefinition) -> str:
    notice = t.prior_notice
    if notice is None or not notice.required:
        return "—"
    return f"required, {notice.response_window_working_days} working days to answer"


def _escalation(list_types: list[ListTypeDefinition]) -> list[str]:
    """Reminders and escalation (DOMAIN.md §5 step 5, 000 (二十七); docs/loop.md): the default
    and the list types that set their own period."""
    default = EscalationRules().escalate_after_working_days
    own = [t for t in list_types if t.escalation.escalate_after_working_days != default]
    text = (
        "Reminders and escalation (DOMAIN.md §5 step 5, 000 (二十七)): the day after an order's "
        "receipt or feedback, or a case or repair decision, falls due the department that must "
        "act is reminded; still not done `escalation.escalate_after_working_days` working days "
        f"after the due day, the joint conference office is told. Default {default} working days"
    )
    if not own:
        return [text + "."]
    return [
        text
        + "; "
        + "; ".join(f"`{t.code}` {t.escalation.escalate_after_working_days}" for t in own)
        + "."
    ]


def _repair(t: ListTypeDefinition) -> str:
    r = t.repair
    if not r.repairable:
        return "not repairable"
    return (
        f"{r.tier}: from {r.min_disclosure_months} months, "
        f"published {r.max_disclosure_months} at most"
    )


def _repair_tiers(list_types: list[ListTypeDefinition]) -> list[str]:
    """Repair tiers and the three stages' deadlines (DOMAIN.md §11; 国办发〔2025〕22号; NDRC Order
    No. 36; docs/due-process.md "Credit repair")."""
    lines = [
        "",
        "## Credit repair: tiers and deadlines",
        "",
        "Tiers (DOMAIN.md §11; 国办发〔2025〕22号; NDRC Order No. 36, in force 2026-04-01): minor "
        "— may be left unpublished, at most 3 months; general — 3 to 12 months; serious — 12 to "
        "36 months. Repair may be asked from the minimum; publication stops at the maximum "
        "(the public lookup's maximum, which must be the same). Stages in working days: the "
        "credit portal forwards, the deciding authority decides after forwarding, the result "
        "is pushed to the other platforms after the decision.",
        "",
        "| list type | tier | repair from (months) | published at most (months) | decided by "
        "| portal forwards | authority decides | result pushed | evidence |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in list_types:
        r = t.repair
        if not r.repairable:
            continue
        lines.append(
            f"| `{t.code}` | {r.tier} | {r.min_disclosure_months} | {r.max_disclosure_months} "
            f"| {r.decided_by} | {r.portal_forward_working_days} "
            f"| {r.authority_decision_working_days} | {r.result_push_working_days} "
            f"| {_cell('; '.join(r.evidence_required)) or '—'} |"
        )
    lines.append("")
    lines.append(
        "Not repairable: "
        + ", ".join(f"`{t.code}`" for t in list_types if not t.repair.repairable)
        + " (red lists are not repaired; the court's list ends by deletion, 法释〔2017〕7号; a "
        "watch list's entry leaves at the end of its period or by revocation)."
    )
    return lines


def _own_rules(list_types: list[ListTypeDefinition]) -> list[str]:
    """The list types with rules of their own (the court's list, 法释〔2017〕7号)."""
    own = [
        t
        for t in list_types
        if t.minimum_age_years or t.court_case_required or t.period_extension or t.deletion
    ]
    if not own:
        return []
    lines = ["", "## List types with rules of their own", ""]
    for t in own:
        lines += [f"### `{t.code}` {t.name}", ""]
        if t.minimum_age_years:
            lines.append(f"- never lists a person under {t.minimum_age_years} on the decision date")
        if t.court_case_required:
            lines.append("- every entry carries the court's case record (`court_case`)")
        if t.period_extension:
            e = t.period_extension
            lines.append(
                f"- period {t.default_period_months} months, extended by {e.min_months}–"
                f"{e.max_months} months on the grounds: {', '.join(e.grounds)}"
            )
        if t.deletion:
            lines.append(
                f"- deleted within {t.deletion.deadline_working_days} working days on the "
                f"grounds: {', '.join(t.deletion.grounds)}"
            )
        if t.objection_review:
            r = t.objection_review
            lines.append(
                f"- a correction request reviewed within {r.review_days} days, corrected within "
                f"{r.correction_working_days} working days; an appeal within "
                f"{r.appeal_window_days} days to `{r.appeal_department or '—'}`, decided within "
                f"{r.appeal_decision_days} days; measures "
                f"{'suspended' if t.suspend_during_objection else 'stay in force'} meanwhile"
            )
        lines.append("")
    return lines[:-1]


def _past_editions(bundle: CatalogBundle) -> list[str]:
    """The editions in force before this one (`editions/`): entries decided then are judged by
    them; measures are applied under the current edition."""
    if not bundle.past_editions:
        return []
    lines = [
        "",
        "## Past editions",
        "",
        "Entries decided before this edition took effect are judged by the edition in force on "
        "their decision date; their measures are those of the current edition.",
        "",
        "| in force from | list types | period (months) | sources |",
        "| --- | --- | --- | --- |",
    ]
    for e in bundle.past_editions:
        for t in e.list_types:
            lines.append(
                f"| {e.effective_from} | `{t.code}` | {t.default_period_months} / max "
                f"{t.max_period_months} | {_cell('; '.join(e.sources))} |"
            )
    return lines
