"""Which JSON texts carry U+0000 (NUL): an escape after an odd run of backslashes."""

import json

import pytest

from jrp_shared.nul_refusal import json_holds_nul


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("a\x00b", True),
        ("\\u0000", False),  # a backslash and the letters u0000
        ("\\\x00", True),  # a backslash, then NUL
        ("\\\\u0000", False),
        ("u0000", False),
        ("\x01", False),
    ],
)
def test_a_nul_escape_is_told_from_a_backslash_before_letters(text: str, holds: bool) -> None:
    encoded = json.dumps({"grounds": text}).encode()
    assert json_holds_nul(encoded) is holds
    assert ("\x00" in json.loads(encoded)["grounds"]) is holds
