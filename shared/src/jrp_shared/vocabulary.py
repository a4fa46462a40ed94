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


class PerformanceState(StrEnum):
    """How far a judgment debtor met the obligation when listed (DOMAIN.md §11): not at all
    or in part (a debtor who met it in full is deleted, not listed)."""

    NONE = "none"
    PARTIAL = "partial"


class NoticeChannel(StrEnum):
    """How the party was told of a finding before listing (国办发〔2020〕49号; DOMAIN.md §11)."""

    IN_PERSON = "in_person"
    POST = "post"
    ELECTRONIC = "electronic"
    ANNOUNCEMENT = "announcement"


class ListColour(StrEnum):
    RED = "red"
    BLACK = "black"
    WATCH = "watch"
    """A watch list (重点关注名单, 发改财金规〔2017〕1798号 and its 2018 follow-up; DOMAIN.md §11):
    closer supervision, valid up to 2 years; neither a reward nor a serious-dishonesty list.
    A subject on watch lists in three or more key areas goes on the big-data warning list."""


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


class ListEntryStatus(StrEnum):
    """Where a list entry stands in the loop (DOMAIN.md §5, §8)."""

    AWAITING_RECOGNITION = "awaiting_recognition"
    REJECTED = "rejected"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    """In force, but its measures are suspended while an objection or complaint is verified
    (DOMAIN.md §7); its period does not run meanwhile."""
    REVOKED = "revoked"
    EXPIRED = "expired"
    REPAIRED = "repaired"
    """Ended early by credit repair (DOMAIN.md §8)."""


class RecognitionVote(StrEnum):
    """A department's vote at a recognition meeting (002 二(二)2)."""

    APPROVE = "approve"
    REJECT = "reject"


class TargetRole(StrEnum):
    """Whom a sanction order is about: the listed subject itself or a person linked to it."""

    SUBJECT = "subject"
    LEGAL_REPRESENTATIVE = "legal_representative"
    PRINCIPAL_RESPONSIBLE_PERSON = "principal_responsible_person"
    DIRECTLY_RESPONSIBLE_PERSON = "directly_responsible_person"


class FeedbackOutcome(StrEnum):
    """Execution feedback per measure (000 (十九)): applied, not applicable (no business with
    the subject), or failed with a reason."""

    APPLIED = "applied"
    NOT_APPLICABLE = "not_applicable"
    FAILED = "failed"


class OrderState(StrEnum):
    """A sanction order's progress at one implementing department (DOMAIN.md §5 steps 3-5)."""

    ISSUED = "issued"
    RECEIVED = "received"
    FED_BACK = "fed_back"
    SUSPENDED = "suspended"
    """Its measures must not be applied while an objection or complaint is verified (§7)."""
    LIFTED = "lifted"


class LiftReason(StrEnum):
    """Why an order stopped applying (DOMAIN.md §7, §8, §11: exit notice through the same
    channel)."""

    REVOKED = "revoked"
    EXPIRED = "expired"
    CORRECTED = "corrected"
    REPAIRED = "repaired"


class CaseKind(StrEnum):
    """A due-process case against a list entry (DOMAIN.md §7)."""

    OBJECTION = "objection"
    """To the information provider, decided within 20 working days (000 (二十四))."""
    COMPLAINT = "complaint"
    """To the joint conference office after an objection's answer (002 二(三)2)."""


class CaseState(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class ObjectionOutcome(StrEnum):
    """What verification found (DOMAIN.md §7)."""

    INFORMATION_WRONG = "information_wrong"
    """The entry is corrected or revoked; the provider owes the subject restoration."""
    INFORMATION_RIGHT = "information_right"
    """The entry stays; measures resume and the period resumes from the decision date."""


class AppealOutcome(StrEnum):
    """The higher court's answer to an appeal against a dismissed correction request
    (法释〔2017〕7号 第十二条; DOMAIN.md §11)."""

    UPHELD = "upheld"
    """The request was right after all: the listing court must correct or revoke."""
    DISMISSED = "dismissed"
    """The listing stands."""


class Remedy(StrEnum):
    """How wrong information is put right through the trigger service (DOMAIN.md §7)."""

    REVOKE = "revoke"
    CORRECT = "correct"


class PartyKind(StrEnum):
    """Who acts in a due-process case: the subject (itself or through a portal) or a
    department."""

    SUBJECT = "subject"
    DEPARTMENT = "department"


class RepairRoute(StrEnum):
    """How a subject earned repair (DOMAIN.md §8)."""

    CORRECTION = "correction"
    """The behaviour was corrected and obligations met (000 (二十三))."""
    PUBLIC_INTEREST_SERVICE = "public_interest_service"
    """Individuals only, where the list type allows it (000 (二十三))."""


class RepairState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class PublicityKind(StrEnum):
    """DOMAIN.md §9, §12: the two kinds of decision double publicity (双公示) publishes."""

    LICENCE = "licence"
    PENALTY = "penalty"


class LicenceCategory(StrEnum):
    """DOMAIN.md §12: 许可类别 — ordinary, special, approval, verification, registration, other."""

    ORDINARY = "ordinary"
    SPECIAL = "special"
    APPROVAL = "approval"
    VERIFICATION = "verification"
    REGISTRATION = "registration"
    OTHER = "other"


class PenaltyType(StrEnum):
    """DOMAIN.md §12: 处罚类别."""

    WARNING = "warning"
    FINE = "fine"
    CONFISCATION = "confiscation"
    """Confiscation of illegal gains or property (没收违法所得、没收非法财物)."""
    LICENCE_SUSPENSION_OR_REVOCATION = "licence_suspension_or_revocation"
    DETENTION = "detention"
    OTHER = "other"


class DishonestySeverity(StrEnum):
    """DOMAIN.md §11 (国办发〔2025〕22号, NDRC Order No. 36): a penalty's tier, which sets how long
    it is published — minor: may be left unpublished, at most 3 months; general: 3 months to
    1 year; serious: 1 to 3 years."""

    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


class PublicationEnd(StrEnum):
    """Why a published record stopped being shown before its publication period ended."""

    REPAIRED = "repaired"
    REVOKED = "revoked"


class CheckPurpose(StrEnum):
    """The decision a must-check or an authorised credit query is made for (DOMAIN.md §6,
    000 (二十一), 004 三(一))."""

    LICENSING = "licensing"
    APPROVAL = "approval"
    QUALIFICATION = "qualification"
    HONOUR = "honour"
    SUBSIDY = "subsidy"
    PROCUREMENT = "procurement"
    TENDER = "tender"
    INSPECTION = "inspection"


class ReminderLevel(StrEnum):
    """How far supervision has gone with something past due (DOMAIN.md §5 step 5, 000 (二十七))."""

    REMINDER = "reminder"
    """To the department that must act: its working-day deadline has passed."""
    ESCALATION = "escalation"
    """To the joint conference office: still not done a further period after the reminder."""


class OverdueKind(StrEnum):
    """What is past due: an order's receipt or feedback (enforcement), or a due-process case or
    repair application's decision (appeals)."""

    RECEIPT = "receipt"
    FEEDBACK = "feedback"
    OBJECTION = "objection"
    COMPLAINT = "complaint"
    OBJECTION_APPEAL = "objection_appeal"
    REPAIR = "repair"


class ExchangeOperation(StrEnum):
    """What an exchange record tells the other platforms about an entry (DOMAIN.md §11: results
    pushed to the other platforms within 3 working days; 000 (十九), 003 三(三)4(3))."""

    ENTRY = "entry"
    """The entry came into force."""
    CORRECTION = "correction"
    REVOCATION = "revocation"
    REPAIR = "repair"
    EXIT = "exit"
    """The entry's period ended (exit, 发改财金规〔2017〕1798号)."""
