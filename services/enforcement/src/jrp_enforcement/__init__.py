"""Enforcement service.

Fans list entries out to implementing departments, collects feedback and answers
the must-check query (DOMAIN.md §5, §6).
"""
