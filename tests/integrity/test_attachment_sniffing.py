"""Issue #15 item 8: integrity attachments are judged on their content, like incident evidence.

Before the fix ``_check_files`` trusted the browser's content type and kept the file's own
name: ``x.html`` sent as ``text/plain`` or an executable sent as ``application/pdf`` reached
the handlers with their extension. Now the type is sniffed from the bytes, the extension
follows the sniffed type, and anything else is refused with a clear message.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from vib.core import uploads
from vib.core.errors import ValidationError
from vib.integrity import codes, selectors, services
from vib.integrity.models import Attachment, Case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    # Only an organisation: the people of the shared ``world`` fixture are not needed here.
    from datetime import date

    from vib.organisations.models import Organisation, Tier

    return Organisation.objects.create(
        code="GM9003", name="Snuffelgemeente", tier=Tier.GEMEENTE, reference_date=date(2026, 1, 1)
    )


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return out.getvalue()


DOCX = _zip(
    {
        "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.document.main+xml"/></Types>',
        "word/document.xml": b"<w:document/>",
    }
)
DOCM = _zip(
    {
        "[Content_Types].xml": b'<Types><Default ContentType="application/vnd.ms-word.document'
        b'.macroEnabled.main+xml"/></Types>',
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00macro",
    }
)
ODT = _zip({"mimetype": uploads.ODT.encode(), "content.xml": b"<office:document-content/>"})
EML = b"From: a@example.nl\r\nTo: b@example.nl\r\nSubject: Declaraties\r\n\r\nZie bijlage.\r\n"


def _upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _intake(org, *files: SimpleUploadedFile):
    return services.report_submit(
        organisation=org,
        case_type=codes.CaseType.REPORT,
        channel=codes.Channel.ANONYMOUS,
        summary="Er wordt geknoeid met declaraties.",
        files=list(files),
    )


REFUSED = [
    ("virus.pdf", EXE, "application/pdf"),  # an executable sent as PDF
    ("x.html", HTML, "text/plain"),  # a web page sent as text
    ("brief.docm", DOCM, uploads.DOCX),  # a Word document with macros
    ("plaatje.png", b"\x00\x01 not an image", "image/png"),
]


def test_dangerous_files_are_refused_whatever_the_browser_says(org):
    for name, data, claimed in REFUSED:
        with pytest.raises(ValidationError) as error:
            _intake(org, _upload(name, data, claimed))
        assert "is not accepted" in " ".join(error.value.messages), name
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0


ACCEPTED = [
    (
        "bewijs.pdf.exe",
        b"%PDF-1.4 echt",
        "application/x-msdownload",
        uploads.PDF,
        "bewijs-pdf.pdf",
    ),
    (
        "notitie.html",
        "Gewoon tekst, één regel.".encode(),
        "text/html",
        uploads.TEXT,
        "notitie.txt",
    ),
    ("verslag", DOCX, "application/octet-stream", uploads.DOCX, "verslag.docx"),
    ("stuk.zip", ODT, "application/zip", uploads.ODT, "stuk.odt"),
    ("mail.txt", EML, "text/plain", uploads.EML, "mail.eml"),
    ("../../etc/foto.JPG", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg", uploads.JPEG, "foto.jpg"),
]


def test_accepted_files_get_the_sniffed_type_and_extension(org):
    for name, data, claimed, kind, stored_name in ACCEPTED:
        case, _code = _intake(org, _upload(name, data, claimed))
        attachment = Attachment.objects.get(case=case)
        assert attachment.content_type == kind, name
        assert attachment.size == len(data)
        assert selectors.attachment_content(attachment) == (stored_name, data)


def test_size_is_measured_not_believed(org):
    big = _upload("groot.pdf", b"%PDF-1.4 " + b"x" * services.MAX_FILE_BYTES, "application/pdf")
    with pytest.raises(ValidationError) as error:
        _intake(org, big)
    assert "at most 10 MB" in " ".join(error.value.messages)
    assert Case.objects.count() == 0


def test_the_public_intake_refuses_a_web_page(org, client):
    from .helpers import submit

    response, code = submit(client, org, files=[_upload("x.html", HTML, "text/plain")])
    assert response.status_code == 400
    assert code is None
    assert Attachment.objects.count() == 0
