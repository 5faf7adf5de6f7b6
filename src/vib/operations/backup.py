"""``vib backup`` and ``vib restore``: the database and the private files in one tar archive,
encrypted with age, with a manifest of checksums and a key inventory (ADR 0136, after 0060).

The database is copied with its own consistent tools (SQLite's online backup API;
``pg_dump --format=custom`` in an exported snapshot), so encrypted columns stay ciphertext, ids
and the audit chain are kept, and the manifest's per-table row hashes, computed from the dumped
state, prove the restore. The tar stream (dump, ``files/…``, ``manifest.json`` last) is
encrypted with age to the X25519 recipients in ``VIB_BACKUP_RECIPIENTS`` through pyrage,
streamed: nothing is held whole in memory. Without VIB: ``age -d -i KEY FILE.tar.age | tar -x``.
Archives of the old ``vib-backup/1`` format are still restored (``backup_v1``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import pyrage
from django.conf import settings
from django.db import connections
from django.utils import translation
from django.utils.translation import gettext as _
from pyrage import x25519

from vib.operations import backup_v1
from vib.operations.backup_v1 import fingerprint

FORMAT = "vib-backup/2"
FORMATS = {"vib-backup/1", FORMAT}  # the manifests restore reads
AGE_MAGIC = b"age-encryption.org/v1\n"
BLOCK = 1024 * 1024

MANIFEST = "manifest.json"
DB_SQLITE = "database/db.sqlite3"
DB_PGDUMP = "database/db.pgdump"
FILES = "files/"
Stream = io.BufferedIOBase


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why (no secrets in it)."""


# --- keys ----------------------------------------------------------------------------------


def backup_recipients() -> list[x25519.Recipient]:
    """The age public keys (``age1…``) in ``VIB_BACKUP_RECIPIENTS``; each can decrypt alone."""
    names = re.split(r"[\s,]+", os.environ.get("VIB_BACKUP_RECIPIENTS", "").strip())
    if names == [""]:
        raise BackupError(_("Set VIB_BACKUP_RECIPIENTS to one or more age public keys (age1…)."))
    try:
        return [x25519.Recipient.from_str(name) for name in names]
    except pyrage.RecipientError:
        raise BackupError(
            _("VIB_BACKUP_RECIPIENTS holds something that is not an age public key (age1…).")
        ) from None


def load_identities(path: Path | None = None) -> list[x25519.Identity]:
    """The age secret keys in an identity file (``age-keygen`` output), by default the one
    ``VIB_BACKUP_IDENTITY`` names. No message quotes the file's content."""
    name = path or os.environ.get("VIB_BACKUP_IDENTITY", "").strip()
    if not name:
        raise BackupError(_("Give the age identity file: --identity FILE or VIB_BACKUP_IDENTITY."))
    try:
        lines = [line.strip() for line in Path(name).read_text().splitlines()]
        found = [x25519.Identity.from_str(ln) for ln in lines if ln and not ln.startswith("#")]
    except (OSError, UnicodeError, pyrage.IdentityError):
        found = []
    if not found:
        raise BackupError(_("%(path)s is not a readable age identity file.") % {"path": name})
    return found


def key_inventory(recipients: Sequence[x25519.Recipient]) -> dict[str, Any]:
    return {
        "recipients": [str(r) for r in recipients],
        "encryptionKeys": [fingerprint(k) for k in settings.ENCRYPTION_KEYS],
        "note": "Encrypted columns (and the data keys wrapped by them) need these "
        "VIB_ENCRYPTION_KEYS; keep them and the recipients' identities apart from the backups.",
    }


# --- age through a pipe --------------------------------------------------------------------


@contextmanager
def _piped(job: Callable[[Stream], None], *, job_writes: bool) -> Iterator[Stream]:
    """Run ``job`` on one end of a pipe in a thread and yield the other end: pyrage's streaming
    calls pull from a reader and push to a writer, and so does ``tarfile``. An error of the job
    wins over the one it causes here (a tar stream cut short); once this side gave up, the job's
    error (a broken pipe) is dropped."""
    read_fd, write_fd = os.pipe()
    read_end, write_end = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")
    pair: tuple[Stream, Stream] = (write_end, read_end) if job_writes else (read_end, write_end)
    theirs, ours = pair
    errors: list[Exception] = []
    abandoned = threading.Event()
    language = translation.get_language()  # the job's messages in the caller's language

    def run() -> None:
        try:
            with translation.override(language):
                job(theirs)
        except Exception as exc:  # handed to the caller's thread below
            if not abandoned.is_set():
                errors.append(exc)
        finally:
            with suppress(OSError):
                theirs.close()

    thread = threading.Thread(target=run, name="vib-backup-age", daemon=True)
    thread.start()
    try:
        yield ours
        while job_writes and ours.read(BLOCK):
            pass  # tar's end padding: read to the end so that age checks the last chunk
    except BaseException:
        abandoned.set()
        raise
    finally:
        with suppress(OSError):
            ours.close()
        thread.join()
        if errors:
            raise errors[0]


def _decrypt_job(source: Stream, identities: Sequence[x25519.Identity]) -> Callable[[Stream], None]:
    def job(sink: Stream) -> None:
        try:
            pyrage.decrypt_io(source, sink, list(identities))
        except pyrage.DecryptError as exc:
            if "no matching keys" in str(exc).lower():
                raise BackupError(
                    _("This backup cannot be decrypted with this identity: wrong key.")
                ) from None
            raise BackupError(_("The archive's age header is damaged.")) from None
        except OSError:
            raise BackupError(_("The archive is truncated or was altered.")) from None

    return job


class _Hashing:
    """A file object that hashes what is read through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.digest.update(data)
        return data


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- databases -----------------------------------------------------------------------------

_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' "
    "AND name NOT LIKE 'sqlite_%' ORDER BY name",
    "postgresql": "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
}


def _vendor(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith(("sqlite3", "postgresql")):
        return "sqlite" if engine.endswith("sqlite3") else "postgresql"
    raise BackupError(
        _("Backups support SQLite and PostgreSQL, not %(engine)s.") % {"engine": engine}
    )


def _pg_params(db: dict[str, Any]) -> dict[str, Any]:
    options = db.get("OPTIONS") or {}
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db.get("PORT") or ""),
        **{k: options.get(k) for k in ("sslmode", "sslrootcert", "sslcert", "sslkey")},
    }
    return {k: v for k, v in params.items() if v}


def _pg_run(tool: str, db: dict[str, Any], *args: str) -> None:
    """Run ``pg_dump`` or ``pg_restore`` against ``db``; the password only in the environment."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            _("%(tool)s is not installed; PostgreSQL backups need the client tools.")
            % {"tool": tool}
        )
    from psycopg.conninfo import make_conninfo

    params = _pg_params(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSWORD"] = params.pop("password", "")
    conninfo = make_conninfo("", **params)
    done = subprocess.run(  # noqa: S603
        [path, "--no-owner", "--no-privileges", f"--dbname={conninfo}", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": tool, "error": done.stderr.strip()[-500:]}
        )


@contextmanager
def _connect(db: dict[str, Any]) -> Iterator[Any]:
    if _vendor(db) == "postgresql":
        import psycopg

        with psycopg.connect(**_pg_params(db)) as pg:
            yield pg
        return
    conn = sqlite3.connect(str(db["NAME"]), uri=str(db["NAME"]).startswith("file:"))
    try:
        yield conn
    finally:
        conn.close()


def _fold(rows: Iterable[tuple[Any, ...]]) -> dict[str, Any]:
    """Row count and an order-independent hash of a table's rows (sum of row digests)."""
    total = count = 0
    for row in rows:
        values = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        digest = hashlib.sha256(repr(values).encode()).digest()
        total = (total + int.from_bytes(digest)) % (1 << 256)
        count += 1
    return {"rows": count, "hash": f"{total:064x}"}


def _fingerprints(conn: Any, vendor: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for (name,) in conn.execute(_TABLES[vendor]).fetchall():
        quoted = name.replace('"', '""')
        query = f'SELECT * FROM "{quoted}"'  # noqa: S608
        if vendor == "sqlite":
            result[name] = _fold(conn.execute(query))
            continue
        with conn.cursor(name=f"vib_fp_{len(result)}") as cursor:  # server-side, in batches
            cursor.itersize = 2000
            cursor.execute(query)
            result[name] = _fold(cursor)
    return result


def database_fingerprints(db: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-table row counts and row hashes of a database (settings-style dict)."""
    with _connect(db) as conn:
        return _fingerprints(conn, _vendor(db))


def _dump_database(alias: str, target_dir: Path) -> tuple[str, Path, str, dict[str, Any]]:
    """(method, file, member name, table fingerprints), all of one consistent state."""
    connection = connections[alias]
    db = connection.settings_dict
    if _vendor(db) == "sqlite":
        if connection.in_atomic_block:
            raise BackupError(_("Run the backup outside a transaction."))
        connection.ensure_connection()
        path = target_dir / "db.sqlite3"
        with _connect({**db, "NAME": str(path)}) as copy:
            connection.connection.backup(copy)
            return "sqlite-online-backup", path, DB_SQLITE, _fingerprints(copy, "sqlite")
    path = target_dir / "db.pgdump"
    with _connect(db) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        (snapshot,) = conn.execute("SELECT pg_export_snapshot()").fetchone()
        _pg_run("pg_dump", db, "--format=custom", f"--snapshot={snapshot}", f"--file={path}")
        tables = _fingerprints(conn, "postgresql")
        conn.rollback()
    return "pg_dump-custom", path, DB_PGDUMP, tables


# --- backup --------------------------------------------------------------------------------


@dataclass
class BackupResult:
    archive: Path
    summary: Path
    manifest: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def _private_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _add_files(tar: tarfile.TarFile, media: Path, manifest: dict[str, Any]) -> list[str]:
    """Stream every private file into the archive, hashing it on the way; the skipped ones."""
    skipped = []
    for path in _private_files(media):
        relative = path.relative_to(media).as_posix()
        try:
            with path.open("rb") as handle:
                info = tar.gettarinfo(fileobj=handle, arcname=FILES + relative)
                info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                hashing = _Hashing(handle)
                tar.addfile(info, hashing)
        except FileNotFoundError:
            skipped.append(relative)  # deleted after the database snapshot
            continue
        manifest["files"].append(
            {"path": relative, "sha256": hashing.digest.hexdigest(), "bytes": info.size}
        )
    return skipped


def _write_archive(
    out: Stream, recipients: list[x25519.Recipient], dump: Path, media: Path, manifest: dict
) -> list[str]:
    def job(source: Stream) -> None:
        try:
            pyrage.encrypt_io(source, out, recipients)
        except (pyrage.EncryptError, OSError) as exc:
            raise BackupError(_("Writing the archive failed: %(error)s") % {"error": exc}) from None

    with (
        _piped(job, job_writes=False) as sink,
        tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar,
    ):
        tar.add(dump, arcname=manifest["database"]["member"])
        skipped = _add_files(tar, media, manifest)
        data = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(tz=UTC).timestamp())
        tar.addfile(info, io.BytesIO(data))
    return skipped


def backup_create(
    *,
    output_dir: Path,
    alias: str = "default",
    media_root: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BackupResult:
    """Write ``vib-backup-<time>.tar.age`` and a plain ``.summary.json`` beside it."""
    say = progress or (lambda message: None)
    recipients = backup_recipients()
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = output_dir / f"vib-backup-{stamp}.tar.age"
    partial = output_dir / f"vib-backup-{stamp}.partial"

    with tempfile.TemporaryDirectory(prefix="vib-backup-") as tmp:
        say(_("dumping the database"))
        method, dump, member, tables = _dump_database(alias, Path(tmp))
        vendor = _vendor(connections[alias].settings_dict)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "createdAt": datetime.now(tz=UTC).isoformat(),
            "vibVersion": metadata.version("vib"),
            "database": {
                "vendor": vendor,
                "method": method,
                "member": member,
                "sha256": sha256_file(dump),
                "bytes": dump.stat().st_size,
                "tables": tables,
            },
            "files": [],
            "keys": key_inventory(recipients),
        }
        say(_("writing the archive with the private files"))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                skipped = _write_archive(out, recipients, dump, media, manifest)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, archive)

    files, rows = manifest["files"], sum(t["rows"] for t in tables.values())
    summary = {
        **{"format": FORMAT, "archive": archive.name, "archiveSha256": sha256_file(archive)},
        "createdAt": manifest["createdAt"],
        "database": {"vendor": vendor, "method": method, "tables": len(tables), "rows": rows},
        "files": {"count": len(files), "bytes": sum(f["bytes"] for f in files)},
        "keys": manifest["keys"],
    }
    summary_path = output_dir / f"vib-backup-{stamp}.summary.json"
    summary_path.write_text(json.dumps(summary, indent=1) + "\n")
    return BackupResult(archive, summary_path, manifest, skipped)


# --- restore -------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    warnings: list[str]


def _untar(stream: Stream, into: Path) -> None:
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            if not member.isfile():  # and the "data" filter refuses paths outside ``into``
                raise BackupError(
                    _("Unexpected entry in the archive: %(name)r.") % {"name": member.name}
                )
            tar.extract(member, into, filter="data")


def _extract(archive: Path, into: Path, *, identity: Path | None, key: str | None) -> dict:
    """Decrypt and unpack into ``into``; the manifest. Nothing outside ``into`` is written."""
    with archive.open("rb") as handle:
        head = handle.read(len(AGE_MAGIC))
        handle.seek(0)
        try:
            if head.startswith(backup_v1.MAGIC):
                reader = backup_v1.DecryptingReader(handle, key or backup_v1.default_key())
                _untar(reader, into)
                reader.finish()
            elif head == AGE_MAGIC:
                job = _decrypt_job(handle, load_identities(identity))
                with _piped(job, job_writes=True) as stream:
                    _untar(stream, into)
            else:
                raise BackupError(_("This is not a VIB backup archive."))
        except backup_v1.ArchiveError as exc:
            raise BackupError(str(exc)) from None
        except tarfile.TarError:
            raise BackupError(_("The archive is truncated or was altered.")) from None
    path = into / MANIFEST
    manifest: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    if manifest.get("format") not in FORMATS:
        raise BackupError(_("The archive has no manifest VIB can read."))
    return manifest


def _verify(manifest: dict[str, Any], root: Path) -> None:
    db = manifest["database"]
    if sha256_file(root / db["member"]) != db["sha256"]:
        raise BackupError(_("The database dump does not match its checksum."))
    listed = set()
    for entry in manifest["files"]:
        path = root / FILES / entry["path"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            raise BackupError(
                _("A private file does not match its checksum: %(path)s") % {"path": entry["path"]}
            )
        listed.add(entry["path"])
    files_dir = root / FILES
    present = {p.relative_to(files_dir).as_posix() for p in _private_files(files_dir)}
    if present != listed:
        raise BackupError(_("The archive holds files its manifest does not list."))


def _database_is_empty(db: dict[str, Any]) -> bool:
    name = str(db["NAME"])
    if _vendor(db) == "sqlite" and not name.startswith("file:") and not Path(name).exists():
        return True  # and do not create it
    with _connect(db) as conn:
        return not conn.execute(_TABLES[_vendor(db)]).fetchall()


def _load_database(manifest: dict[str, Any], root: Path, db: dict[str, Any]) -> None:
    dump = root / manifest["database"]["member"]
    if _vendor(db) == "postgresql":
        _pg_run("pg_restore", db, "--exit-on-error", "--single-transaction", str(dump))
        return
    if not str(db["NAME"]).startswith("file:"):
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    with _connect({**db, "NAME": str(dump)}) as source, _connect(db) as dest:
        source.backup(dest)


def _check_target(manifest: dict, db: dict, media: Path, allow_missing_keys: bool) -> list[str]:
    """Refuse a target that the backup cannot be restored into; the warnings that remain."""
    if manifest["database"]["vendor"] != _vendor(db):
        raise BackupError(
            _("This is a %(backup)s backup; the target database is %(target)s.")
            % {"backup": manifest["database"]["vendor"], "target": _vendor(db)}
        )
    current = {fingerprint(k) for k in settings.ENCRYPTION_KEYS}
    missing = [fp for fp in manifest["keys"]["encryptionKeys"] if fp not in current]
    message = _(
        "These encryption keys of the backup are not in VIB_ENCRYPTION_KEYS, so "
        "encrypted data would be unreadable: %(keys)s"
    ) % {"keys": ", ".join(missing)}
    if missing and not allow_missing_keys:
        raise BackupError(message)
    if not _database_is_empty(db):
        raise BackupError(_("The target database is not empty; restore into an empty one."))
    if media.exists() and any(media.iterdir()):
        raise BackupError(_("The private files directory %(path)s is not empty.") % {"path": media})
    return [message] if missing else []


def backup_restore(
    *,
    archive: Path,
    database: dict[str, Any] | None = None,
    media_root: Path | None = None,
    identity: Path | None = None,
    key: str | None = None,
    allow_missing_keys: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Restore an archive into an empty database and an empty private-files directory, with
    the age ``identity`` file (or, for ``vib-backup/1``, the Fernet ``key``). The key, every
    checksum, the encryption keys and the targets are checked before anything is written;
    after loading, every table's row hash must equal the manifest's."""
    say = progress or (lambda message: None)
    db = dict(database if database is not None else connections["default"].settings_dict)
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="vib-restore-") as tmp:
        root = Path(tmp)
        say(_("decrypting and unpacking"))
        manifest = _extract(archive, root, identity=identity, key=key)
        say(_("verifying checksums"))
        _verify(manifest, root)
        warnings = _check_target(manifest, db, media, allow_missing_keys)
        say(_("loading the database"))
        _load_database(manifest, root, db)
        say(_("checking every table"))
        restored, tables = database_fingerprints(db), manifest["database"]["tables"]
        if restored != tables:
            differ = sorted(
                n for n in set(restored) | set(tables) if restored.get(n) != tables.get(n)
            )
            raise BackupError(
                _("Restored tables differ from the backup: %(tables)s")
                % {"tables": ", ".join(differ[:10])}
            )
        say(_("restoring the private files"))
        media.mkdir(parents=True, exist_ok=True)
        for entry in manifest["files"]:
            target = media / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / FILES / entry["path"], target)
    return RestoreResult(
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        files=len(manifest["files"]),
        warnings=warnings,
    )
