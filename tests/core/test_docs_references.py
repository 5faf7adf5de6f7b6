"""Every ADR number, documentation path and ``VIB_*`` variable that the code and the docs
mention exists, and every ``VIB_*`` variable the code reads is in docs/configuration.md.

A reference that drifted (an ADR that was never written, a page that was renamed, a setting
that was dropped) misleads the next person more than no reference at all.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("src", "docs", "tests", "bench", "scripts", "deploy")
TOP = ("README.md", "CONTRIBUTING.md", "SECURITY.md", "Makefile", "Containerfile")
SUFFIXES = {".py", ".md", ".html", ".txt", ".yaml", ".yml", ".toml", ".R", ".sh", ".json", ""}

ADR_RANGE = re.compile(r"\bADRs? ?(\d{1,4})(?:\s?[\u2013-]\s?(\d{1,4}))?")
ADR_PATH = re.compile(r"docs/adr/(\d{4})-[\w-]+\.md")
DOC_PATH = re.compile(r"\bdocs/[\w/.-]+\.md\b")
VARIABLE = re.compile(r"\bVIB_[A-Z0-9_]*[A-Z0-9]\b")
# Read from the environment (os.environ / os.getenv / env helpers with a literal name).
READ = re.compile(
    r"""(?:environ(?:\.get)?|getenv|\benv_\w+|setdefault)\(\s*["'](VIB_[A-Z0-9_]+)["']"""
    r"""|environ\[["'](VIB_[A-Z0-9_]+)["']\]"""
)

# Read by the shell: the image's entry point, the compose stack, the Makefile and scripts.
READ_SHELL = re.compile(r"\$\$?\{?(VIB_[A-Z0-9_]+)|\$\((VIB_[A-Z0-9_]+)\)")
# What reads variables besides src/: the image, the stacks and the tooling around them.
READERS = ("deploy", "scripts")
READER_FILES = ("Makefile", "Containerfile")


@cache
def _files() -> list[Path]:
    out = [ROOT / name for name in TOP if (ROOT / name).exists()]
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if (
                path.is_file()
                and path.suffix in SUFFIXES
                and "__pycache__" not in path.parts
                and "node_modules" not in path.parts
                and "vendor" not in path.parts
                and path != Path(__file__)
                and path.stat().st_size < 1_000_000  # data, not prose
            ):
                out.append(path)
    return out


@cache
def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""


def _adr_numbers() -> set[int]:
    return {int(p.name[:4]) for p in (ROOT / "docs" / "adr").glob("[0-9][0-9][0-9][0-9]-*.md")}


def test_every_adr_mentioned_exists() -> None:
    known = _adr_numbers()
    missing = []
    for path in _files():
        text = _text(path)
        for match in ADR_RANGE.finditer(text):
            low = int(match.group(1))
            high = int(match.group(2) or low)
            # A range names a series of decisions; its ends must exist (gaps are allowed).
            for number in {low, high}:
                if number not in known:
                    missing.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        for match in ADR_PATH.finditer(text):
            if not (ROOT / match.group(0)).exists():
                missing.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not missing, "ADRs referred to that do not exist:\n" + "\n".join(sorted(missing))


def test_every_docs_path_mentioned_exists() -> None:
    missing = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _files()
        for match in DOC_PATH.finditer(_text(path))
        if not (ROOT / match.group(0)).exists()
    ]
    assert not missing, "Documentation paths that do not exist:\n" + "\n".join(sorted(missing))


def test_no_reference_outside_the_repository() -> None:
    outside = re.compile(
        r"(?:\.\./|/work/)shared/|\bshared/(?:design|data)/|\bDOMAIN\.md|STATS_SPEC\.md"
    )
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _files()
        for number, line in enumerate(_text(path).splitlines(), start=1)
        if outside.search(line)
    ]
    assert not found, "References to documents outside the repository:\n" + "\n".join(found)


def test_every_variable_is_documented_and_every_documented_one_is_read() -> None:
    """(What the image, the stacks and the Makefile read counts as read.)"""
    configuration = _text(ROOT / "docs" / "configuration.md")
    first_cells = re.findall(r"^\| ([^|]*`VIB_[^|]*)\|", configuration, flags=re.MULTILINE)
    documented = {name for cell in first_cells for name in VARIABLE.findall(cell)}
    read: set[str] = set()
    for path in _files():
        top = path.parts[len(ROOT.parts)]
        if path.suffix == ".py" and top in ("src", *READERS):
            read |= {m.group(1) or m.group(2) for m in READ.finditer(_text(path))}
        if top in READERS or top in READER_FILES:
            read |= {m.group(1) or m.group(2) for m in READ_SHELL.finditer(_text(path))}
    mentioned: set[str] = set()
    for path in _files():
        mentioned |= set(VARIABLE.findall(_text(path)))

    undocumented = sorted(read - documented)
    assert not undocumented, f"Read by the code but not in docs/configuration.md: {undocumented}"
    unknown = sorted(mentioned - documented)
    assert not unknown, f"Mentioned but not in docs/configuration.md: {unknown}"
    unread = sorted(documented - read)
    assert not unread, f"In docs/configuration.md but read nowhere: {unread}"


DOTTED = re.compile(r"``(vib(?:\.[A-Za-z_][A-Za-z0-9_]*)+)``|`(vib(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")
CODE_PATH = re.compile(r"\b(?:src/)?(vib/[\w/]+\.(?:py|html|yaml|txt))\b")


def _resolves(dotted: str) -> bool:
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_every_code_reference_in_the_docs_exists() -> None:
    """``vib.monitor.inputs.report_input`` and ``vib/incidents/codes.py`` in a page or a
    docstring name something that is there."""
    missing = []
    for path in _files():
        text = _text(path)
        for match in DOTTED.finditer(text):
            dotted = match.group(1) or match.group(2)
            package = dotted.split(".")[1]
            if not (ROOT / "src" / "vib" / package).exists():
                continue  # a host name such as vib.example.nl
            if not _resolves(dotted):
                missing.append(f"{path.relative_to(ROOT)}: {dotted}")
        for match in CODE_PATH.finditer(text):
            if not any(p.exists() for p in (ROOT / "src" / match.group(1), ROOT / match.group(1))):
                missing.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not missing, "Code named in the docs that does not exist:\n" + "\n".join(sorted(missing))
