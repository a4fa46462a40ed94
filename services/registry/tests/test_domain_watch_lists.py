"""Watch lists (重点关注名单) in the catalog: DOMAIN.md §11, 发改财金规〔2017〕1798号 and its 2018
follow-up. Pure domain rules, and the seed catalog's watch list types."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from jrp_registry.adapters.catalog_files import read_catalog
from jrp_registry.config import DEFAULT_CATALOG_DIR
from jrp_registry.domain.catalog import (
    ListTypeDefinition,
    MeasureDefinition,
    problems_of_list_type,
    problems_of_measure,
)
from jrp_shared.vocabulary import ListColour, MeasureKind

from .test_domain_catalog import black_list_type, context, measure

WATCH_CODE = "watch.tax.key-supervision"


def watch_list_type(**overrides: Any) -> dict[str, Any]:
    data = black_list_type(
        code=WATCH_CODE,
        name="税务领域重点关注名单",
        name_en="Tax watch list",
        colour="watch",
        lawful_area=None,
        includes_linked_persons=False,
        default_period_months=12,
        max_period_months=24,
        repair={"repairable": False},
        prior_notice=None,
        publication={},
        watch={"key_area": "tax"},
    )
    data.update(overrides)
    return data


def _refusal(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as exc:
        ListTypeDefinition.model_validate(data)
    return str(exc.value)


def test_a_valid_watch_list_type_passes() -> None:
    item = ListTypeDefinition.model_validate(watch_list_type())

    assert item.colour is ListColour.WATCH
    assert item.watch is not None and item.watch.key_area == "tax"
    assert problems_of_list_type(item, context()) == []


def test_a_watch_list_type_needs_its_key_area() -> None:
    assert "needs watch.key_area" in _refusal(watch_list_type(watch=None))


def test_a_watch_list_lasts_at_most_24_months() -> None:
    message = _refusal(watch_list_type(max_period_months=36))

    assert "max_period_months 36 exceeds 24" in message


def test_a_watch_list_is_no_serious_dishonesty_list() -> None:
    message = _refusal(watch_list_type(lawful_area="health-and-life"))

    assert "must not name a lawful area" in message


def test_a_watch_list_never_publishes_natural_persons() -> None:
    message = _refusal(watch_list_type(publication={"natural_persons_public": True}))

    assert "never public" in message


@pytest.mark.parametrize("colour", ["black", "red"])
def test_only_a_watch_list_names_a_key_area(colour: str) -> None:
    code = f"{colour}.tax.x"
    extra: dict[str, Any] = {"code": code, "colour": colour, "watch": {"key_area": "tax"}}
    if colour == "red":
        extra |= {"lawful_area": None, "prior_notice": None, "repair": {"repairable": False}}

    assert "must not have watch" in _refusal(black_list_type(**extra))


def test_the_key_area_must_be_a_known_domain() -> None:
    item = ListTypeDefinition.model_validate(watch_list_type(watch={"key_area": "astrology"}))

    problems = problems_of_list_type(item, context())

    assert problems == [f"{WATCH_CODE}: watch.key_area 'astrology' is not a known domain code"]


def test_the_code_prefix_of_a_watch_list_is_watch() -> None:
    assert "must start with its colour 'watch.'" in _refusal(
        watch_list_type(code="black.tax.key-supervision")
    )


def _ctx() -> Any:
    base = context()
    return context(list_type_colours={**base.list_type_colours, WATCH_CODE: ListColour.WATCH})


def test_a_supervisory_measure_may_serve_a_watch_list() -> None:
    item = MeasureDefinition.model_validate(
        measure(code="tax.watch-monitoring", list_types=[WATCH_CODE], implementing_department="tax")
    )

    assert problems_of_measure(item, _ctx()) == []


def test_a_reward_on_a_watch_list_is_refused() -> None:
    item = MeasureDefinition.model_validate(
        measure(
            code="tax.green-channel",
            list_types=[WATCH_CODE],
            kind="reward",
            implementing_department="tax",
        )
    )

    assert problems_of_measure(item, _ctx()) == [
        f"tax.green-channel: a reward measure on watch list {WATCH_CODE}"
    ]


def test_the_seed_catalog_has_watch_lists_in_at_least_four_key_areas() -> None:
    bundle = read_catalog(DEFAULT_CATALOG_DIR)
    domains = {d.code for d in bundle.domains}
    watch = [t for t in bundle.list_types if t.colour is ListColour.WATCH]
    areas = {t.watch.key_area for t in watch if t.watch is not None}

    assert len(areas) >= 4
    assert areas <= domains
    assert all(t.max_period_months <= 24 and t.sources for t in watch)
    for t in watch:
        served = [m for m in bundle.measures if t.code in m.list_types]
        assert served, f"{t.code} has no measure"
        assert all(m.kind is MeasureKind.PUNISHMENT for m in served)
