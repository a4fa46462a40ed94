"""Every word of the console in both languages, and every key a template uses defined."""

from __future__ import annotations

import re
from pathlib import Path

from jrp_console import i18n

TEMPLATES = Path(i18n.__file__).parent / "templates"
PAGES = Path(i18n.__file__).parent / "pages"


def test_every_message_has_both_languages() -> None:
    for key, (zh, en) in i18n.MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_every_key_used_is_defined() -> None:
    used: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *PAGES.glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_]+\.[a-z0-9_.]+)['"]""", path.read_text()))
    missing = sorted(k for k in used if k not in i18n.MESSAGES)
    assert not missing


def test_english_when_chosen_chinese_by_default() -> None:
    assert i18n.t(i18n.language(None), "login.submit") == "登录"
    assert i18n.t(i18n.language("en"), "login.submit") == "Sign in"
    assert i18n.t("en", "common.working_days_left", n=3) == "3 working days left"
