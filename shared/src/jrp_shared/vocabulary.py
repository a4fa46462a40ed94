"""The domain's shared vocabulary (DOMAIN.md §1), as the values that cross service boundaries."""

from __future__ import annotations

from enum import StrEnum


class SubjectType(StrEnum):
    """DOMAIN.md §3: the four kinds of credit subject."""

    LEGAL_PERSON = "legal_person"
    OTHER_ORGANISATION = "other_organisation"
    INDIVIDUAL_BUSINESS = "individual_business"
    NATURAL_PERSON = "natural_person"


class LinkedPersonRole(StrEnum):
    """DOMAIN.md §3: people behind an organisation whom its serious dishonesty also reaches."""

    LEGAL_REPRESENTATIVE = "legal_representative"
    PRINCIPAL_RESPONSIBLE_PERSON = "principal_responsible_person"
    DIRECTLY_RESPONSIBLE_PERSON = "directly_responsible_person"


class ListColour(StrEnum):
    RED = "red"
    BLACK = "black"


class MeasureKind(StrEnum):
    REWARD = "reward"
    PUNISHMENT = "punishment"


class LawfulArea(StrEnum):
    """DOMAIN.md §11 (国办发〔2020〕49号): the only four areas that may ground a black list."""

    HEALTH_AND_LIFE = "health-and-life"
    FAIR_MARKET_AND_SOCIAL_ORDER = "fair-market-and-social-order"
    LEGAL_OBLIGATIONS = "legal-obligations"
    NATIONAL_DEFENCE = "national-defence"


class DepartmentLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


class DisclosureClass(StrEnum):
    """DOMAIN.md §3 (000 (四)): who may see a credit record."""

    PUBLIC = "public"
    AUTHORISED_QUERY = "authorised_query"
    GOVERNMENT_SHARING = "government_sharing"
