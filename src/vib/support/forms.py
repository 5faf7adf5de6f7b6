"""Thin forms of the support desk: input shape only; the rules are in ``services``.

Choice querysets come in from the views (from ``vib.access.support``), never from a manager.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vib.support import codes
from vib.web.forms import StyledForm
from vib.web.once import SubmitOnceMixin


class DateInput(forms.DateInput):
    input_type = "date"


class HelpRequestForm(SubmitOnceMixin, StyledForm):
    theme = forms.ChoiceField(
        label=_("What is it about?"), choices=codes.Theme.choices, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=codes.Urgency.choices,
        widget=forms.RadioSelect,
        initial=codes.Urgency.NORMAL,
    )
    description = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "A few sentences are enough. Only the support team member who takes your "
            "request on will read this."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    function = forms.ChoiceField(label=_("Your office"), choices=codes.Function.choices)
    contact = forms.ChoiceField(
        label=_("How may we contact you?"),
        choices=codes.Contact.choices,
        widget=forms.RadioSelect,
        initial=codes.Contact.PHONE,
    )
    contact_details = forms.CharField(
        label=_("Phone number or e-mail address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    wants_scan = forms.BooleanField(label=_("I would like a home-security scan"), required=False)
    wants_allowance = forms.BooleanField(
        label=_("I would like to apply for the home-security allowance"), required=False
    )

    def __init__(self, *args: Any, on_behalf_choices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if on_behalf_choices is not None:
            self.fields["office_holder"] = forms.ModelChoiceField(
                label=_("On behalf of"),
                help_text=_("Leave empty to ask for yourself."),
                queryset=on_behalf_choices,
                required=False,
                widget=forms.Select,
            )
            self.order_fields(["office_holder"])


class MessageForm(StyledForm):
    text = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class TeamMessageForm(MessageForm):
    id_prefix = "msg_"
    internal = forms.BooleanField(
        label=_("Team only (not shown to the office holder)"), required=False
    )
    records_contact = forms.BooleanField(
        label=_("This records contact with the office holder"), required=False
    )


class MemberForm(StyledForm):
    id_prefix = "member_"
    member: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Who"), queryset=None)

    def __init__(self, *args: Any, members: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: (  # type: ignore[attr-defined]
            f"{m.user} — {m.get_expertise_display() if m.expertise else m.get_role_display()}"
            f" ({m.team})"
        )
        if label:
            field.label = label


class PlanActionForm(StyledForm):
    id_prefix = "action_"
    description = forms.CharField(
        label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), widget=DateInput())
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Who"), queryset=None, required=False
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ReferralForm(StyledForm):
    id_prefix = "referral_"
    target = forms.ChoiceField(
        label=_("Refer to"), choices=codes.ReferralTarget.choices, widget=forms.RadioSelect
    )
    shared_summary = forms.CharField(
        label=_("What the organisation will be told"),
        help_text=_(
            "The office holder reads exactly this text before consenting. Nothing else "
            "of the conversation is shared."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class ConsentForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("consent", _("Yes, I consent")), ("decline", _("No, I do not consent"))],
        widget=forms.RadioSelect,
    )


class CloseForm(StyledForm):
    id_prefix = "close_"
    note = forms.CharField(label=_("Closing note"), required=False, max_length=300)


class RatingForm(StyledForm):
    id_prefix = "rating_"
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the support you received?"),
        coerce=int,
        choices=[
            (5, _("5 — very satisfied")),
            (4, _("4 — satisfied")),
            (3, _("3 — neutral")),
            (2, _("2 — dissatisfied")),
            (1, _("1 — very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )


class HomeSecurityForm(StyledForm):
    id_prefix = "home_"
    wants_scan = forms.BooleanField(label=_("A home-security scan"), required=False)
    wants_allowance = forms.BooleanField(label=_("The home-security allowance"), required=False)


class ScanForm(StyledForm):
    id_prefix = "scan_"
    scan_on = forms.DateField(label=_("Scan carried out on"), widget=DateInput())
    advice = forms.CharField(
        label=_("Advice of the scan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class MeasureForm(StyledForm):
    id_prefix = "measure_"
    description = forms.CharField(label=_("Measure"), max_length=500)
    amount = forms.DecimalField(
        label=_("Amount approved (euros)"),
        max_digits=9,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class PaymentForm(StyledForm):
    id_prefix = "pay_"
    amount = forms.DecimalField(
        label=_("Amount paid (euros)"),
        max_digits=9,
        decimal_places=2,
        min_value=0.01,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())


class LibrarySearchForm(StyledForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *codes.InstrumentKind.choices],
    )
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *codes.Theme.choices]
    )


class InstrumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=codes.InstrumentKind.choices)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("General")), *codes.Theme.choices]
    )
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    summary_nl = forms.CharField(
        label=_("Summary (Dutch)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    body_nl = forms.CharField(
        label=_("Text (Dutch)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    body_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    published = forms.BooleanField(label=_("Published"), required=False, initial=True)


class StatisticsForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]  # type: ignore[attr-defined]
