"""The frame import (``frame_import_csv``) with files that break the reader or carry
addresses no mail can go to: a clear error naming the line, and nothing written (issue #9;
found by tests/fuzz)."""

from __future__ import annotations

import csv
import io

import pytest

from vib.surveys.models import Invitation
from vib.surveys.services import FrameImportError, frame_import_csv

pytestmark = pytest.mark.django_db

HEADER = b"instrument,email,tier,organisation,function,gender\n"
GOOD = b"office_holders,a@example.nl,gemeente,GM0344,raadslid,v\n"


def _refused(wave, researcher, content: bytes) -> list[str]:
    with pytest.raises(FrameImportError) as caught:
        frame_import_csv(actor=researcher, wave=wave, file=io.BytesIO(content))
    assert Invitation.objects.count() == 0
    return [str(e) for e in caught.value.errors]


def test_a_value_beyond_the_csv_field_limit_names_its_line(wave, researcher):
    huge = b"x" * (csv.field_size_limit() + 1)
    (message,) = _refused(wave, researcher, HEADER + GOOD + b'office_holders,"' + huge + b'"\n')
    assert message.startswith("Line 3, column -: ")
    assert f"longer than {csv.field_size_limit()} characters" in message


def test_an_oversized_header_is_refused_too(wave, researcher):
    (message,) = _refused(wave, researcher, b"x" * (csv.field_size_limit() + 1))
    assert message.startswith("Line 1, column -: ")


@pytest.mark.parametrize(
    "email",
    [
        b"@example.nl",
        b"a@",
        b'"a@example.nl\nBcc: b@example.nl"',  # a line break: a header injection
        b"a\tb@example.nl",
        b"a\x00@example.nl",
        b"a@example..nl",
    ],
)
def test_an_address_mail_cannot_go_to_is_refused(wave, researcher, email):
    row = b"office_holders," + email + b",gemeente,GM0344,raadslid,v\n"
    messages = _refused(wave, researcher, HEADER + GOOD + row)
    line = 3 + email.count(b"\n")  # a row is named by the line it ends on, as csv counts
    assert any(m.startswith(f"Line {line}, column email: Not a valid e-mail") for m in messages)


def test_lines_are_counted_as_in_the_file_when_a_value_spans_lines(wave, researcher):
    spanning = b'office_holders,b@example.nl,gemeente,GM0344,"raads\nlid",v\n'
    bad = b"office_holders,c@example.nl,stad,GM0344,raadslid,v\n"
    messages = _refused(wave, researcher, HEADER + spanning + bad)
    assert any(m.startswith("Line 3, column function") for m in messages)
    assert any(m.startswith("Line 4, column tier") for m in messages)


def test_old_mac_line_breaks_are_read(wave, researcher):
    content = (HEADER + GOOD).replace(b"\n", b"\r")
    result = frame_import_csv(actor=researcher, wave=wave, file=io.BytesIO(content))
    assert result.added == 1


def test_an_oversized_value_is_not_repeated_whole_in_the_message(wave, researcher):
    row = b"office_holders,a@example.nl," + b"t" * 5000 + b",,raadslid,v\n"
    (message,) = _refused(wave, researcher, HEADER + row)
    assert "t" * 40 + "…" in message
    assert len(message) < 200


def test_an_oversized_upload_is_refused_before_it_is_read(monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vib.surveys import forms

    monkeypatch.setattr(forms, "MAX_FRAME_BYTES", 2**20)
    content = HEADER + GOOD * (2**20 // len(GOOD) + 1)
    upload = SimpleUploadedFile("kader.csv", content, content_type="text/csv")
    form = forms.FrameUploadForm(files={"file": upload})
    assert not form.is_valid()
    assert form.errors["file"] == ["The file is larger than 1 MB."]
    missing = forms.FrameUploadForm(files={})
    assert not missing.is_valid()
    assert missing.errors["file"] == ["Choose a CSV file to import."]
