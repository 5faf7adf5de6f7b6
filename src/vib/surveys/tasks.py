"""Background work: sending invitations and reminders in batches over one SMTP connection."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.urls import reverse
from django.utils import formats, translation

from vib.surveys.models import Invitation, Wave

BATCH = 200


def _body(template: str, *, link: str, deadline: str) -> str:
    # Plain replacement: the texts are written by researchers and may contain other braces.
    return template.replace("{link}", link).replace("{deadline}", deadline)


@task()
def send_wave_mail(wave_id: str, kind: str, invitation_ids: list[str], base_url: str) -> int:
    """Send one mailing (the service has already marked the invitations as sent)."""
    wave = Wave.objects.get(pk=wave_id)
    reminder = kind == "reminder"
    subject = wave.reminder_subject if reminder else wave.invitation_subject
    template = wave.reminder_body if reminder else wave.invitation_body
    with translation.override(settings.LANGUAGE_CODE):
        deadline = formats.date_format(wave.field_end, "j F Y")
    sent = 0
    for start in range(0, len(invitation_ids), BATCH):
        chunk = invitation_ids[start : start + BATCH]
        invitations = list(
            Invitation.objects.filter(pk__in=chunk, responded=False).exclude(token="")
        )
        messages = [
            EmailMessage(
                subject=subject,
                body=_body(
                    template,
                    link=f"{base_url}{reverse('surveys:answer', args=[inv.token])}",
                    deadline=deadline,
                ),
                to=[inv.email],
            )
            for inv in invitations
        ]
        if not messages:
            continue
        mailers.default.send_messages(messages)
        sent += len(messages)
    return sent
