"""Fixtures for every test layer live in jrp_shared.testing (one place for all services)."""

pytest_plugins = ["jrp_shared.testing"]
