"""Code lists of the integrity module: statuses, channels, outcomes, authorities, retaliation.

The typology of violations is a *versioned* code list in the database
(``ViolationCategory``), loaded by a data migration, so another typology can be added and
mapped without a release. Everything here is fixed by law or by the workflow.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseType(models.TextChoices):
    REPORT = "report", _("Report")
    ADVICE = "advice", _("Advice request")


class Channel(models.TextChoices):
    NAMED = "named", _("Named")
    CONFIDENTIAL = "confidential", _("Confidential")
    ANONYMOUS = "anonymous", _("Anonymous")


class Form(models.TextChoices):
    WRITTEN = "written", _("In writing")
    ORAL = "oral", _("Oral (minutes)")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    TRIAGE = "triage", _("Triage")
    INVESTIGATION = "investigation", _("Investigation")
    FINDING = "finding", _("Finding")
    MEASURES = "measures", _("Measures")
    CLOSED = "closed", _("Closed")


class Triage(models.TextChoices):
    OUTSIDE_SCOPE = "outside_scope", _("Outside scope")
    ADVICE_ONLY = "advice_only", _("Advice only")
    FORWARD = "forward", _("Forward to an outside authority")
    INQUIRY = "inquiry", _("Preliminary inquiry")


class InvestigationKind(models.TextChoices):
    INTERNAL = "internal", _("Internal investigator")
    EXTERNAL = "external", _("External investigator")


class Finding(models.TextChoices):
    FOUNDED = "founded", _("Founded")
    UNFOUNDED = "unfounded", _("Unfounded")
    NOT_ESTABLISHED = "not_established", _("Cannot be established")


class Outcome(models.TextChoices):
    """What a closed case came to; retention periods are set per outcome."""

    FOUNDED = "founded", _("Violation established")
    UNFOUNDED = "unfounded", _("Unfounded or not established")
    NO_INVESTIGATION = "no_investigation", _("Closed without investigation")


class Authority(models.TextChoices):
    """Competent outside authorities of the whistleblower law."""

    ACM = "acm", "ACM"
    AFM = "afm", "AFM"
    ANVS = "anvs", "ANVS"
    AP = "ap", "AP"
    DNB = "dnb", "DNB"
    IGJ = "igj", "IGJ"
    NVWA = "nvwa", "NVWA"
    NZA = "nza", "NZa"
    HUIS = "huis", _("Whistleblowers Authority (Huis voor Klokkenluiders)")


class SubjectKind(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    OFFICE_HOLDER = "office_holder", _("Political office holder")
    UNKNOWN = "unknown", _("Unknown")


class SubjectTier(models.TextChoices):
    TOP = "top", _("Top management")
    MIDDLE = "middle", _("Middle management")
    STAFF = "staff", _("Staff")
    UNKNOWN = "unknown", _("Unknown")


class VulnerableProcess(models.TextChoices):
    NONE = "", _("None or unknown")
    PROCUREMENT = "procurement", _("Procurement")
    PERMITS = "permits", _("Permits and licences")
    ENFORCEMENT = "enforcement", _("Supervision and enforcement")
    SUBSIDIES = "subsidies", _("Grants and subsidies")
    FINANCE = "finance", _("Payments and finance")
    INFORMATION = "information", _("Confidential information")
    HR = "hr", _("Recruitment and personnel")


class MeasureCategory(models.TextChoices):
    """The measure categories of the Rijk's yearly operations report."""

    DISMISSAL = "dismissal", _("Dismissal")
    REPRIMAND = "reprimand", _("Reprimand")
    TRANSFER = "transfer", _("Transfer")
    OTHER = "other", _("Other measure")
    NONE = "none", _("No measure")


class MemberRole(models.TextChoices):
    HANDLER = "handler", _("Handler")
    INVESTIGATOR = "investigator", _("Investigator")
    ADVISER = "adviser", _("Confidential adviser")


class Author(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    HANDLER = "handler", _("Handler")
    ADVISER = "adviser", _("Confidential adviser")
    SYSTEM = "system", _("System")


class ExclusionReason(models.TextChoices):
    NAMED = "named", _("Named in the report")
    CONFLICT = "conflict", _("Declared a conflict of interest")


class RevealKind(models.TextChoices):
    REVEAL = "reveal", _("Shown to the designated handler")
    FORCED = "forced", _("Legally forced disclosure")


class Retaliation(models.TextChoices):
    """Forms of retaliation listed in Article 19 of Directive (EU) 2019/1937."""

    SUSPENSION = "suspension", _("Suspension, lay-off or dismissal")
    DEMOTION = "demotion", _("Demotion or withholding of promotion")
    TRANSFER = "transfer", _("Transfer of duties, change of location or working hours")
    PAY = "pay", _("Reduction in wages")
    TRAINING = "training", _("Withholding of training")
    ASSESSMENT = "assessment", _("Negative performance assessment or reference")
    DISCIPLINARY = "disciplinary", _("Disciplinary measure, reprimand or financial penalty")
    INTIMIDATION = "intimidation", _("Coercion, intimidation, harassment or ostracism")
    DISCRIMINATION = "discrimination", _("Discrimination or unfair treatment")
    NON_CONVERSION = "non_conversion", _("No conversion of a temporary into a permanent contract")
    NON_RENEWAL = "non_renewal", _("Non-renewal or early termination of a temporary contract")
    HARM = "harm", _("Harm, including to reputation (in particular on social media)")
    BLACKLISTING = "blacklisting", _("Blacklisting within a sector or industry")
    CONTRACT = (
        "contract",
        _("Early termination or cancellation of a contract for goods or services"),
    )
    LICENCE = "licence", _("Cancellation of a licence or permit")
    MEDICAL = "medical", _("Psychiatric or medical referrals")


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]
