"""Background work: telling coordinators about a new report, and the daily aftercare reminder.

E-mail is not a safe channel for case contents: the messages carry the incident reference,
the kind of step and the deadline, never names or descriptions.

Tasks run at least once (ADR 0061); their effects happen once through
``vib.operations.idempotency.run_once``:

* ``notify_new_incident`` — at most once: the effect key is claimed and the mail leaves after
  that commit (a crash in between loses the one message; the start page still shows the
  report);
* ``send_aftercare_reminders`` — once per person, organisation and day: the mail is sent inside
  the claim, so a failed send is retried by the next run. ``schedule.py`` runs it daily at 7:00;
  ``vib incidents remind`` runs it by hand.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from vib.accounts.selectors import capability_holders
from vib.conf.env import env_str
from vib.incidents import capabilities, codes, selectors
from vib.incidents.models import Incident
from vib.operations.idempotency import run_once


def site_url(path: str) -> str:
    base = getattr(settings, "VIB_SITE_URL", None) or env_str(
        "VIB_SITE_URL", "http://127.0.0.1:8000"
    )
    return base.rstrip("/") + path


def _when(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@task()
def notify_new_incident(*, incident_id: str) -> int:
    """Tell the coordinators of the organisation that an incident was reported (at most once)."""
    incident = Incident.objects.filter(pk=incident_id).select_related("organisation").first()
    if incident is None:
        return 0
    recipients = list(
        capability_holders(incident.organisation_id, capabilities.COORDINATE).order_by("email")
    )
    if not recipients:
        return 0
    first = incident.aftercare.order_by("due_at").first()
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[VIB] New incident reported: %(reference)s") % {
            "reference": incident.reference
        }
        lines = [
            _("A new incident of aggression or violence was reported for %(organisation)s.")
            % {"organisation": incident.organisation.name},
            "",
        ]
        if first is not None:
            lines.append(
                _("First contact with the person it happened to is due by %(due)s.")
                % {"due": _when(first.due_at)}
            )
        lines += [
            _("Open the incident: %(url)s")
            % {"url": site_url(reverse("incidents:detail", args=[incident.pk]))},
            "",
            _("This message leaves out the details on purpose; read them in VIB."),
        ]
    messages = [EmailMessage(subject, "\n".join(lines), to=[user.email]) for user in recipients]
    with run_once(f"incidents.notify:{incident.pk}") as new:
        if not new:
            return 0
        transaction.on_commit(lambda: [message.send() for message in messages])
    return len(messages)


@task()
def send_aftercare_reminders(*, day: str | None = None) -> int:
    """Mail every coordinator whose organisation has aftercare due or overdue (once a day)."""
    now = timezone.now()
    today = date.fromisoformat(day) if day else timezone.localdate(now)
    sent = 0
    for organisation, steps in selectors.aftercare_due_by_organisation(now=now).items():
        overdue = [step for step in steps if step.due_at < now]
        due = [step for step in steps if step.due_at >= now]
        coordinators = capability_holders(organisation.pk, capabilities.COORDINATE)
        for user in coordinators.order_by("email"):
            with run_once(f"incidents.reminder:{today}:{organisation.pk}:{user.pk}") as new:
                if new:
                    _send_reminder(user, organisation, overdue, due)
                    sent += 1
    return sent


def _send_reminder(user: Any, organisation: Any, overdue: list[Any], due: list[Any]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[VIB] Aftercare: %(overdue)d overdue, %(due)d due — %(organisation)s") % {
            "overdue": len(overdue),
            "due": len(due),
            "organisation": organisation.name,
        }
        lines = [
            _("Aftercare that needs you today, for %(organisation)s:")
            % {"organisation": organisation.name},
            "",
        ]
        for title, steps in ((_("Overdue"), overdue), (_("Due"), due)):
            if not steps:
                continue
            lines.append(f"{title}:")
            for step in steps:
                lines.append(
                    "  - "
                    + _("%(reference)s: %(step)s, due %(due)s")
                    % {
                        "reference": step.incident.reference,
                        "step": codes.label_of(codes.AftercareKind, step.kind),
                        "due": _when(step.due_at),
                    }
                )
            lines.append("")
        lines += [
            _("Your start page: %(url)s") % {"url": site_url(reverse("incidents:index"))},
            "",
            _("This message leaves out the details on purpose; read them in VIB."),
        ]
    # Sent inside the claim: a failed send rolls the claim back, so the next run tries again.
    EmailMessage(subject, "\n".join(lines), to=[user.email]).send()
