import json
import logging

import pytest

from jrp_shared.correlation import set_correlation_id
from jrp_shared.logging import configure_logging, get_logger


def test_logs_are_json_with_the_correlation_id_and_never_a_resident_id_in_clear(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("test-service", json=True)
    set_correlation_id("corr-1")
    try:
        get_logger("t").info(
            "subject registered",
            detail="linked person 11010519491231002X",
            ids=["11010519491231002x"],
        )
        logging.getLogger("stdlib").warning("raw %s", "35010219800101001X")
    finally:
        set_correlation_id(None)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert lines[0]["correlation_id"] == "corr-1"
    assert lines[0]["service"] == "test-service"
    assert lines[0]["detail"] == "linked person 110105********002X"
    assert lines[0]["ids"] == ["110105********002x"]
    assert "35010219800101001X" not in lines[1]["event"]
    # A USCC is not personal data and stays readable.
    get_logger("t").info("x", code="91350100M000100Y43")
    assert "91350100M000100Y43" in capsys.readouterr().out


def test_nothing_in_a_log_line_can_act_as_anyone(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("test-service", json=True)
    jwt_like = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0YXgifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    get_logger("t").warning(
        "refused",
        authorization=f"Bearer {jwt_like}",
        client_secret="s3cr3t-value-123",
        headers={"Authorization": "Basic dGF4OnNlY3JldA==", "x-trace": "ok"},
        detail=f"the token {jwt_like} expired",
        note="Bearer abcdefghijklmnop",
        subject_token_ttl=900,
    )
    logging.getLogger("stdlib").warning("raw Authorization: Bearer %s", jwt_like)
    out = capsys.readouterr().out
    assert jwt_like not in out and "s3cr3t" not in out and "dGF4OnNlY3JldA" not in out
    assert "abcdefghijklmnop" not in out
    lines = [json.loads(line) for line in out.splitlines() if line]
    assert lines[0]["authorization"] == "[redacted]"
    assert lines[0]["headers"] == {"Authorization": "[redacted]", "x-trace": "ok"}
    assert lines[0]["detail"] == "the token [redacted] expired"
    assert lines[0]["subject_token_ttl"] == 900  # not a credential: a number stays
