"""Gathers a wave's report input through the surveys and registration modules' selectors."""

from __future__ import annotations

from typing import Any

from vib.monitor.analysis import InstrumentInput
from vib.monitor.registrations import collect
from vib.monitor.report import INSTRUMENT_ORDER, OrganisationInfo, ReportInput
from vib.organisations.models import Organisation, Tier


def organisation_registry() -> dict[str, OrganisationInfo]:
    out = {}
    for org in Organisation.objects.select_related("province").only(
        "code", "name", "tier", "inhabitants", "province__name"
    ):
        province = (
            org.name
            if org.tier == Tier.PROVINCIE
            else (org.province.name if org.province else None)
        )
        out[org.code] = OrganisationInfo(org.code, org.name, org.tier, org.size_class, province)
    return out


def previous_wave(wave: Any) -> Any | None:
    """The latest closed wave of the same organisation before ``wave``'s edition: the previous
    edition whose microdata the change is tested against (ADR 0139), or None."""
    from vib.surveys.models import Wave, WaveStatus

    return (
        Wave.objects.filter(
            organisation=wave.organisation, edition__lt=wave.edition, status=WaveStatus.CLOSED
        )
        .order_by("-edition", "-field_start")
        .first()
    )


def _sources(wave: Any, instruments: dict[str, str], provinces: dict[str, str]) -> dict[str, Any]:
    from vib.surveys.selectors import population_counts, response_table

    return {
        code: InstrumentInput(
            code,
            response_table(wave=wave, instrument=code),
            population_counts(wave=wave, instrument=code),
            provinces if code == "organisations" else {},
        )
        for code in INSTRUMENT_ORDER
        if code in instruments
    }


def report_input(*, wave: Any, language: str = "nl") -> ReportInput:
    """The responses, frame counts and registrations of a wave (``vib.surveys.selectors``)."""
    from vib.surveys.selectors import wave_instruments

    registry = organisation_registry()
    provinces = {code: info.province for code, info in registry.items() if info.province}
    present = {wi.code: wi.key for wi, _ in wave_instruments(wave=wave)}
    sources = _sources(wave, present, provinces)
    # The previous edition's microdata, per instrument asked with the same questionnaire
    # version (so that every indicator is derived the same way in both waves).
    previous = previous_wave(wave)
    earlier: dict[str, str] = {}
    previous_edition = None
    if previous is not None:
        previous_edition = previous.edition
        earlier = {
            wi.code: wi.key
            for wi, _ in wave_instruments(wave=previous)
            if present.get(wi.code) == wi.key and wi.responses.exists()
        }
    title = (
        f"Monitor Integriteit en Veiligheid {wave.edition}"
        if language == "nl"
        else f"Integrity and Safety Monitor {wave.edition}"
    )
    return ReportInput(
        edition=wave.edition,
        title=title,
        sources=sources,
        registrations=collect(field_start=wave.field_start, edition=wave.edition),
        organisations=registry,
        language=language,
        previous_edition=previous_edition if earlier else None,
        previous_sources=_sources(previous, earlier, provinces) if earlier else {},
    )
