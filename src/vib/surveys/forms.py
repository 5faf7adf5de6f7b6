"""Thin forms for the researcher's pages (the questionnaire pages are rendered from YAML)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vib.surveys.questionnaires import latest_instruments
from vib.surveys.services import default_texts


def _instrument_choices() -> list[tuple[str, str]]:
    return [(i.key, f"{i.title} ({i.version})") for i in latest_instruments().values()]


class WaveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    edition = forms.IntegerField(label=_("Edition year"), min_value=2000, max_value=2100)
    field_start = forms.DateField(
        label=_("Field period starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    field_end = forms.DateField(
        label=_("Field period ends"), widget=forms.DateInput(attrs={"type": "date"})
    )
    instruments = forms.MultipleChoiceField(
        label=_("Questionnaires"), choices=_instrument_choices, widget=forms.CheckboxSelectMultiple
    )
    invitation_subject = forms.CharField(label=_("Invitation subject"), max_length=200)
    invitation_body = forms.CharField(
        label=_("Invitation text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("{link} becomes the personal link, {deadline} the last day."),
    )
    reminder_subject = forms.CharField(label=_("Reminder subject"), max_length=200)
    reminder_body = forms.CharField(
        label=_("Reminder text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("{link} becomes the personal link, {deadline} the last day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["edition"].initial = today.year
        self.fields["field_start"].initial = today
        self.fields["field_end"].initial = today + dt.timedelta(days=42)
        self.fields["instruments"].initial = [key for key, _label in _instrument_choices()]
        for name, text in default_texts().items():
            self.fields[name].initial = text


# A frame of 200,000 people at ~100 bytes a line; larger files are refused before reading.
MAX_FRAME_BYTES = 20 * 1024 * 1024


class FrameUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Frame file (CSV)"),
        help_text=_("Columns: instrument, email, tier, organisation, function, gender."),
        error_messages={
            "required": _("Choose a CSV file to import."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_FRAME_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB.") % {"max": MAX_FRAME_BYTES // 2**20}
            )
        return file
