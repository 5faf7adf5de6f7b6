"""Background work: reminders for the yearly confirmation round and overdue declarations."""

from __future__ import annotations

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.disclosures.models import Confirmation

REMINDER_INTERVAL_DAYS = 14


@task()
def confirmation_reminders() -> int:
    """Remind everyone who has not confirmed an open round, at most every 14 days.

    The e-mail holds no register data, only a link. Returns the number of reminders sent.
    """
    today = timezone.localdate()
    sent = 0
    pending = (
        Confirmation.objects.filter(confirmed_at=None, round__due_on__gte=today)
        .select_related("declarant__user", "round")
        .select_for_update(of=("self",))
    )
    with transaction.atomic():
        for item in pending:
            user = item.declarant.user
            if user is None or not user.email:
                continue
            if (
                item.last_reminder_on
                and (today - item.last_reminder_on).days < REMINDER_INTERVAL_DAYS
            ):
                continue
            item.reminders_sent += 1
            item.last_reminder_on = today
            item.save(update_fields=["reminders_sent", "last_reminder_on"])
            address = user.email
            subject = _("Please confirm your side activities")
            body = _(
                "Please check and confirm your declared side activities in VIB before %(date)s."
            ) % {"date": item.round.due_on.isoformat()}
            transaction.on_commit(
                partial(send_mail, subject, body, None, [address], fail_silently=True)
            )
            sent += 1
    return sent
