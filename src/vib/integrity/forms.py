"""Thin forms; the services validate again and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vib.integrity import codes, selectors
from vib.organisations.models import Tier
from vib.web.forms import StyledForm
from vib.web.once import SubmitOnceMixin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


FILES_HELP = _(
    "Optional. At most 5 files of 10 MB (PDF, image, text or office document). Files can "
    "contain hidden details about their author, such as a name: remove them if you want to "
    "stay anonymous."
)


class IntakeForm(SubmitOnceMixin, StyledForm):
    case_type = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[
            (codes.CaseType.REPORT, _("Report a suspected violation or wrong")),
            (codes.CaseType.ADVICE, _("Ask for advice about a possible violation")),
        ],
        initial=codes.CaseType.REPORT,
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(label=_("How do you want to report?"), widget=forms.RadioSelect)
    summary = forms.CharField(
        label=_("What happened?"),
        help_text=_("Describe what happened, when and where, and who was involved."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
    )
    name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"), required=False)
    phone = forms.CharField(label=_("Your telephone number"), required=False, max_length=30)
    # The form metaclass moves declared fields to base_fields, so self.files stays the uploads.
    files = MultipleFileField(label=_("Files"), help_text=FILES_HELP)  # type: ignore[assignment]
    wants_adviser = forms.BooleanField(
        label=_("Let a confidential adviser follow my report"),
        required=False,
        help_text=_("The adviser sees only what you choose to share with them."),
    )

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        help_texts: dict[str, Promise] = {
            codes.Channel.ANONYMOUS: _("Anonymous: nobody learns who you are."),
            codes.Channel.CONFIDENTIAL: _(
                "Confidential: only the designated handler can see who you are."
            ),
            codes.Channel.NAMED: _("Named: the case team knows who you are."),
        }
        self.fields["channel"].choices = [(c, help_texts[c]) for c in channels]  # type: ignore[attr-defined]
        if channels:
            self.fields["channel"].initial = channels[0]


class CodeForm(StyledForm):
    code = forms.CharField(
        label=_("Your receipt code"),
        help_text=_("The code you received when you made your report, e.g. ABCD-EFGH-…"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class MailboxMessageForm(StyledForm):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        required=False,
    )
    # The form metaclass moves declared fields to base_fields, so self.files stays the uploads.
    files = MultipleFileField(label=_("Files"), help_text=FILES_HELP)  # type: ignore[assignment]
    to_adviser = forms.BooleanField(
        label=_("Share this message with the confidential adviser"), required=False
    )


class HandlerMessageForm(StyledForm):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000
    )
    to_reporter = forms.BooleanField(
        label=_("Send to the reporter"),
        required=False,
        help_text=_("Leave unticked for an internal note the reporter does not see."),
    )
    is_question = forms.BooleanField(label=_("This is a question to the reporter"), required=False)
    to_adviser = forms.BooleanField(label=_("Share with the confidential adviser"), required=False)
    # The form metaclass moves declared fields to base_fields, so self.files stays the uploads.
    files = MultipleFileField(label=_("Files"))  # type: ignore[assignment]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *[(v, label) for v, label in choices if v]]


class ClassifyForm(StyledForm):
    category = forms.ModelChoiceField(
        label=_("Category of violation"), queryset=selectors.categories(), required=False
    )
    subject_kind = forms.ChoiceField(label=_("Subject"), choices=codes.SubjectKind.choices)
    subject_function = forms.CharField(
        label=_("Function of the subject"), required=False, max_length=100
    )
    subject_tier = forms.ChoiceField(
        label=_("Tier of the subject"), choices=codes.SubjectTier.choices
    )
    vulnerable_process = forms.ChoiceField(
        label=_("Vulnerable process"), choices=codes.VulnerableProcess.choices, required=False
    )
    triage = forms.ChoiceField(
        label=_("Triage outcome"), choices=_blank(codes.Triage.choices), required=False
    )
    investigation = forms.ChoiceField(
        label=_("Investigation"), choices=_blank(codes.InvestigationKind.choices), required=False
    )
    finding = forms.ChoiceField(
        label=_("Finding"), choices=_blank(codes.Finding.choices), required=False
    )
    aangifte = forms.NullBooleanField(label=_("Criminal complaint (aangifte) made"), required=False)


class TransitionForm(StyledForm):
    target = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("On acknowledgement and closure this note is sent to the reporter."),
    )

    def __init__(self, *args: Any, targets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(t, codes.Status(t).label) for t in targets]  # type: ignore[attr-defined]


class ForwardForm(StyledForm):
    authority = forms.ChoiceField(label=_("Outside authority"), choices=codes.Authority.choices)
    note = forms.CharField(label=_("Note to the reporter"), required=False, max_length=1000)


class RevealForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for showing the identity"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the case and the audit log."),
    )


class TeamForm(StyledForm):
    member: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(label=_("Role in the case"), choices=codes.MemberRole.choices)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = candidates  # type: ignore[attr-defined]


class MeasureForm(StyledForm):
    measure: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Measure"), queryset=None)

    def __init__(self, *args: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures  # type: ignore[attr-defined]


class RecordForm(SubmitOnceMixin, StyledForm):
    """An oral report, recorded by a handler."""

    case_type = forms.ChoiceField(
        label=_("Type"),
        choices=codes.CaseType.choices,
        widget=forms.RadioSelect,
        initial=codes.CaseType.REPORT,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=codes.Channel.choices, widget=forms.RadioSelect
    )
    minutes = forms.CharField(
        label=_("Minutes of the conversation"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
    )
    name = forms.CharField(label=_("Name of the reporter"), required=False, max_length=200)
    email = forms.EmailField(label=_("E-mail address of the reporter"), required=False)
    phone = forms.CharField(
        label=_("Telephone number of the reporter"), required=False, max_length=30
    )


def _years() -> list[tuple[int, int]]:
    this = timezone.localdate().year
    return [(y, y) for y in range(this, this - 6, -1)]


class ReportForm(StyledForm):
    jaar = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_years)
    schaal = forms.ChoiceField(
        label=_("Scope"),
        choices=[
            ("organisatie", _("My organisation")),
            ("bestuurslaag", _("A tier of government")),
            ("landelijk", _("National")),
        ],
        initial="organisatie",
    )
    bestuurslaag = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, required=False)
    formaat = forms.ChoiceField(
        label=_("Format"),
        choices=[("html", _("Web page")), ("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("pdf", "PDF")],
        initial="html",
    )

    def clean_jaar(self) -> int:
        value = self.cleaned_data["jaar"]
        if value > timezone.localdate().year:
            raise forms.ValidationError(_("Choose a year that has begun."))
        return value
