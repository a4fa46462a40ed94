"""The trigger's domain: list entries and their rules (DOMAIN.md §2-§5). No I/O here."""
