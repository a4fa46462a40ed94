"""Translation: `t(lang, key, **values)`; Chinese by default, English when chosen (kept in the
session). A key missing from the tables shows itself, and a test fails on it."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Literal

from jrp_console import messages

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
DEFAULT: Language = "zh"


def _load() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for module in pkgutil.iter_modules(messages.__path__):
        loaded = importlib.import_module(f"{messages.__name__}.{module.name}")
        for key, words in loaded.MESSAGES.items():
            if key in table:
                raise RuntimeError(f"message {key} is defined twice ({module.name})")
            table[key] = words
    return table


MESSAGES = _load()


def language(value: object) -> Language:
    return "en" if value == "en" else DEFAULT


def t(lang: Language, key: str, **values: object) -> str:
    words = MESSAGES.get(key)
    if words is None:
        return key
    text = words[1] if lang == "en" else words[0]
    return text.format(**values) if values else text
