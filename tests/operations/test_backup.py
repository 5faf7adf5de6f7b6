"""Backup and restore: an age-encrypted tar archive that restores an identical database and
files and that the standard ``age`` CLI decrypts; old ``vib-backup/1`` archives still restore."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from pyrage import x25519

from vib.operations import backup
from vib.operations.backup import (
    BackupError,
    backup_create,
    backup_restore,
    database_fingerprints,
    fingerprint,
)

ROOT = Path(__file__).resolve().parents[2]
OLD_ARCHIVE = Path(__file__).parent / "data" / "vib-backup-1.vibbak"
# The keys the old archive was made with by the vib-backup/1 code (commit 07ec51e): its backup
# key, and the development VIB_ENCRYPTION_KEYS entry that the test settings use.
OLD_BACKUP_KEY = "5DjBJ0ulfjDsbFrBXaDPaZS8EvrI6gfv5d7d3xBaXSo="
DEV_ENCRYPTION_KEY = "dmliLWRldmVsb3BtZW50LWtleS0zMi1ieXRlcyEhISE="


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A fresh age key pair: the recipient configured for backups, the identity in a file."""
    identity = x25519.Identity.generate()
    path = tmp_path / "backup-identity.txt"
    path.write_text(f"# created: for the test\n{identity}\n")
    monkeypatch.setenv("VIB_BACKUP_RECIPIENTS", str(identity.to_public()))
    monkeypatch.delenv("VIB_BACKUP_IDENTITY", raising=False)
    return path


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same kind as the test database."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg

    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    admin = {**backup._pg_params(source), "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
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


@pytest.fixture
def made(tmp_path, keys):
    """One backup of the test database and three private files."""
    files = _private_files(tmp_path / "private")
    result = backup_create(output_dir=tmp_path / "backups", media_root=tmp_path / "private")
    return result, files


def _nothing_written(database: dict, media: Path) -> None:
    assert backup._database_is_empty(database)
    assert not media.exists()
    if database["ENGINE"].endswith("sqlite3"):
        assert not Path(database["NAME"]).exists()


# --- the format ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def age_cli() -> str:
    """The standard age CLI (Debian package ``age``), installed the project's way if missing."""
    if shutil.which("age") is None:
        subprocess.run([ROOT / "scripts" / "apt-install", "age"], check=False)
    path = shutil.which("age")
    if path is None:
        pytest.skip("the age CLI is not installed and scripts/apt-install age could not install it")
    return path


@pytest.mark.django_db(transaction=True)
def test_the_standard_age_cli_decrypts_a_backup_into_a_plain_tar(made, keys, age_cli):
    result, files = made
    assert result.archive.name.endswith(".tar.age")
    assert result.archive.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert result.archive.stat().st_mode & 0o077 == 0
    assert b"aangifte" not in result.archive.read_bytes()
    done = subprocess.run(
        [age_cli, "--decrypt", "--identity", str(keys), str(result.archive)],
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        assert (
            tar.extractfile("files/incidents/2026/aangifte.pdf").read()
            == files["incidents/2026/aangifte.pdf"]
        )
        dump = tar.extractfile(manifest["database"]["member"]).read()
    assert names[-1] == "manifest.json"
    assert manifest["format"] == "vib-backup/2"
    assert manifest["keys"]["recipients"] == [os.environ["VIB_BACKUP_RECIPIENTS"]]
    assert hashlib.sha256(dump).hexdigest() == manifest["database"]["sha256"]
    assert sorted(f["path"] for f in manifest["files"]) == sorted(files)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_identity_is_refused_in_dutch_and_english_and_nothing_is_written(
    made, tmp_path, fresh_database
):
    result, _files = made
    other = tmp_path / "other-identity.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    media = tmp_path / "restored-private"
    with translation.override("nl"), pytest.raises(BackupError, match="verkeerde sleutel"):
        backup_restore(
            archive=result.archive, identity=other, database=fresh_database, media_root=media
        )
    with translation.override("en"), pytest.raises(BackupError, match="wrong key"):
        backup_restore(
            archive=result.archive, identity=other, database=fresh_database, media_root=media
        )
    _nothing_written(fresh_database, media)
    not_a_key = tmp_path / "not-a-key.txt"
    not_a_key.write_text("age1 is a public key, not an identity\n")
    with pytest.raises(BackupError, match="identity"):
        backup_restore(archive=result.archive, identity=not_a_key, database=fresh_database)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cut", ["last byte", "last chunk", "half"])
def test_a_truncated_archive_is_refused_and_nothing_is_written(
    made, keys, tmp_path, fresh_database, cut
):
    result, _files = made
    raw = result.archive.read_bytes()
    size = {"last byte": len(raw) - 1, "last chunk": len(raw) - 500, "half": len(raw) // 2}[cut]
    truncated = tmp_path / "truncated.tar.age"
    truncated.write_bytes(raw[:size])
    media = tmp_path / "restored-private"
    with pytest.raises(BackupError, match=r"truncated|altered"):
        backup_restore(archive=truncated, identity=keys, database=fresh_database, media_root=media)
    _nothing_written(fresh_database, media)


@pytest.mark.django_db(transaction=True)
def test_backup_without_recipients_says_what_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("VIB_BACKUP_RECIPIENTS", raising=False)
    with pytest.raises(BackupError, match="VIB_BACKUP_RECIPIENTS"):
        backup_create(output_dir=tmp_path / "out")
    monkeypatch.setenv("VIB_BACKUP_RECIPIENTS", Fernet.generate_key().decode())
    with pytest.raises(BackupError, match="VIB_BACKUP_RECIPIENTS"):
        backup_create(output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- the round trip -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_and_its_files_come_back_identical(tmp_path, keys, fresh_database):
    from tests import demo_snapshot

    demo_snapshot.demo()
    media = tmp_path / "private"
    files = _private_files(media)
    result = backup_create(output_dir=tmp_path / "backups", media_root=media)
    summary = json.loads(result.summary.read_text())
    assert summary["keys"]["encryptionKeys"] == [
        fingerprint(k) for k in backup.settings.ENCRYPTION_KEYS
    ]
    assert "aangifte" not in result.summary.read_text()  # no file names in the clear

    source = database_fingerprints(connection.settings_dict)
    assert source["accounts_user"]["rows"] > 5
    assert source["audit_auditevent"]["rows"] > 0
    restored_media = tmp_path / "restored-private"
    report = backup_restore(
        archive=result.archive, identity=keys, database=fresh_database, media_root=restored_media
    )
    assert report.tables == len(source)
    assert report.files == 3
    assert database_fingerprints(fresh_database) == source
    for name, content in files.items():
        assert (restored_media / name).read_bytes() == content

    # Restoring again over the now filled database is refused, before anything is written.
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(
            archive=result.archive,
            identity=keys,
            database=fresh_database,
            media_root=tmp_path / "x",
        )
    # So is an archive that was altered in the middle.
    bad = tmp_path / "bad.tar.age"
    raw = bytearray(result.archive.read_bytes())
    raw[len(raw) // 2] ^= 1
    bad.write_bytes(bytes(raw))
    with pytest.raises(BackupError, match="altered"):
        backup_restore(
            archive=bad, identity=keys, database=fresh_database, media_root=tmp_path / "y"
        )
    assert not (tmp_path / "y").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_when_the_encryption_keys_of_the_backup_are_missing(
    tmp_path, keys, fresh_database, settings, monkeypatch
):
    call_command("backup", "-o", str(tmp_path / "out"))
    archive = next((tmp_path / "out").glob("*.tar.age"))
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    monkeypatch.setenv("VIB_BACKUP_IDENTITY", str(keys))
    with pytest.raises(BackupError, match="VIB_ENCRYPTION_KEYS"):
        backup_restore(archive=archive, database=fresh_database, media_root=tmp_path / "m")


# --- the old format -----------------------------------------------------------------------------


def test_an_old_vib_backup_1_archive_still_restores(tmp_path, settings, monkeypatch):
    """Made by the vib-backup/1 writer before it was removed; restored read-only."""
    settings.ENCRYPTION_KEYS = [DEV_ENCRYPTION_KEY]
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "old.sqlite3")}
    media = tmp_path / "private"
    with pytest.raises(BackupError, match="key"):
        backup_restore(
            archive=OLD_ARCHIVE,
            key=Fernet.generate_key().decode(),
            database=target,
            media_root=media,
        )
    _nothing_written(target, media)

    monkeypatch.setenv("VIB_BACKUP_KEY", OLD_BACKUP_KEY)
    report = backup_restore(archive=OLD_ARCHIVE, database=target, media_root=media)
    assert (report.tables, report.rows, report.files) == (2, 3, 2)
    with sqlite3.connect(target["NAME"]) as conn:
        assert conn.execute("SELECT titel FROM melding ORDER BY id").fetchall() == [
            ("Synthetisch incident",),
            ("Tweede",),
        ]
    assert (media / "incidents" / "bewijs.txt").read_text() == "synthetisch bewijs\n"
    assert len((media / "bijlage.bin").read_bytes()) == 3000


def test_an_old_archive_cut_short_is_refused(tmp_path, settings, monkeypatch):
    settings.ENCRYPTION_KEYS = [DEV_ENCRYPTION_KEY]
    monkeypatch.setenv("VIB_BACKUP_KEY", OLD_BACKUP_KEY)
    cut = tmp_path / "cut.vibbak"
    cut.write_bytes(OLD_ARCHIVE.read_bytes()[:-200])
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "old.sqlite3")}
    with pytest.raises(BackupError, match="truncated"):
        backup_restore(archive=cut, database=target, media_root=tmp_path / "private")
    _nothing_written(target, tmp_path / "private")
