import pytest
from pydantic import ValidationError

from jrp_shared.settings import ServiceSettings


def test_an_inbox_horizon_shorter_than_the_outbox_horizon_is_refused() -> None:
    """A replayed outbox row must still find its inbox row (docs/architecture.md)."""
    with pytest.raises(ValidationError, match="inbox_retention_hours"):
        ServiceSettings(outbox_retention_hours=240, inbox_retention_hours=48)
    settings = ServiceSettings()
    assert (settings.outbox_retention_hours, settings.inbox_retention_hours) == (168, 720)
