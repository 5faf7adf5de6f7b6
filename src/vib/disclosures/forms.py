"""Thin forms: they parse input; the services validate the rules and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vib.disclosures.models import (
    Decision,
    GiftDisposition,
    InterestHolder,
    InterestKind,
    InterestOccasion,
    InterestStatus,
    Office,
    kvk_validator,
)
from vib.web import forms as web_forms

DATE = web_forms.DateInput()
StyledForm = web_forms.CompactForm  # declarations are short


class ActivityForm(StyledForm):
    role = forms.CharField(
        label=_("Your role"), max_length=120, help_text=_("E.g. chair, board member, adviser.")
    )
    body = forms.CharField(label=_("Organisation or body"), max_length=200)
    kvk_number = forms.CharField(
        label=_("KvK number"),
        max_length=8,
        required=False,
        validators=[kvk_validator],
        help_text=_("The 8-digit number in the Chamber of Commerce register."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    by_virtue_of_office = forms.BooleanField(
        label=_("I hold this function by virtue of my office (q.q.)"), required=False
    )
    paid = forms.BooleanField(label=_("This function is paid"), required=False)
    hours_per_month = forms.DecimalField(
        label=_("Hours per month"),
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=1,
    )
    intention = forms.BooleanField(
        label=_("I intend to take this up (not yet started)"), required=False
    )
    council_informed_on = forms.DateField(
        label=_("Council informed on (wethouders)"), required=False, widget=DATE
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE)


class RegisterForm(StyledForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea, required=False)


class AssessForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Assessment"), choices=Decision.choices, widget=forms.RadioSelect
    )
    restrictions = forms.CharField(
        label=_("Restrictions"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Only for 'allowed with restrictions'; these are published."),
    )
    note = forms.CharField(label=_("Internal note"), widget=forms.Textarea, required=False)


class IncomeForm(StyledForm):
    year = forms.IntegerField(label=_("Calendar year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("Income in euros"), min_value=Decimal(0), max_digits=10, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1


class EndForm(StyledForm):
    end_date = forms.DateField(label=_("End date"), widget=DATE)


class InterestForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of interest"), choices=InterestKind.choices)
    holder = forms.ChoiceField(
        label=_("Held by"), choices=InterestHolder.choices, widget=forms.RadioSelect
    )
    occasion = forms.ChoiceField(
        label=_("Reason for this declaration"),
        choices=InterestOccasion.choices,
        widget=forms.RadioSelect,
    )
    counterparty = forms.CharField(
        label=_("Company or counterparty"), max_length=200, required=False
    )
    kvk_number = forms.CharField(
        label=_("KvK number"), max_length=8, required=False, validators=[kvk_validator]
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea,
        help_text=_("Only the compliance officer reads this. It is stored encrypted."),
    )


class InterestAssessForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Assessment"),
        choices=[
            (InterestStatus.NO_CONFLICT.value, InterestStatus.NO_CONFLICT.label),
            (InterestStatus.MEASURES.value, InterestStatus.MEASURES.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Explanation or measures"), widget=forms.Textarea, required=False
    )


class GiftForm(StyledForm):
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    description = forms.CharField(label=_("Gift or invitation"), max_length=200)
    giver = forms.CharField(label=_("Given by"), max_length=200)
    estimated_value = forms.DecimalField(
        label=_("Estimated value in euros"),
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        help_text=_("Gifts above €50 are registered; for office holders they are published."),
    )
    disposition = forms.ChoiceField(label=_("What happened to it"), choices=GiftDisposition.choices)


class DeclarantForm(StyledForm):
    name = forms.CharField(label=_("Name as published"), max_length=200)
    email = forms.EmailField(label=_("E-mail address of their VIB account"), required=False)
    office = forms.ChoiceField(label=_("Office"), choices=Office.choices)
    function = forms.CharField(label=_("Main function"), max_length=120)
    designated_function = forms.ChoiceField(
        label=_("Designated function"), choices=[], required=False
    )
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DATE)

    def __init__(self, *args: Any, functions: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["designated_function"].choices = [("", "—"), *functions]  # type: ignore[attr-defined]


class DesignatedFunctionForm(StyledForm):
    name = forms.CharField(label=_("Function"), max_length=120)
    reason = forms.CharField(label=_("Why it is designated"), widget=forms.Textarea, required=False)
    designated_on = forms.DateField(label=_("Designated on"), widget=DATE)


class PublicDateForm(forms.Form):
    peildatum = forms.DateField(label=_("Register as it stood on"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["peildatum"].widget.attrs["class"] = (
            "utrecht-textbox utrecht-textbox--html-input"
        )
