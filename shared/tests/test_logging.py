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
