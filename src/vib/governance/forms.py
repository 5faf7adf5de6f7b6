"""Thin forms of the governance module."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vib.governance.models import Answer, ProcessKind, Risk, Safeguard
from vib.web.forms import TEXTBOX, DateInput
from vib.web.forms import CompactForm as StyledForm


def _functions(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


class ProcessForm(StyledForm):
    name = forms.CharField(label=_("Process, act or function"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProcessKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices, widget=forms.RadioSelect)
    functions = forms.CharField(
        label=_("Vulnerable functions"),
        required=False,
        help_text=_("Function titles, separated by commas, e.g. inkoper, vergunningverlener."),
    )
    safeguards = forms.MultipleChoiceField(
        label=_("Safeguards"),
        choices=Safeguard.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    owner = forms.CharField(label=_("Process owner"), max_length=120, required=False)
    next_review_on = forms.DateField(label=_("Next review on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["next_review_on"].initial = timezone.localdate() + timedelta(days=365)

    def clean_functions(self) -> list[str]:
        return _functions(self.cleaned_data.get("functions") or "")


class ReviewForm(ProcessForm):
    note = forms.CharField(label=_("Review note"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "kind", "description", "owner"):
            del self.fields[name]


def checklist_form(items: list[tuple[str, str, Any]], data: Any = None) -> forms.Form:
    """One radio group per (item, audience) the user answers, plus an explanation field."""

    class ChecklistForm(StyledForm):
        pass

    form = ChecklistForm(data)
    for key, label, initial in items:
        form.fields[f"{key}"] = forms.ChoiceField(
            label=label,
            choices=Answer.choices,
            widget=forms.RadioSelect,
            required=False,
            initial=initial[0] if initial else None,
        )
        form.fields[f"{key}-note"] = forms.CharField(
            label=f"{_('Explanation')}: {label}",
            required=False,
            initial=initial[1] if initial else "",
        )
        form.fields[f"{key}-note"].widget.attrs["class"] = TEXTBOX  # added after __init__
    return form
