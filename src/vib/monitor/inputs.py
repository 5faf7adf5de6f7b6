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


def report_input(*, wave: Any, language: str = "nl") -> ReportInput:
    """The responses, frame counts and registrations of a wave (``vib.surveys.selectors``)."""
    from vib.surveys.selectors import population_counts, response_table, wave_instruments

    registry = organisation_registry()
    provinces = {code: info.province for code, info in registry.items() if info.province}
    present = {wi.code for wi, _ in wave_instruments(wave=wave)}
    sources = {
        code: InstrumentInput(
            code,
            response_table(wave=wave, instrument=code),
            population_counts(wave=wave, instrument=code),
            provinces if code == "organisations" else {},
        )
        for code in INSTRUMENT_ORDER
        if code in present
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
    )
