"""Uploaded files judged by their content, never by the name or the browser's type.

``sniff_media`` recognises the images and PDF that every module accepts by their magic bytes;
``sniff_document`` adds the office documents, plain text and e-mail messages that integrity
reporters send (``vib.integrity.services``). ``safe_name`` gives a harmless download name whose
extension follows the sniffed type, so ``x.html`` or an ``.exe`` sent as PDF cannot keep its
own extension.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import re
import unicodedata
import zipfile

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
HEIC = "image/heic"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
EML = "message/rfc822"

EXTENSIONS = {
    PNG: ".png",
    JPEG: ".jpg",
    WEBP: ".webp",
    HEIC: ".heic",
    PDF: ".pdf",
    TEXT: ".txt",
    DOCX: ".docx",
    XLSX: ".xlsx",
    ODT: ".odt",
    EML: ".eml",
}

# Office documents with macros: refused even when the rest of the package looks right.
_MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|macroEnabled|^Basic/", re.IGNORECASE)
# Text that a browser or mail client would run or render when opened from a download folder.
_ACTIVE_TEXT = re.compile(rb"^\s*(<!doctype|<html|<script|<svg|<\?xml)", re.IGNORECASE)
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")


def sniff_media(head: bytes) -> str | None:
    """The media type of an image or PDF from its first 32 bytes, when it is one we accept."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def _office(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if any(_MACRO_PARTS.search(name) for name in names):
                return None
            if "mimetype" in names:
                if package.read("mimetype").strip() == ODT.encode():
                    return ODT
                return None
            if "[Content_Types].xml" not in names:
                return None
            types = package.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, ValueError, NotImplementedError, OSError):
        return None
    if b"macroEnabled" in types:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _text(data: bytes) -> str | None:
    if b"\x00" in data or _ACTIVE_TEXT.match(data):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TEXT


def _email(data: bytes) -> bool:
    """An RFC 5322 message: it opens with header lines and names a sender or a subject."""
    first = data.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not _HEADER.match(first) or b"\x00" in data:
        return False
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    return bool(parsed.get("From") or parsed.get("Subject")) and not parsed.defects


def sniff_document(data: bytes) -> str | None:
    """The media type of a whole file, when it is one of ``EXTENSIONS``; else ``None``."""
    if not data:
        return None
    found = sniff_media(data[:32])
    if found:
        return found
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    if _email(data):
        return EML
    return _text(data)


def safe_stem(name: str, *, fallback: str = "bestand") -> str:
    """The name without folders and extension, in letters, digits and dashes only."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem = unicodedata.normalize("NFKD", base.rsplit(".", 1)[0] if "." in base else base)
    stem = stem.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:80] or fallback


def safe_name(name: str, content_type: str, *, fallback: str = "bestand") -> str:
    """A harmless download name: letters, digits, dashes; the extension follows the content."""
    return safe_stem(name, fallback=fallback) + EXTENSIONS[content_type]
