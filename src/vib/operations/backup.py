"""``vib backup`` and ``vib restore``: the database and the private files in one encrypted
archive, with a manifest of checksums and a key inventory (ADR 0060).

The database is dumped with the database's own consistent tools, not with ``dumpdata``:

- SQLite: the online backup API (a page-exact copy taken under one read lock);
- PostgreSQL: ``pg_dump --format=custom`` inside an exported snapshot, so the per-table row
  hashes in the manifest are computed from exactly the rows that were dumped.

Encrypted columns stay ciphertext, the append-only audit chain and its triggers come back
unchanged, and ids (content types included) are kept: a restore is the same database, which
the manifest's per-table row hashes prove after loading.

The archive is a tar stream cut into chunks of 4 MiB, each encrypted with Fernet (AES-128-CBC
+ HMAC-SHA256) and numbered, so that reordering, truncation and tampering are all detected.
The key is ``VIB_BACKUP_KEY`` or else the first of ``VIB_ENCRYPTION_KEYS``. The manifest holds
fingerprints of the keys, never the keys.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

FORMAT = "vib-backup/1"
MAGIC = b"VIBBACKUP1\n"
CHUNK = 4 * 1024 * 1024
_FRAME = struct.Struct(">I")
_CHUNK_HEAD = struct.Struct(">QB")
_MAX_TOKEN = CHUNK * 2 + 4096

MANIFEST = "manifest.json"
DB_SQLITE = "database/db.sqlite3"
DB_PGDUMP = "database/db.pgdump"
FILES = "files/"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why (no secrets in it)."""


# --- keys ----------------------------------------------------------------------------------


def fingerprint(key: str | bytes) -> str:
    """A short, non-reversible name for a key: safe to print and to store."""
    raw = key.encode() if isinstance(key, str) else key
    return "sha256:" + hashlib.sha256(b"vib-key-fingerprint\x00" + raw).hexdigest()[:16]


def backup_key() -> tuple[str, str]:
    """The backup key and where it came from."""
    key = os.environ.get("VIB_BACKUP_KEY", "").strip()
    source = "VIB_BACKUP_KEY"
    if not key:
        keys = list(settings.ENCRYPTION_KEYS)
        if not keys:
            raise ImproperlyConfigured("Set VIB_BACKUP_KEY or VIB_ENCRYPTION_KEYS.")
        key, source = keys[0], "VIB_ENCRYPTION_KEYS[0]"
    try:
        Fernet(key)
    except ValueError:
        raise ImproperlyConfigured(f"{source} is not a valid Fernet key.") from None
    return key, source


def key_inventory(key: str, source: str) -> dict[str, Any]:
    return {
        "backupKey": fingerprint(key),
        "backupKeySource": source,
        "encryptionKeys": [fingerprint(k) for k in settings.ENCRYPTION_KEYS],
        "note": (
            "Encrypted columns in the database (and the organisations' data keys wrapped by "
            "them) can only be read with these VIB_ENCRYPTION_KEYS; keep them with the backup "
            "key, apart from the backups."
        ),
    }


# --- the encrypted stream ------------------------------------------------------------------


class EncryptingWriter(io.RawIOBase):
    """Writes numbered Fernet frames of at most ``CHUNK`` bytes of plaintext each."""

    def __init__(self, out: BinaryIO, key: str) -> None:
        self._out = out
        self._fernet = Fernet(key)
        self._buffer = bytearray()
        self._index = 0
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, data: bytes, *, final: bool) -> None:
        token = self._fernet.encrypt(_CHUNK_HEAD.pack(self._index, int(final)) + data)
        frame = _FRAME.pack(len(token)) + token
        self._out.write(frame)
        self.digest.update(frame)
        self._index += 1

    def finish(self) -> None:
        self._emit(bytes(self._buffer), final=True)
        self._buffer.clear()


class DecryptingReader(io.RawIOBase):
    """Reads what ``EncryptingWriter`` wrote; refuses reordered, cut or altered streams."""

    def __init__(self, source: BinaryIO, key: str) -> None:
        self._in = source
        self._fernet = Fernet(key)
        self._buffer = b""
        self._index = 0
        self._final = False

    def readable(self) -> bool:
        return True

    def _next(self) -> bool:
        if self._final:
            return False
        head = self._in.read(_FRAME.size)
        if len(head) < _FRAME.size:
            raise BackupError("The archive is truncated.")
        (size,) = _FRAME.unpack(head)
        if size > _MAX_TOKEN:
            raise BackupError("The archive is damaged.")
        token = self._in.read(size)
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken:
            raise BackupError(
                "The archive cannot be decrypted with this key, or it was altered."
            ) from None
        index, final = _CHUNK_HEAD.unpack(plain[: _CHUNK_HEAD.size])
        if index != self._index:
            raise BackupError("The archive's chunks are out of order.")
        self._index += 1
        self._final = bool(final)
        self._buffer += plain[_CHUNK_HEAD.size :]
        if self._final and self._in.read(1):
            raise BackupError("The archive has data after its end.")
        return True

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._buffer) < size) and self._next():
            pass
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def finished(self) -> bool:
        """Read to the end: true when the final chunk came and only tar padding is left."""
        while self._next():
            pass
        return self._final and not self._buffer.strip(b"\0")


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
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


# --- databases -----------------------------------------------------------------------------


def _vendor(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _normal(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _fold(rows: Iterable[tuple[Any, ...]]) -> dict[str, Any]:
    """Row count and an order-independent hash of a table's rows (sum of row digests)."""
    total = 0
    count = 0
    for row in rows:
        digest = hashlib.sha256(repr(tuple(_normal(v) for v in row)).encode()).digest()
        total = (total + int.from_bytes(digest)) % (1 << 256)
        count += 1
    return {"rows": count, "hash": f"{total:064x}"}


def sqlite_fingerprints(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    result = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        result[name] = _fold(conn.execute(f"SELECT * FROM {quoted}"))  # noqa: S608
    return result


def _pg_params(db: dict[str, Any]) -> dict[str, Any]:
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    options = db.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword"):
        if options.get(key):
            params[key] = options[key]
    return {k: v for k, v in params.items() if v is not None}


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: str(v) for k, v in _pg_params(db).items() if k in names})
    return env


def pg_fingerprints(conn: Any) -> dict[str, dict[str, Any]]:
    from psycopg import sql

    names = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    result: dict[str, dict[str, Any]] = {}
    for name in names:
        with conn.cursor(name=f"vib_fp_{len(result)}") as cursor:
            cursor.itersize = 2000
            cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(name)))
            result[name] = _fold(cursor)
    return result


def database_fingerprints(db: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per-table row counts and row hashes of a database (settings-style dict)."""
    if _vendor(db) == "sqlite":
        conn = sqlite3.connect(db["NAME"], uri=str(db["NAME"]).startswith("file:"))
        try:
            return sqlite_fingerprints(conn)
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(**_pg_params(db)) as pg:
        return pg_fingerprints(pg)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; PostgreSQL backups need the client tools.")
    return path


def _dump_database(alias: str, target_dir: Path) -> tuple[str, Path, str, dict[str, Any]]:
    """(method, file, member name, table fingerprints), all of one consistent state."""
    connection = connections[alias]
    db = connection.settings_dict
    if _vendor(db) == "sqlite":
        if connection.in_atomic_block:
            raise BackupError("Run the backup outside a transaction.")
        connection.ensure_connection()
        path = target_dir / "db.sqlite3"
        dest = sqlite3.connect(path)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
        copy = sqlite3.connect(path)
        try:
            tables = sqlite_fingerprints(copy)
        finally:
            copy.close()
        return "sqlite-online-backup", path, DB_SQLITE, tables

    import psycopg

    path = target_dir / "db.pgdump"
    with psycopg.connect(**_pg_params(db)) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        command = [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={row[0]}",
            f"--file={path}",
        ]
        done = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True)  # noqa: S603
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
        tables = pg_fingerprints(conn)
        conn.rollback()
    return "pg_dump-custom", path, DB_PGDUMP, tables


# --- files ---------------------------------------------------------------------------------


def _private_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


# --- backup --------------------------------------------------------------------------------


@dataclass
class BackupResult:
    archive: Path
    summary: Path
    manifest: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def _version() -> str:
    try:
        return metadata.version("vib")
    except metadata.PackageNotFoundError:
        return "unknown"


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(tz=UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def backup_create(
    *,
    output_dir: Path,
    alias: str = "default",
    media_root: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> BackupResult:
    """Write ``vib-backup-<time>.vibbak`` (encrypted) and a plain ``.summary.json`` beside it."""
    say = progress or (lambda message: None)
    key, source = backup_key()
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = output_dir / f"vib-backup-{stamp}.vibbak"
    partial = archive.with_suffix(".partial")
    skipped: list[str] = []

    with tempfile.TemporaryDirectory(prefix="vib-backup-") as tmp:
        say("dumping the database")
        method, dump, member, tables = _dump_database(alias, Path(tmp))
        vendor = _vendor(connections[alias].settings_dict)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "createdAt": datetime.now(tz=UTC).isoformat(),
            "vibVersion": _version(),
            "database": {
                "vendor": vendor,
                "method": method,
                "member": member,
                "sha256": sha256_file(dump),
                "bytes": dump.stat().st_size,
                "tables": tables,
            },
            "files": [],
            "keys": key_inventory(key, source),
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            header = {"format": FORMAT, "key": fingerprint(key)}
            out.write(MAGIC + json.dumps(header).encode() + b"\n")
            writer = EncryptingWriter(out, key)
            with tarfile.open(fileobj=writer, mode="w|") as tar:
                tar.add(dump, arcname=member)
                say("adding the private files")
                for path in _private_files(media):
                    relative = path.relative_to(media).as_posix()
                    try:
                        size = path.stat().st_size
                        with path.open("rb") as handle:
                            hashing = _Hashing(handle)
                            info = tarfile.TarInfo(FILES + relative)
                            info.size = size
                            info.mtime = int(path.stat().st_mtime)
                            info.mode = 0o600
                            tar.addfile(info, hashing)
                    except FileNotFoundError:
                        skipped.append(relative)  # deleted after the database snapshot
                        continue
                    manifest["files"].append(
                        {"path": relative, "sha256": hashing.digest.hexdigest(), "bytes": size}
                    )
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, archive)

    summary = {
        "format": FORMAT,
        "archive": archive.name,
        "archiveSha256": sha256_file(archive),
        "createdAt": manifest["createdAt"],
        "database": {
            "vendor": vendor,
            "method": method,
            "tables": len(tables),
            "rows": sum(t["rows"] for t in tables.values()),
        },
        "files": {
            "count": len(manifest["files"]),
            "bytes": sum(f["bytes"] for f in manifest["files"]),
        },
        "keys": manifest["keys"],
    }
    summary_path = archive.with_name(archive.stem + ".summary.json")
    summary_path.write_text(json.dumps(summary, indent=1) + "\n")
    return BackupResult(archive, summary_path, manifest, skipped)


# --- restore -------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    warnings: list[str]


def _read_header(handle: BinaryIO) -> dict[str, Any]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BackupError("This is not a VIB backup archive.")
    line = handle.readline(4096)
    try:
        header = json.loads(line)
    except ValueError:
        raise BackupError("The archive header is damaged.") from None
    if header.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {header.get('format')!r}.")
    return header


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def _extract(archive: Path, key: str, into: Path) -> dict[str, Any]:
    with archive.open("rb") as handle:
        header = _read_header(handle)
        if header.get("key") != fingerprint(key):
            raise BackupError(
                f"The archive was made with key {header.get('key')}; the key given is "
                f"{fingerprint(key)}."
            )
        reader = DecryptingReader(handle, key)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"Unexpected entry in the archive: {member.name!r}.")
                tar.extract(member, into, filter="data")
        if not reader.finished():
            raise BackupError("The archive is truncated.")
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("The archive has no manifest.")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError("The manifest has an unknown format.")
    return manifest


def _verify(manifest: dict[str, Any], root: Path) -> None:
    db = manifest["database"]
    if sha256_file(root / db["member"]) != db["sha256"]:
        raise BackupError("The database dump does not match its checksum.")
    listed = set()
    for entry in manifest["files"]:
        path = root / FILES / entry["path"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            raise BackupError(f"A private file does not match its checksum: {entry['path']}")
        listed.add(entry["path"])
    files_dir = root / FILES
    present = {p.relative_to(files_dir).as_posix() for p in _private_files(files_dir)}
    if present != listed:
        raise BackupError("The archive holds files its manifest does not list.")


def _database_is_empty(db: dict[str, Any]) -> bool:
    if _vendor(db) == "sqlite":
        name = str(db["NAME"])
        if not name.startswith("file:") and (
            not Path(name).exists() or Path(name).stat().st_size == 0
        ):
            return True
        conn = sqlite3.connect(name, uri=name.startswith("file:"))
        try:
            row = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'"
            ).fetchone()
        finally:
            conn.close()
        return row[0] == 0
    import psycopg

    with psycopg.connect(**_pg_params(db)) as pg:
        found = pg.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert found is not None
        return bool(found[0] == 0)


def _load_database(manifest: dict[str, Any], root: Path, db: dict[str, Any]) -> None:
    dump = root / manifest["database"]["member"]
    if _vendor(db) == "sqlite":
        name = str(db["NAME"])
        if not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(dump)
        dest = sqlite3.connect(name, uri=name.startswith("file:"))
        try:
            source.backup(dest)
        finally:
            source.close()
            dest.close()
        return
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={db['NAME']}",
        str(dump),
    ]
    done = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-500:]}")


def backup_restore(
    *,
    archive: Path,
    database: dict[str, Any] | None = None,
    media_root: Path | None = None,
    key: str | None = None,
    allow_missing_keys: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Restore an archive into an empty database and an empty private-files directory.

    Everything is checked before anything is written: the key, every checksum, that the
    target database and directory are empty, and that the encryption keys of the backup are
    configured. After loading, the per-table row hashes must equal those in the manifest.
    """
    say = progress or (lambda message: None)
    db = dict(database if database is not None else connections["default"].settings_dict)
    media = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    key = key or backup_key()[0]
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vib-restore-") as tmp:
        root = Path(tmp)
        say("decrypting and unpacking")
        manifest = _extract(archive, key, root)
        say("verifying checksums")
        _verify(manifest, root)
        if manifest["database"]["vendor"] != _vendor(db):
            raise BackupError(
                f"This is a {manifest['database']['vendor']} backup; the target database is "
                f"{_vendor(db)}."
            )
        current = {fingerprint(k) for k in settings.ENCRYPTION_KEYS}
        missing = [fp for fp in manifest["keys"]["encryptionKeys"] if fp not in current]
        if missing:
            message = (
                "These encryption keys of the backup are not in VIB_ENCRYPTION_KEYS, so "
                "encrypted data would be unreadable: " + ", ".join(missing)
            )
            if not allow_missing_keys:
                raise BackupError(message)
            warnings.append(message)
        if not _database_is_empty(db):
            raise BackupError("The target database is not empty; restore into an empty one.")
        if media.exists() and any(media.iterdir()):
            raise BackupError(f"The private files directory {media} is not empty.")
        say("loading the database")
        _load_database(manifest, root, db)
        say("checking every table")
        restored = database_fingerprints(db)
        if restored != manifest["database"]["tables"]:
            differ = sorted(
                name
                for name in set(restored) | set(manifest["database"]["tables"])
                if restored.get(name) != manifest["database"]["tables"].get(name)
            )
            raise BackupError("Restored tables differ from the backup: " + ", ".join(differ[:10]))
        say("restoring the private files")
        media.mkdir(parents=True, exist_ok=True)
        for entry in manifest["files"]:
            target = media / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / FILES / entry["path"], target)
    tables = manifest["database"]["tables"]
    return RestoreResult(
        tables=len(tables),
        rows=sum(t["rows"] for t in tables.values()),
        files=len(manifest["files"]),
        warnings=warnings,
    )
