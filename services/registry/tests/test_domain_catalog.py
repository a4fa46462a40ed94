"""The measures catalog (DOMAIN.md §4, §11) and department credentials: pure domain rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_registry.domain.catalog import (
    CatalogContext,
    DepartmentDefinition,
    DomainDefinition,
    ListTypeDefinition,
    MeasureDefinition,
    Version,
    duplicates,
    next_version,
    problems_of_list_type,
    problems_of_measure,
    version_on,
)
from jrp_registry.domain.departments import (
    hash_secret,
    new_client_secret,
    roles_of,
    secret_matches,
)
from jrp_shared.auth import (
    ROLE_ADMINISTRATOR,
    ROLE_EXCHANGE,
    ROLE_IMPLEMENTER,
    ROLE_INITIATOR,
    ROLE_PORTAL,
)
from jrp_shared.errors import Conflict
from jrp_shared.vocabulary import LawfulArea, ListColour, MeasureKind, SubjectType

BLACK_CODE = "black.tax.major-violation"
RED_CODE = "red.tax.a-grade-taxpayer"
DAY_ONE = date(2026, 1, 1)


def black_list_type(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": BLACK_CODE,
        "name": "重大税收违法失信主体",
        "name_en": "Parties to major tax violations",
        "colour": "black",
        "domain": "tax",
        "initiating_departments": ["tax"],
        "lawful_area": "fair-market-and-social-order",
        "grounds": "偷税、逃避追缴欠税等重大税收违法行为",
        "legal_basis": "《中华人民共和国税收征收管理法》",
        "default_period_months": 36,
        "max_period_months": 36,
        "recognition_meeting_required": False,
        "includes_linked_persons": True,
        "suspend_during_objection": True,
        "repair": {
            "repairable": True,
            "tier": "serious",
            "min_disclosure_months": 12,
            "max_disclosure_months": 36,
            "evidence_required": ["完税凭证"],
            "public_interest_service_route": False,
        },
        "sources": ["000 (十四)"],
        "prior_notice": {"required": True, "response_window_working_days": 5},
        "publication": {"max_disclosure_months": 36},
    }
    data.update(overrides)
    return data


def red_list_type(**overrides: Any) -> dict[str, Any]:
    data = black_list_type(
        code=RED_CODE,
        name="A级纳税人",
        name_en="A-grade taxpayers",
        colour="red",
        lawful_area=None,
        includes_linked_persons=False,
        repair={"repairable": False},
        prior_notice=None,
    )
    data.update(overrides)
    return data


def measure(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "finance.no-government-procurement",
        "list_types": [BLACK_CODE],
        "content": "依法限制参加政府采购活动",
        "content_en": "Bar from government procurement",
        "kind": "punishment",
        "mandatory": True,
        "implementing_department": "finance",
        "legal_basis": "《中华人民共和国政府采购法》",
        "applies_to": ["legal_person", "natural_person"],
        "sources": ["000 (十五)"],
    }
    data.update(overrides)
    return data


def context(**overrides: Any) -> CatalogContext:
    fields: dict[str, Any] = {
        "domains": frozenset({"tax", "market"}),
        "initiators": frozenset({"tax", "market"}),
        "implementers": frozenset({"finance", "tax"}),
        "list_type_colours": {BLACK_CODE: ListColour.BLACK, RED_CODE: ListColour.RED},
    }
    fields.update(overrides)
    return CatalogContext(**fields)


def _refusal(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as exc:
        ListTypeDefinition.model_validate(data)
    return str(exc.value)


# --- list type definitions ---------------------------------------------------------------------


def test_valid_black_list_type_passes() -> None:
    item = ListTypeDefinition.model_validate(black_list_type())

    assert item.code == BLACK_CODE
    assert item.colour is ListColour.BLACK
    assert item.lawful_area is LawfulArea.FAIR_MARKET_AND_SOCIAL_ORDER
    assert item.repair.earliest_after_months == 12


def test_valid_red_list_type_passes_without_lawful_area() -> None:
    item = ListTypeDefinition.model_validate(red_list_type())

    assert item.colour is ListColour.RED
    assert item.lawful_area is None


def test_list_type_defaults() -> None:
    data = black_list_type()
    for key in ("recognition_meeting_required", "includes_linked_persons"):
        del data[key]
    del data["suspend_during_objection"]

    item = ListTypeDefinition.model_validate(data)

    assert item.recognition_meeting_required is False
    assert item.includes_linked_persons is False
    assert item.suspend_during_objection is True
    assert item.receipt_deadline_working_days == 5
    assert item.feedback_deadline_working_days == 20


def test_black_list_type_without_lawful_area_is_refused() -> None:
    data = black_list_type()
    del data["lawful_area"]

    message = _refusal(data)

    assert "DOMAIN.md §11" in message
    assert "lawful area" in message
    assert BLACK_CODE in message
    # It names the four allowed areas, so the author knows what to pick.
    for area in LawfulArea:
        assert area.value in message


def test_black_list_type_with_explicit_null_lawful_area_is_refused() -> None:
    assert "lawful area" in _refusal(black_list_type(lawful_area=None))


def test_black_list_type_with_unknown_lawful_area_is_refused() -> None:
    _refusal(black_list_type(lawful_area="public-morals"))


def test_red_list_type_with_lawful_area_is_refused() -> None:
    message = _refusal(red_list_type(lawful_area="legal-obligations"))

    assert "must not name a lawful area" in message


@pytest.mark.parametrize(
    ("colour", "code"),
    [("black", "red.tax.major-violation"), ("red", "black.tax.a-grade-taxpayer")],
)
def test_code_prefix_must_match_colour(colour: str, code: str) -> None:
    area = "legal-obligations" if colour == "black" else None

    message = _refusal(black_list_type(colour=colour, code=code, lawful_area=area))

    assert f"must start with its colour '{colour}.'" in message


@pytest.mark.parametrize(
    "code", ["grey.tax.x", "black.tax", "Black.tax.x", "black.tax.x.y", "black.tax.X"]
)
def test_list_type_code_must_follow_the_pattern(code: str) -> None:
    _refusal(black_list_type(code=code))


def test_default_period_longer_than_max_is_refused() -> None:
    message = _refusal(black_list_type(default_period_months=37, max_period_months=36))

    assert "default_period_months exceeds max_period_months" in message


def test_default_period_equal_to_max_is_allowed() -> None:
    item = ListTypeDefinition.model_validate(
        black_list_type(default_period_months=24, max_period_months=24)
    )

    assert item.default_period_months == item.max_period_months == 24


def test_repair_earliest_after_max_period_is_refused() -> None:
    repair = {"repairable": True, "earliest_after_months": 37}

    message = _refusal(black_list_type(max_period_months=36, repair=repair))

    assert "earliest_after_months exceeds the maximum period" in message


def test_repair_earliest_equal_to_max_period_is_allowed() -> None:
    repair = {
        "repairable": True,
        "tier": "serious",
        "earliest_after_months": 36,
        "max_disclosure_months": 36,
    }

    item = ListTypeDefinition.model_validate(black_list_type(repair=repair))

    assert item.repair.earliest_after_months == 36


def test_the_older_name_of_the_minimum_is_derived_and_kept() -> None:
    """`earliest_after_months` is `min_disclosure_months` under its older name (DOMAIN.md §11)."""
    item = ListTypeDefinition.model_validate(black_list_type())
    assert item.repair.earliest_after_months == item.repair.min_disclosure_months == 12
    assert item.repair.decided_by == "initiating_department"
    assert (
        item.repair.portal_forward_working_days,
        item.repair.authority_decision_working_days,
        item.repair.result_push_working_days,
    ) == (10, 3, 3)
    older = {"repairable": True, "tier": "serious", "earliest_after_months": 12}
    repair = {**older, "max_disclosure_months": 36}
    assert ListTypeDefinition.model_validate(black_list_type(repair=repair)).repair == (
        item.repair.model_copy(update={"evidence_required": []})
    )
    both = {**repair, "min_disclosure_months": 18}
    assert "differs from min_disclosure_months" in _refusal(black_list_type(repair=both))


@pytest.mark.parametrize(
    ("tier", "least", "most", "allowed"),
    [
        ("minor", 0, 3, True),
        ("minor", 0, 4, False),
        ("general", 3, 12, True),
        ("general", 2, 12, False),
        ("serious", 12, 36, True),
        ("serious", 6, 36, False),
        ("serious", 12, 48, False),
    ],
)
def test_repair_periods_lie_within_the_tier(
    tier: str, least: int, most: int, allowed: bool
) -> None:
    """国办发〔2025〕22号 / NDRC Order No. 36 (DOMAIN.md §11): minor ≤ 3 months, general 3–12,
    serious 12–36."""
    repair = {
        "repairable": True,
        "tier": tier,
        "min_disclosure_months": least,
        "max_disclosure_months": most,
    }
    data = black_list_type(
        repair=repair, max_period_months=48, publication={"max_disclosure_months": most}
    )
    if allowed:
        assert ListTypeDefinition.model_validate(data).repair.tier == tier
    else:
        assert "tier's" in _refusal(data)


def test_a_repairable_list_type_names_its_tier() -> None:
    message = _refusal(black_list_type(repair={"repairable": True, "earliest_after_months": 12}))
    assert "needs repair.tier" in message


def test_the_tier_maximum_is_the_publication_maximum() -> None:
    message = _refusal(black_list_type(publication={"max_disclosure_months": 24}))
    assert "differs from publication.max_disclosure_months" in message


def test_the_seed_catalog_tiers_every_repairable_black_list() -> None:
    """Every repairable list type of the seed catalog is serious dishonesty, 12–36 months."""
    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    repairable = [t for t in bundle.list_types if t.repair.repairable]
    assert repairable and all(t.colour is ListColour.BLACK for t in repairable)
    for t in repairable:
        assert (t.repair.tier, t.repair.min_disclosure_months) == ("serious", 12), t.code
        assert t.repair.max_disclosure_months == t.publication.max_disclosure_months == 36


def test_list_type_needs_an_initiating_department_and_a_source() -> None:
    _refusal(black_list_type(initiating_departments=[]))
    _refusal(black_list_type(sources=[]))


def test_list_type_needs_a_legal_basis() -> None:
    _refusal(black_list_type(legal_basis="   "))


def test_a_black_list_requires_prior_notice_and_a_red_list_none() -> None:
    """国办发〔2020〕49号 (DOMAIN.md §11): the party is told before a serious-dishonesty
    listing; the court's list follows the court's own procedure; a red list needs none."""
    assert "must require prior notice" in _refusal(black_list_type(prior_notice=None))
    unrequired = {"required": False, "response_window_working_days": 0}
    assert "must require prior notice" in _refusal(black_list_type(prior_notice=unrequired))
    no_window = {"required": True, "response_window_working_days": 0}
    assert "at least 1" in _refusal(black_list_type(prior_notice=no_window))
    court = ListTypeDefinition.model_validate(
        black_list_type(prior_notice=None, court_case_required=True)
    )
    assert court.prior_notice is None
    red = red_list_type(prior_notice={"required": True, "response_window_working_days": 5})
    assert "must not require prior notice" in _refusal(red)


def test_the_seed_catalog_says_which_lists_need_prior_notice() -> None:
    from jrp_registry.adapters.catalog_files import read_catalog
    from jrp_registry.config import DEFAULT_CATALOG_DIR

    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    for t in bundle.list_types:
        notice = t.prior_notice
        if t.colour is ListColour.BLACK and not t.court_case_required:
            assert notice is not None and notice.required, t.code
            assert notice.response_window_working_days == 5, t.code
        else:
            assert notice is None or not notice.required, t.code


def test_list_type_refuses_unknown_fields() -> None:
    _refusal(black_list_type(colour_hint="dark"))


def test_list_type_is_frozen() -> None:
    item = ListTypeDefinition.model_validate(black_list_type())

    with pytest.raises(ValidationError):
        item.max_period_months = 120  # type: ignore[misc]


# --- measure definitions -----------------------------------------------------------------------


def test_valid_measure_passes() -> None:
    item = MeasureDefinition.model_validate(measure())

    assert item.kind is MeasureKind.PUNISHMENT
    assert item.applies_to == [SubjectType.LEGAL_PERSON, SubjectType.NATURAL_PERSON]


def test_measure_refuses_repeated_list_types_or_subject_types() -> None:
    with pytest.raises(ValidationError, match="repeated"):
        MeasureDefinition.model_validate(measure(list_types=[BLACK_CODE, BLACK_CODE]))
    with pytest.raises(ValidationError, match="repeated"):
        MeasureDefinition.model_validate(measure(applies_to=["legal_person", "legal_person"]))


def test_measure_needs_a_legal_basis_and_a_list_type() -> None:
    with pytest.raises(ValidationError):
        MeasureDefinition.model_validate(measure(legal_basis=""))
    with pytest.raises(ValidationError):
        MeasureDefinition.model_validate(measure(list_types=[]))


# --- versions ----------------------------------------------------------------------------------


def test_first_definition_is_version_1() -> None:
    definition = ListTypeDefinition.model_validate(black_list_type())

    version = next_version([], definition, DAY_ONE)

    assert version == Version(BLACK_CODE, 1, DAY_ONE, definition)


def test_identical_definition_makes_no_new_version() -> None:
    definition = ListTypeDefinition.model_validate(black_list_type())
    first = next_version([], definition, DAY_ONE)
    assert first is not None
    same = ListTypeDefinition.model_validate(black_list_type())

    assert next_version([first], same, date(2026, 6, 1)) is None
    # Idempotent even when the date given is earlier: nothing changed, nothing to refuse.
    assert next_version([first], same, date(2025, 1, 1)) is None


def test_changed_definition_is_the_next_version() -> None:
    first = next_version([], ListTypeDefinition.model_validate(black_list_type()), DAY_ONE)
    assert first is not None
    changed = ListTypeDefinition.model_validate(black_list_type(default_period_months=24))
    later = date(2026, 7, 1)

    second = next_version([first], changed, later)

    assert second is not None
    assert second.version == 2
    assert second.code == BLACK_CODE
    assert second.effective_from == later
    assert second.definition == changed

    third = next_version(
        [first, second],
        ListTypeDefinition.model_validate(black_list_type(grounds="新的情形")),
        later,
    )
    assert third is not None
    assert third.version == 3


def test_changed_definition_with_earlier_date_is_a_conflict() -> None:
    first = next_version([], ListTypeDefinition.model_validate(black_list_type()), DAY_ONE)
    assert first is not None
    changed = ListTypeDefinition.model_validate(black_list_type(default_period_months=24))

    with pytest.raises(Conflict, match=BLACK_CODE):
        next_version([first], changed, date(2025, 12, 31))


def test_measures_are_versioned_the_same_way() -> None:
    first = next_version([], MeasureDefinition.model_validate(measure()), DAY_ONE)
    assert first is not None
    changed = MeasureDefinition.model_validate(measure(mandatory=False))

    second = next_version([first], changed, DAY_ONE)

    assert second is not None
    assert second.version == 2
    assert (
        next_version(
            [first, second], MeasureDefinition.model_validate(measure(mandatory=False)), DAY_ONE
        )
        is None
    )


# --- references --------------------------------------------------------------------------------


def test_measure_with_good_references_has_no_problems() -> None:
    item = MeasureDefinition.model_validate(measure())

    assert problems_of_measure(item, context()) == []


def test_reward_measure_on_red_list_has_no_problems() -> None:
    item = MeasureDefinition.model_validate(
        measure(code="tax.green-channel", kind="reward", list_types=[RED_CODE])
    )

    assert problems_of_measure(item, context()) == []


def test_conditions_name_a_known_red_list_and_the_measure_s_own_list_types() -> None:
    """A condition on the subject's record (DOMAIN.md §6) refers to the catalog like the rest."""
    good = {
        "kind": "on_list_consecutive_years",
        "list_type": RED_CODE,
        "years": 3,
        "sources": ["000 (十一)"],
    }
    item = MeasureDefinition.model_validate(
        measure(code="tax.green-channel", kind="reward", list_types=[RED_CODE], conditions=[good])
    )
    assert problems_of_measure(item, context()) == []
    bad = [
        {**good, "list_type": BLACK_CODE},
        {"kind": "no_black_list_within_years", "years": 3, "for_list_types": [BLACK_CODE]},
    ]
    item = MeasureDefinition.model_validate(
        measure(code="tax.green-channel", kind="reward", list_types=[RED_CODE], conditions=bad)
    )
    assert problems_of_measure(item, context()) == [
        f"tax.green-channel: conditions[0]: {BLACK_CODE} is not a red list",
        f"tax.green-channel: conditions[1]: for_list_types not of the measure: {BLACK_CODE}",
        "tax.green-channel: conditions[1]: no sources (cite the document the condition comes from)",
    ]


def test_a_consecutive_years_condition_needs_its_list_type() -> None:
    with pytest.raises(ValidationError, match="list_type"):
        MeasureDefinition.model_validate(
            measure(
                code="tax.green-channel",
                kind="reward",
                list_types=[RED_CODE],
                conditions=[{"kind": "on_list_consecutive_years", "years": 3}],
            )
        )


def test_measure_with_unknown_department_is_reported() -> None:
    item = MeasureDefinition.model_validate(measure(implementing_department="nowhere"))

    problems = problems_of_measure(item, context())

    assert len(problems) == 1
    assert "'nowhere'" in problems[0]
    assert "implements" in problems[0]


def test_measure_of_a_department_that_does_not_implement_is_reported() -> None:
    # "market" is a known department but only initiates.
    item = MeasureDefinition.model_validate(measure(implementing_department="market"))

    problems = problems_of_measure(item, context())

    assert problems == [
        "finance.no-government-procurement: 'market' is not a department that implements"
    ]


def test_measure_on_unknown_list_type_is_reported() -> None:
    item = MeasureDefinition.model_validate(
        measure(list_types=[BLACK_CODE, "black.nowhere.nothing"])
    )

    problems = problems_of_measure(item, context())

    assert problems == [
        "finance.no-government-procurement: unknown list type 'black.nowhere.nothing'"
    ]


def test_reward_measure_on_a_black_list_is_reported() -> None:
    item = MeasureDefinition.model_validate(measure(kind="reward"))

    problems = problems_of_measure(item, context())

    assert len(problems) == 1
    assert "reward" in problems[0]
    assert BLACK_CODE in problems[0]


def test_punishment_measure_on_a_red_list_is_reported() -> None:
    item = MeasureDefinition.model_validate(measure(list_types=[RED_CODE]))

    problems = problems_of_measure(item, context())

    assert len(problems) == 1
    assert "punishment" in problems[0]
    assert RED_CODE in problems[0]


def test_every_measure_problem_is_reported_together() -> None:
    item = MeasureDefinition.model_validate(
        measure(
            kind="reward",
            implementing_department="nowhere",
            list_types=[BLACK_CODE, "black.nowhere.nothing"],
        )
    )

    assert len(problems_of_measure(item, context())) == 3


def test_list_type_with_good_references_has_no_problems() -> None:
    item = ListTypeDefinition.model_validate(black_list_type())

    assert problems_of_list_type(item, context()) == []


def test_list_type_with_unknown_domain_is_reported() -> None:
    item = ListTypeDefinition.model_validate(black_list_type(domain="astrology"))

    problems = problems_of_list_type(item, context())

    assert problems == [f"{BLACK_CODE}: unknown domain 'astrology'"]


def test_list_type_with_a_department_that_does_not_initiate_is_reported() -> None:
    # "finance" implements but does not initiate; "ghost" is not known at all.
    item = ListTypeDefinition.model_validate(
        black_list_type(initiating_departments=["tax", "finance", "ghost"])
    )

    problems = problems_of_list_type(item, context())

    assert problems == [
        f"{BLACK_CODE}: 'finance' is not a department that initiates",
        f"{BLACK_CODE}: 'ghost' is not a department that initiates",
    ]


def test_duplicates_names_each_repeat() -> None:
    assert duplicates(["a", "b", "a", "c", "b", "a"]) == ["a", "b", "a"]
    assert duplicates(["a", "b", "c"]) == []
    assert duplicates([]) == []


# --- domains and departments -------------------------------------------------------------------


def test_domain_and_department_definitions_validate_codes() -> None:
    DomainDefinition.model_validate({"code": "tax", "name": "税务", "name_en": "Tax"})
    with pytest.raises(ValidationError):
        DomainDefinition.model_validate({"code": "Tax", "name": "税务", "name_en": "Tax"})

    department = {
        "code": "tax",
        "name": "税务局",
        "name_en": "Tax service",
        "level": "municipal",
        "region": "350100",
        "initiates": True,
        "implements": True,
    }
    assert DepartmentDefinition.model_validate(department).domains == []
    with pytest.raises(ValidationError):
        DepartmentDefinition.model_validate({**department, "region": "3501"})


@pytest.mark.parametrize(
    ("initiates", "implements", "administers", "expected"),
    [
        (False, False, False, frozenset()),
        (True, False, False, frozenset({ROLE_INITIATOR})),
        (False, True, False, frozenset({ROLE_IMPLEMENTER})),
        (False, False, True, frozenset({ROLE_ADMINISTRATOR})),
        (True, True, True, frozenset({ROLE_INITIATOR, ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR})),
    ],
)
def test_roles_of_follow_the_department_powers(
    initiates: bool, implements: bool, administers: bool, expected: frozenset[str]
) -> None:
    roles = roles_of(
        initiates=initiates, implements=implements, administers=administers, portal=False
    )
    assert roles == expected


def test_a_portal_department_also_holds_the_portal_role() -> None:
    roles = roles_of(initiates=False, implements=True, administers=True, portal=True)
    assert roles == {ROLE_IMPLEMENTER, ROLE_ADMINISTRATOR, ROLE_PORTAL}


def test_an_exchange_partner_holds_the_exchange_role_only() -> None:
    """Another credit platform (DOMAIN.md §11): acknowledges exchange records and submits other
    regions' entries; it neither initiates lists of its own nor implements measures."""
    roles = roles_of(
        initiates=False, implements=False, administers=False, portal=False, exchanges=True
    )
    assert roles == {ROLE_EXCHANGE}
    assert ROLE_EXCHANGE not in roles_of(
        initiates=True, implements=True, administers=True, portal=True
    )


def test_right_secret_matches_its_hash() -> None:
    secret = new_client_secret()
    stored = hash_secret(secret)

    assert stored.startswith("scrypt$")
    assert secret not in stored
    assert secret_matches(secret, stored)


def test_wrong_secret_does_not_match() -> None:
    stored = hash_secret("correct horse battery staple")

    assert not secret_matches("correct horse battery stapler", stored)
    assert not secret_matches("", stored)


def test_same_secret_hashes_differently_because_of_salt() -> None:
    first = hash_secret("s3cret")
    second = hash_secret("s3cret")

    assert first != second
    assert secret_matches("s3cret", first)
    assert secret_matches("s3cret", second)


@pytest.mark.parametrize("stored", [None, "", "plain-text-secret", "bcrypt$aa$bb"])
def test_secret_never_matches_a_missing_or_foreign_hash(stored: str | None) -> None:
    assert not secret_matches("plain-text-secret", stored)


def test_new_client_secrets_are_random_and_long() -> None:
    secrets = {new_client_secret() for _ in range(5)}

    assert len(secrets) == 5
    assert all(len(s) >= 32 for s in secrets)


# --- the court list's rules and past editions (法释〔2017〕7号; DOMAIN.md §11) --------------------

COURT_RULES: dict[str, Any] = {
    "default_period_months": 24,
    "max_period_months": 60,
    "minimum_age_years": 18,
    "court_case_required": True,
    "period_extension": {
        "min_months": 12,
        "max_months": 36,
        "grounds": ["violent_obstruction", "multiple_dishonest_acts"],
    },
    "deletion": {"deadline_working_days": 3, "grounds": ["obligations_performed"]},
    "objection_review": {
        "review_days": 15,
        "correction_working_days": 3,
        "appeal_window_days": 10,
        "appeal_decision_days": 15,
        "appeal_department": "high-court",
    },
}


def court_rules(**overrides: Any) -> dict[str, Any]:
    data = {**COURT_RULES, **overrides}
    return black_list_type(**data)


def test_the_court_rules_are_a_valid_list_type() -> None:
    definition = ListTypeDefinition.model_validate(court_rules())
    assert definition.period_extension is not None
    assert definition.period_extension.max_months == 36


def test_default_plus_the_longest_extension_must_fit_the_maximum_period() -> None:
    assert "exceeds max_period_months" in _refusal(court_rules(max_period_months=59))
    extension = {**COURT_RULES["period_extension"], "min_months": 40}
    assert "min_months exceeds" in _refusal(court_rules(period_extension=extension))


def test_grounds_are_unique_and_not_empty() -> None:
    extension = {**COURT_RULES["period_extension"], "grounds": ["a", "a"]}
    assert "repeats a" in _refusal(court_rules(period_extension=extension))
    assert "grounds" in _refusal(court_rules(period_extension={**extension, "grounds": []}))
    deletion = {"deadline_working_days": 3, "grounds": ["x", " "]}
    assert "empty ground" in _refusal(court_rules(deletion=deletion))


def test_the_appeal_department_must_be_known() -> None:
    definition = ListTypeDefinition.model_validate(court_rules())
    problems = problems_of_list_type(definition, context())
    assert problems == [
        f"{BLACK_CODE}: objection_review.appeal_department 'high-court' is not a known department"
    ]
    assert problems_of_list_type(definition, context(departments=frozenset({"high-court"}))) == []


def _v(version: int, effective_from: date, **overrides: Any) -> Version[ListTypeDefinition]:
    definition = ListTypeDefinition.model_validate(black_list_type(**overrides))
    return Version(BLACK_CODE, version, effective_from, definition)


def test_in_force_is_the_latest_effective_date_then_the_highest_version() -> None:
    current = _v(1, date(2026, 1, 1))
    v2013 = _v(2, date(2013, 10, 1), grounds="2013")
    v2017 = _v(3, date(2017, 5, 1), grounds="2017")
    same_day = _v(4, date(2026, 1, 1), grounds="same day, later")
    history = [current, v2013, v2017]
    assert version_on(history, date(2015, 6, 1)) == v2013
    assert version_on(history, date(2018, 1, 1)) == v2017
    assert version_on(history, date(2026, 11, 29)) == current
    assert version_on(history, date(2013, 9, 30)) is None
    assert version_on([*history, same_day], date(2026, 11, 29)) == same_day


def test_a_past_edition_adds_history_before_the_latest_and_is_idempotent() -> None:
    current = _v(1, date(2026, 1, 1))
    past = ListTypeDefinition.model_validate(black_list_type(grounds="2013"))
    added = next_version([current], past, date(2013, 10, 1), past_edition=True)
    assert added == Version(BLACK_CODE, 2, date(2013, 10, 1), past)
    assert next_version([current, added], past, date(2013, 10, 1), past_edition=True) is None
    # The same past change made as a change of today is refused: history is not rewritten.
    with pytest.raises(Conflict):
        next_version([current], past, date(2013, 10, 1))


def test_escalation_period_is_read_defaulted_and_bounded() -> None:
    """A list type says after how many working days past due the office is told (DOMAIN.md §5
    step 5, 000 (二十七)): 5 when absent, at least 1, and it reaches the published event."""
    default = ListTypeDefinition.model_validate(black_list_type())
    assert default.escalation.escalate_after_working_days == 5
    own = ListTypeDefinition.model_validate(
        black_list_type(escalation={"escalate_after_working_days": 3})
    )
    assert own.escalation.escalate_after_working_days == 3
    assert "greater than or equal to 1" in _refusal(
        black_list_type(escalation={"escalate_after_working_days": 0})
    )
    assert "Extra inputs" in _refusal(black_list_type(escalation={"after": 3}))
