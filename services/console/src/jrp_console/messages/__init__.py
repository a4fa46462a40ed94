"""The console's words in Chinese (default) and English, one module per area of pages so that
each area's keys stay beside each other: `common`, `cases`, `entries`, `dashboard`. Each module
has `MESSAGES: dict[str, tuple[str, str]]` (key → (Chinese, English))."""
