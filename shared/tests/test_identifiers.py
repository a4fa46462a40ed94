from datetime import date

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from jrp_shared.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    ResidentId,
    Uscc,
    birth_date_of,
    mask_resident_id,
    resident_id_check_character,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)

VALID_USCCS = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]
VALID_RESIDENT_ID = "11010519491231002X"


def _resident_id(birth: str, sequence: str = "002") -> str:
    body = f"110105{birth}{sequence}"
    return body + resident_id_check_character(body)


# --- USCC -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", VALID_USCCS)
def test_valid_uscc_passes_both_checks(code: str) -> None:
    result = validate_uscc(code, organisation_code_policy="reject")
    assert result.code == code
    assert result.organisation_code_valid is True
    assert result.warnings == ()


@pytest.mark.parametrize("code", VALID_USCCS)
def test_check_character_helper_matches_examples(code: str) -> None:
    assert uscc_check_character(code[:17]) == code[17]


def test_alphabet_has_31_symbols_without_forbidden_letters() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(USCC_ALPHABET)


def test_wrong_check_character_names_position_and_expected() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91350100M000100Y4X")
    error = caught.value
    assert (error.kind, error.reason, error.position) == ("uscc", "check_character", 18)
    assert str(error) == "USCC check character (position 18) is 'X' but should be '3'"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letter_is_rejected_with_position(letter: str) -> None:
    code = "9135" + letter + "100M000100Y43"
    with pytest.raises(IdentifierError) as caught:
        validate_uscc(code)
    assert caught.value.reason == "character"
    assert caught.value.position == 5
    assert str(caught.value) == (
        f"USCC position 5 '{letter}' is not in the USCC alphabet (no I, O, S, V, Z)"
    )


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_wrong_length_is_rejected(code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_uscc(code)
    assert caught.value.reason == "length"
    assert caught.value.position is None
    assert str(len(code)) in str(caught.value)


def test_lower_case_and_whitespace_are_normalised() -> None:
    assert validate_uscc("  91350100m000100y43 \n").code == "91350100M000100Y43"


def test_organisation_code_failure_warns_by_default_and_rejects_on_request() -> None:
    body = "91350100M000100Y5"  # organisation code check should be '4', not '5'
    code = body + uscc_check_character(body)

    warned = validate_uscc(code)
    assert warned.code == code
    assert warned.organisation_code_valid is False
    assert len(warned.warnings) == 1
    assert "position 17" in warned.warnings[0]
    assert "'4'" in warned.warnings[0]

    with pytest.raises(IdentifierError) as caught:
        validate_uscc(code, organisation_code_policy="reject")
    assert caught.value.reason == "organisation_code_check"
    assert caught.value.position == 17


# --- Resident ID ----------------------------------------------------------------------------


def test_valid_resident_id_is_normalised_to_upper_case_x() -> None:
    assert validate_resident_id("11010519491231002x") == VALID_RESIDENT_ID
    assert birth_date_of(VALID_RESIDENT_ID) == date(1949, 12, 31)


def test_resident_id_wrong_check_character() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_resident_id("110105194912310021")
    error = caught.value
    assert (error.kind, error.reason, error.position) == ("resident_id", "check_character", 18)
    assert "'1' but should be 'X'" in str(error)


def test_resident_id_impossible_date_is_rejected_without_echoing_it() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_resident_id(_resident_id("19490230"))
    assert (caught.value.reason, caught.value.position) == ("birth_date", 7)
    assert "19490230" not in str(caught.value)


def test_resident_id_future_and_too_early_birth_dates_are_rejected() -> None:
    future = _resident_id("20300101")
    assert validate_resident_id(future, today=date(2030, 1, 1)) == future
    with pytest.raises(IdentifierError, match="future") as caught:
        validate_resident_id(future, today=date(2029, 12, 31))
    assert caught.value.reason == "birth_date"
    with pytest.raises(IdentifierError, match="future"):
        validate_resident_id(_resident_id("20991231"))
    with pytest.raises(IdentifierError, match="before 1900"):
        validate_resident_id(_resident_id("18991231"))


def test_resident_id_non_digit_and_length() -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_resident_id("1101051949123100AX")
    assert (caught.value.reason, caught.value.position) == ("character", 17)
    with pytest.raises(IdentifierError) as caught:
        validate_resident_id("1101051949123100")
    assert caught.value.reason == "length"


def test_masking() -> None:
    assert mask_resident_id(VALID_RESIDENT_ID) == "110105********002X"
    # Masking does not validate: a wrong ID is still masked, never shown.
    assert mask_resident_id("ABCDEFGHIJKLMNOPQR") == "ABCDEF********OPQR"
    assert mask_resident_id("1101051949") == "**********"


# --- pydantic -------------------------------------------------------------------------------


class _Subject(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)

    uscc: Uscc | None = None
    resident_id: ResidentId | None = None


def test_pydantic_types_normalise_valid_values() -> None:
    subject = _Subject(uscc="91350100m000100y43", resident_id="11010519491231002x")
    assert subject.uscc == "91350100M000100Y43"
    assert subject.resident_id == VALID_RESIDENT_ID


def test_pydantic_uscc_error_has_custom_type_message_and_position() -> None:
    with pytest.raises(ValidationError) as caught:
        _Subject(uscc="91350100M000100Y4X")
    (error,) = caught.value.errors()
    assert error["type"] == "uscc_check_character"
    assert error["msg"] == "USCC check character (position 18) is 'X' but should be '3'"
    assert error["ctx"]["position"] == 18


def test_pydantic_resident_id_error_has_custom_type_and_position() -> None:
    with pytest.raises(ValidationError) as caught:
        _Subject(resident_id=_resident_id("19490230"))
    (error,) = caught.value.errors()
    assert error["type"] == "resident_id_birth_date"
    assert error["ctx"]["position"] == 7
    assert "19490230" not in str(caught.value)


def test_a_subject_code_is_shown_whole_only_when_it_is_surely_an_organisations() -> None:
    from jrp_shared.identifiers import shown_subject_code

    # a USCC whose first 17 characters are digits is still an organisation's: shown whole
    assert shown_subject_code("91350100000130032L") == "91350100000130032L"
    assert shown_subject_code("91350100M000100Y43") == "91350100M000100Y43"
    # a resident ID, or anything malformed, is masked
    assert shown_subject_code("11010519491231002X") == "110105********002X"
    assert shown_subject_code("9135") == "****"
