"""Outbox, inbox, unit of work, relay and consumer: how state changes become events and back."""
