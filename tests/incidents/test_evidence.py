"""Evidence files: the allow-list is decided on content, files live privately under
MEDIA_ROOT and are served only through the access-checked view with safe headers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from vib.audit.models import AuditEvent
from vib.incidents import evidence, services
from vib.incidents.models import EvidenceFile

from .conftest import PNG, report

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (PDF, "application/pdf"),
        (HEIC, "image/heic"),
        (WEBP, "image/webp"),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00 windows executable", None),
        (b"GIF89a", None),
        (b"\x00\x00\x00\x18ftypisom", None),  # an MP4 video, not HEIF
        (b"", None),
    ],
)
def test_the_type_is_sniffed_from_the_content(content, kind):
    assert evidence.sniff(content[:32]) == kind


def test_the_name_does_not_decide():
    checked = evidence.check_file(io.BytesIO(PNG), "schermafbeelding.exe")
    assert checked.content_type == "image/png"
    assert checked.original_name == "schermafbeelding.png"
    with pytest.raises(ValidationError) as caught:
        evidence.check_file(io.BytesIO(b"<svg onload=alert(1)>"), "screenshot.png")
    assert "screenshot.png" in caught.value.messages[0]


def test_the_size_limit(settings):
    settings.VIB_EVIDENCE_MAX_BYTES = 1024
    evidence.check_file(io.BytesIO(PNG + b"\x00" * 900), "klein.png")
    with pytest.raises(ValidationError, match="larger than"):
        evidence.check_file(io.BytesIO(PNG + b"\x00" * 2000), "groot.png")


def test_download_names_are_made_harmless():
    assert evidence.safe_name("../../etc/passwd", "application/pdf") == "passwd.pdf"
    assert (
        evidence.safe_name('Scherm "afbeelding"\r\n.jpg', "image/jpeg") == "Scherm-afbeelding.jpg"
    )
    assert evidence.safe_name("", "image/png") == "bewijs.png"


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_files_are_stored_privately_without_their_name(world, settings):
    incident = report(world["a"], files=[_upload("post.PNG", PNG), _upload("brief.pdf", PDF)])
    # The names are sealed (ADR 0098): the database cannot sort them, Python does.
    rows = sorted(EvidenceFile.objects.filter(incident=incident), key=lambda r: r.original_name)
    assert [(r.original_name, r.content_type) for r in rows] == [
        ("brief.pdf", "application/pdf"),
        ("post.png", "image/png"),
    ]
    for row in rows:
        path = Path(row.file.path)
        assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "incidents")
        assert "." not in path.name
        assert "post" not in path.name
        with pytest.raises(ValueError, match="no URL"):  # never served directly
            _ = row.file.url


def test_a_refused_file_refuses_the_whole_report(world, settings):
    with pytest.raises(ValidationError) as caught:
        report(world["a"], files=[_upload("ok.png", PNG), _upload("virus.png", b"MZ\x90\x00")])
    assert "files" in caught.value.message_dict
    assert not EvidenceFile.objects.exists()
    stored = (
        list((Path(settings.MEDIA_ROOT) / "incidents").rglob("*"))
        if Path(settings.MEDIA_ROOT).exists()
        else []
    )
    assert [p for p in stored if p.is_file()] == []


def test_download_is_access_checked_audited_and_safe(world, client):
    a, b = world["a"], world["b"]
    incident = report(a, files=[_upload("bewijs.png", PNG)])
    row = EvidenceFile.objects.get(incident=incident)
    url = f"/incidenten/bewijs/{row.pk}"

    client.force_login(a.people["coordinator"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="bewijs.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(object_id=str(row.pk), action="read", result="ok").exists()

    client.force_login(a.people["employee"])  # the uploader, on their own report
    assert client.get(url).status_code == 200
    for outsider in (a.people["integrity"], a.people["secretaris"], b.people["coordinator"]):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
    assert AuditEvent.objects.filter(object_id=str(row.pk), result="denied").count() == 3


def test_handlers_and_the_reporter_can_add_evidence_later(world, client):
    a = world["a"]
    incident = report(a)
    client.force_login(a.people["employee"])
    response = client.post(
        f"/incidenten/{incident.pk}/bewijs/nieuw", {"evidence": [_upload("extra.jpg", JPEG)]}
    )
    assert response.status_code == 302
    assert EvidenceFile.objects.filter(incident=incident, content_type="image/jpeg").count() == 1
    client.post(
        f"/incidenten/{incident.pk}/bewijs/nieuw", {"evidence": [_upload("x.png", b"nope")]}
    )
    assert EvidenceFile.objects.filter(incident=incident).count() == 1
    client.force_login(world["b"].people["coordinator"])
    response = client.post(
        f"/incidenten/{incident.pk}/bewijs/nieuw", {"evidence": [_upload("y.png", PNG)]}
    )
    assert response.status_code == 404


def test_an_oversized_upload_is_refused_before_it_is_read(world, client, settings):
    settings.VIB_EVIDENCE_MAX_BYTES = 1024
    a = world["a"]
    incident = report(a)
    client.force_login(a.people["employee"])
    big = _upload("groot.png", PNG + b"\x00" * (2 * 1024 * 1024))
    client.post(f"/incidenten/{incident.pk}/bewijs/nieuw", {"evidence": [big]})
    assert not EvidenceFile.objects.exists()


def test_removing_evidence_deletes_the_file(world, django_capture_on_commit_callbacks):
    a = world["a"]
    incident = report(a, files=[_upload("weg.png", PNG)])
    row = EvidenceFile.objects.get(incident=incident)
    path = Path(row.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(
            incident=incident, evidence_id=row.pk, actor=a.people["coordinator"]
        )
    assert not path.exists()
    assert not EvidenceFile.objects.exists()
