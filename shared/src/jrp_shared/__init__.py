"""The mesh's own library: contracts and infrastructure shared by every service.

Only infrastructure and contracts live here (envelope, event payloads, bus, outbox/inbox,
identifiers, calendar, settings, logging, HTTP plumbing). No service's domain model or ORM
tables live here; services meet only through events and published HTTP APIs.
"""
