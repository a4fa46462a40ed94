"""Appeals service.

Objections, complaints and credit repair (DOMAIN.md §7, §8).
"""
