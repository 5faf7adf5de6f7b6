"""Backup and restore: an encrypted archive that restores an identical database and files."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from vib.operations import backup
from vib.operations.backup import (
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    backup_create,
    backup_restore,
    database_fingerprints,
    fingerprint,
)

KEY = Fernet.generate_key().decode()


# --- the encrypted stream ----------------------------------------------------------------------


def _encrypt(data: bytes, monkeypatch) -> bytes:
    monkeypatch.setattr(backup, "CHUNK", 1000)
    out = io.BytesIO()
    writer = EncryptingWriter(out, KEY)
    writer.write(data)
    writer.finish()
    return out.getvalue()


def _frames(blob: bytes) -> list[bytes]:
    frames, at = [], 0
    while at < len(blob):
        size = int.from_bytes(blob[at : at + 4])
        frames.append(blob[at : at + 4 + size])
        at += 4 + size
    return frames


def test_the_stream_round_trips_in_numbered_chunks(monkeypatch):
    data = bytes(range(256)) * 20
    blob = _encrypt(data, monkeypatch)
    assert len(_frames(blob)) == 6
    assert data[:50] not in blob
    reader = DecryptingReader(io.BytesIO(blob), KEY)
    assert reader.read() == data
    assert reader.finished()


@pytest.mark.parametrize("damage", ["truncate", "reorder", "flip", "wrong key"])
def test_a_damaged_stream_or_wrong_key_is_refused(monkeypatch, damage):
    blob = _encrypt(b"x" * 5000, monkeypatch)
    frames = _frames(blob)
    key = KEY
    if damage == "truncate":
        blob = b"".join(frames[:-1])
    elif damage == "reorder":
        blob = b"".join([frames[1], frames[0], *frames[2:]])
    elif damage == "flip":
        blob = blob[:100] + bytes([blob[100] ^ 1]) + blob[101:]
    else:
        key = Fernet.generate_key().decode()
    with pytest.raises(BackupError):
        DecryptingReader(io.BytesIO(blob), key).read()


def test_fingerprints_name_keys_without_revealing_them():
    assert fingerprint(KEY).startswith("sha256:")
    assert KEY not in fingerprint(KEY)
    assert fingerprint(KEY) != fingerprint(Fernet.generate_key())


# --- the round trip -----------------------------------------------------------------------------


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same kind as the test database."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg

    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    target = {**source, "NAME": name}
    admin = {**backup._pg_params(source), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield target
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _private_files(root: Path) -> dict[str, bytes]:
    files = {
        "incidents/2026/aangifte.pdf": b"%PDF-1.7 synthetic police report\n" + bytes(range(256)),
        "integrity/bijlage.bin": bytes(reversed(range(256))) * 100,
        "leeg.txt": b"",
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return files


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_and_its_files_come_back_identical(tmp_path, fresh_database, settings):
    from vib.core.demo import build_demo

    build_demo(scale="small")
    media = tmp_path / "private"
    files = _private_files(media)
    result = backup_create(output_dir=tmp_path / "backups", media_root=media)
    archive = result.archive
    assert archive.stat().st_mode & 0o077 == 0
    summary = json.loads(result.summary.read_text())
    assert summary["keys"]["backupKey"] == fingerprint(settings.ENCRYPTION_KEYS[0])
    assert "aangifte" not in result.summary.read_text()  # no file names in the clear
    assert b"aangifte" not in archive.read_bytes()

    source = database_fingerprints(connection.settings_dict)
    assert source["accounts_user"]["rows"] > 5
    assert source["audit_auditevent"]["rows"] > 0
    restored_media = tmp_path / "restored-private"
    report = backup_restore(archive=archive, database=fresh_database, media_root=restored_media)
    assert report.tables == len(source)
    assert report.files == 3
    assert database_fingerprints(fresh_database) == source
    for name, content in files.items():
        assert (restored_media / name).read_bytes() == content

    # Restoring again over the now filled database is refused, before anything is written.
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(archive=archive, database=fresh_database, media_root=tmp_path / "x")
    # So is an archive that was tampered with, or read with another key.
    bad = tmp_path / "bad.vibbak"
    raw = bytearray(archive.read_bytes())
    raw[-100] ^= 1
    bad.write_bytes(bytes(raw))
    with pytest.raises(BackupError):
        backup_restore(archive=bad, database=fresh_database, media_root=tmp_path / "y")
    with pytest.raises(BackupError, match="key"):
        backup_restore(archive=archive, key=Fernet.generate_key().decode(), media_root=tmp_path)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_when_the_encryption_keys_of_the_backup_are_missing(
    tmp_path, fresh_database, settings, monkeypatch
):
    monkeypatch.setenv("VIB_BACKUP_KEY", KEY)
    call_command("backup", "-o", str(tmp_path / "out"))
    archive = next((tmp_path / "out").glob("*.vibbak"))
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(BackupError, match="VIB_ENCRYPTION_KEYS"):
        backup_restore(archive=archive, database=fresh_database, media_root=tmp_path / "m")
