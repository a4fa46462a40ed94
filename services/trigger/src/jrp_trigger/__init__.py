"""Trigger service.

Initiating departments post, recognise, correct and revoke list entries (DOMAIN.md §5).
"""
