"""Forms of incident registration. Thin: they parse input; the services validate and write.

No form touches a model manager: choices (units, people, perpetrators) come from the view,
which gets them from the access layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from vib.incidents import codes
from vib.incidents.evidence import MAX_FILES, max_bytes
from vib.web import forms as web_forms
from vib.web.forms import DateInput
from vib.web.once import SubmitOnceMixin

ACCEPTED_FILES = "image/png,image/jpeg,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"


class StyledForm(web_forms.StyledForm):
    """Rendered by ``incidents/_fields.html``."""

    template_name = "incidents/_fields.html"


def _files_help_text() -> str:
    return _("PNG, JPEG, WebP, HEIC or PDF, at most %(limit)d MB each.") % {
        "limit": max_bytes() // 2**20
    }


files_help = lazy(_files_help_text, str)  # the limit is a setting: read it when shown


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the content check happens in the service."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", files_help())
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": ACCEPTED_FILES})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [file for file in files if file]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Upload at most %(max)d files at a time.") % {"max": MAX_FILES}
            )
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


def _combine(day: date | None, moment: time | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, moment or time(12, 0)))


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _choices(field: forms.Field, choices: Iterable[tuple[Any, Any]]) -> None:
    cast(forms.ChoiceField, field).choices = list(choices)


# --- reporting ---------------------------------------------------------------------------------


class ReportForm(SubmitOnceMixin, StyledForm):
    """The two-minute report: what, when, where, how serious, who, evidence."""

    on_behalf_of = forms.ChoiceField(
        label=_("Who did it happen to?"),
        required=False,
        help_text=_("Leave empty when it happened to you."),
    )
    victim_name = forms.CharField(
        label=_("Or the name of someone without a VIB account"),
        required=False,
        max_length=200,
    )
    victim_group = forms.ChoiceField(
        label=_("In which role?"),
        choices=codes.VictimGroup.choices,
        initial=codes.VictimGroup.EMPLOYEE,
        widget=forms.RadioSelect,
    )
    types = forms.MultipleChoiceField(
        label=_("What happened?"),
        choices=codes.IncidentType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose everything that applies."),
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    occurred_time = forms.TimeField(
        label=_("Time"), required=False, widget=TimeInput(), help_text=_("Roughly is fine.")
    )
    channel = forms.ChoiceField(
        label=_("How did it reach you?"), choices=codes.Channel.choices, widget=forms.RadioSelect
    )
    platform = forms.ChoiceField(
        label=_("Which platform?"),
        required=False,
        choices=_blank(_("(not on social media)")) + list(codes.Platform.choices),
        help_text=_("Only for social media."),
    )
    place_kind = forms.ChoiceField(
        label=_("Where?"), choices=codes.PlaceKind.choices, widget=forms.RadioSelect
    )
    location = forms.CharField(
        label=_("Place or address"),
        required=False,
        max_length=200,
        help_text=_("E.g. the counter of the town hall, or the link to the post."),
    )
    severity = forms.ChoiceField(
        label=_("How serious did it feel?"),
        choices=codes.Severity.choices,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("What happened, in your own words"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    perpetrator_kind = forms.ChoiceField(
        label=_("Do you know who did it?"),
        choices=codes.PerpetratorKind.choices,
        initial=codes.PerpetratorKind.UNKNOWN,
        widget=forms.RadioSelect,
    )
    perpetrator_category = forms.ChoiceField(
        label=_("Who was it?"),
        choices=codes.PerpetratorCategory.choices,
        initial=codes.PerpetratorCategory.UNKNOWN,
        widget=forms.RadioSelect,
    )
    perpetrator_description = forms.CharField(
        label=_("Name or description, if known"), required=False, max_length=300
    )
    unit = forms.ChoiceField(label=_("Your unit"), required=False)
    evidence = MultipleFileField(label=_("Evidence (screenshots, photos, PDF)"))

    def __init__(
        self,
        *args: Any,
        people: Iterable[tuple[Any, str]] | None = None,
        units: Iterable[tuple[Any, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()
        self.fields["occurred_time"].initial = timezone.localtime().strftime("%H:%M")
        _choices(self.fields["unit"], _blank(_("(unknown)")) + [(str(k), v) for k, v in units])
        if people is None:
            del self.fields["on_behalf_of"]
            del self.fields["victim_name"]
        else:
            _choices(
                self.fields["on_behalf_of"], _blank(_("(me)")) + [(str(k), v) for k, v in people]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["occurred_at"] = _combine(data.get("occurred_on"), data.get("occurred_time"))
        return data


# --- the list ----------------------------------------------------------------------------------


# Period bounds: beyond them date arithmetic (the day after 9999-12-31) overflows, and no
# incident lies there anyway.
PERIOD_FIRST, PERIOD_LAST = date(1900, 1, 1), date(2100, 12, 31)


class PeriodDateField(forms.DateField):
    """A date that starts or ends a period, between 1900 and 2100."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not PERIOD_FIRST <= value <= PERIOD_LAST:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": PERIOD_FIRST.year, "last": PERIOD_LAST.year},
            )


class FilterForm(StyledForm):
    """The filters of the handlers' list and the export (GET parameters, Dutch names)."""

    zoek = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("All")) + list(codes.Status.choices)
    )
    soort = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=_blank(_("All")) + list(codes.IncidentType.choices),
    )
    kanaal = forms.ChoiceField(
        label=_("Channel"), required=False, choices=_blank(_("All")) + list(codes.Channel.choices)
    )
    ernst = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=_blank(_("All")) + list(codes.Severity.choices),
    )
    groep = forms.ChoiceField(
        label=_("Victim group"),
        required=False,
        choices=_blank(_("All")) + list(codes.VictimGroup.choices),
    )
    eenheid = forms.ChoiceField(label=_("Unit"), required=False)
    nazorg = forms.ChoiceField(
        label=_("Aftercare"),
        required=False,
        choices=[("", _("All")), ("open", _("open")), ("overdue", _("overdue"))],
    )
    vanaf = PeriodDateField(label=_("From"), required=False, widget=DateInput())
    tot = PeriodDateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, units: Iterable[tuple[Any, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["eenheid"], _blank(_("All")) + [(str(k), v) for k, v in units])


class PeriodForm(StyledForm):
    vanaf = PeriodDateField(label=_("From"), widget=DateInput())
    tot = PeriodDateField(label=_("Until"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("vanaf"), data.get("tot")
        if since and until and since > until:
            raise forms.ValidationError(_("The start lies after the end."))
        return data


# --- handling ----------------------------------------------------------------------------------


class FactsForm(StyledForm):
    types = forms.MultipleChoiceField(
        label=_("Incident types"),
        choices=codes.IncidentType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    occurred_time = forms.TimeField(label=_("Time"), required=False, widget=TimeInput())
    channel = forms.ChoiceField(label=_("Channel"), choices=codes.Channel.choices)
    platform = forms.ChoiceField(
        label=_("Social-media platform"),
        required=False,
        choices=_blank(_("(not on social media)")) + list(codes.Platform.choices),
    )
    place_kind = forms.ChoiceField(label=_("Place"), choices=codes.PlaceKind.choices)
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    severity = forms.ChoiceField(label=_("How serious it felt"), choices=codes.Severity.choices)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    damage_amount = forms.DecimalField(
        label=_("Material damage (euros)"), required=False, min_value=0, decimal_places=2
    )
    recovery_claimed = forms.DecimalField(
        label=_("Damages claimed (euros)"), required=False, min_value=0, decimal_places=2
    )
    recovery_received = forms.DecimalField(
        label=_("Damages recovered (euros)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args: Any, units: Iterable[tuple[Any, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], _blank(_("(unknown)")) + [(str(k), v) for k, v in units])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["occurred_at"] = _combine(data.get("occurred_on"), data.get("occurred_time"))
        return data


class VictimForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    group = forms.ChoiceField(label=_("Role"), choices=codes.VictimGroup.choices)
    function = forms.CharField(label=_("Function"), required=False, max_length=100)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    injury = forms.BooleanField(label=_("Injured"), required=False)
    sick_leave_days = forms.IntegerField(
        label=_("Sick-leave days"), required=False, min_value=0, max_value=3660
    )
    emotional_impact = forms.ChoiceField(
        label=_("Emotional impact"),
        required=False,
        choices=_blank(_("(not known)")) + list(codes.EmotionalImpact.choices),
    )
    job_satisfaction_affected = forms.BooleanField(
        label=_("Job satisfaction affected"), required=False
    )
    influence_on_decisions = forms.BooleanField(
        label=_("Influenced decisions or behaviour"), required=False
    )
    behaviour_change = forms.CharField(
        label=_("How (e.g. avoids social media)"), required=False, max_length=200
    )

    def __init__(
        self,
        *args: Any,
        units: Iterable[tuple[Any, str]] = (),
        name_required: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], _blank(_("(unknown)")) + [(str(k), v) for k, v in units])
        self.fields["name"].required = name_required


class WitnessForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    contact = forms.CharField(label=_("Contact details"), required=False, max_length=200)
    statement = forms.CharField(
        label=_("Statement"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PerpetratorForm(StyledForm):
    kind = forms.ChoiceField(label=_("Known or unknown"), choices=codes.PerpetratorKind.choices)
    category = forms.ChoiceField(label=_("Who"), choices=codes.PerpetratorCategory.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)


class LinkForm(StyledForm):
    """Link a perpetrator to the repeat-perpetrator register (coordinators only)."""

    perpetrator = forms.ChoiceField(label=_("Perpetrator of this incident"))
    known = forms.ChoiceField(label=_("Repeat perpetrator"), required=False)
    new_label = forms.CharField(
        label=_("Or add to the register under a new label"), required=False, max_length=100
    )

    def __init__(
        self,
        *args: Any,
        perpetrators: Iterable[tuple[Any, str]] = (),
        known: Iterable[tuple[Any, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["perpetrator"], [(str(k), v) for k, v in perpetrators])
        _choices(self.fields["known"], _blank(_("(not linked)")) + [(str(k), v) for k, v in known])


class MeasureForm(StyledForm):
    kind = forms.ChoiceField(label=_("Measure"), choices=codes.MeasureKind.choices)
    perpetrator = forms.ChoiceField(label=_("Toward"), required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, perpetrators: Iterable[tuple[Any, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
        _choices(
            self.fields["perpetrator"],
            _blank(_("(not one person)")) + [(str(k), v) for k, v in perpetrators],
        )


class PoliceReportForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=codes.PoliceReportKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    police_reference = forms.CharField(label=_("Police reference"), required=False, max_length=50)
    vpt = forms.BooleanField(
        label=_("VPT incident (ELA agreements apply)"), required=False, initial=True
    )
    employer_address = forms.BooleanField(
        label=_("Employer's address used (domiciliekeuze)"), required=False, initial=True
    )
    filed_by_employer = forms.BooleanField(label=_("Filed by the employer"), required=False)
    outcome = forms.ChoiceField(
        label=_("Criminal case outcome"),
        choices=codes.CaseOutcome.choices,
        initial=codes.CaseOutcome.PENDING,
    )
    outcome_date = forms.DateField(label=_("Outcome date"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class AftercareRecordForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=codes.AftercareOutcome.choices, widget=forms.RadioSelect
    )
    referral_to = forms.ChoiceField(
        label=_("Referred to"),
        required=False,
        choices=_blank(_("(no referral)")) + list(codes.Referral.choices),
    )
    done_on = forms.DateField(label=_("Date of the contact"), widget=DateInput())
    done_time = forms.TimeField(label=_("Time"), required=False, widget=TimeInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["done_on"].initial = now.date()
        self.fields["done_time"].initial = now.strftime("%H:%M")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, moment = data.get("done_on"), data.get("done_time")
        data["done_at"] = _combine(day, moment or timezone.localtime().time())
        return data


class AftercareCancelForm(StyledForm):
    reason = forms.CharField(label=_("Why is this step cancelled?"), max_length=200)


class AftercarePlanForm(StyledForm):
    victim = forms.ChoiceField(label=_("With"))
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, victims: Iterable[tuple[Any, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["victim"], [(str(k), v) for k, v in victims])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["due_at"] = _combine(data.get("due_on"), time(17, 0))
        return data


class TransitionForm(StyledForm):
    to_status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when reopening a closed incident."),
    )

    def __init__(self, *args: Any, targets: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["to_status"], [(t, codes.Status(t).label) for t in targets])


class EvidenceForm(StyledForm):
    evidence = MultipleFileField(label=_("Files"), required=True)


class KnownPerpetratorForm(StyledForm):
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        help_text=_("A pseudonym, e.g. 'Perpetrator 2025-04'."),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
