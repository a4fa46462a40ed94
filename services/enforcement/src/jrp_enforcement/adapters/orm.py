"""The enforcement service's own tables."""

from __future__ import annotations

from sqlalchemy import MetaData

from jrp_shared.calendar_copy import calendar_copy_table
from jrp_shared.catalog_copy import catalog_copy_tables
from jrp_shared.messaging.tables import messaging_tables

metadata = MetaData()
messaging = messaging_tables(metadata)
catalog_copy = catalog_copy_tables(metadata)
calendar_copy = calendar_copy_table(metadata)
