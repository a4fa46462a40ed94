"""The appeals service's rules, free of web, database and broker code (DOMAIN.md §7, §8)."""
