"""Domain apps talk to each other through services and selectors, never through each other's
views or forms (docs/architecture.md); what every app's views share lives in ``vib.web``."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "vib"
SHARED = {"web", "core"}  # may be imported by every app
PRIVATE_LAYERS = {"views", "forms"}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return found


def test_no_app_imports_another_apps_views_or_forms() -> None:
    crossings = []
    for path in SRC.rglob("*.py"):
        app = path.relative_to(SRC).parts[0]
        for module, line in _imports(path):
            parts = module.split(".")
            if len(parts) < 3 or parts[0] != "vib":
                continue
            other, layer = parts[1], parts[2]
            if other != app and other not in SHARED and layer in PRIVATE_LAYERS:
                crossings.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not crossings, "\n".join(crossings)


def test_the_view_glue_is_written_once() -> None:
    """Service errors onto a form, the active organisation and the capability check come from
    vib.web.shortcuts; a private copy in an app's views is the duplication this replaced."""
    copies = []
    for path in SRC.glob("*/views.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                body = ast.unparse(node)
                if "form.add_error" in body and "error_dict" in body:
                    copies.append(f"{path.relative_to(SRC)}: {node.name}")
                if node.name in {"_organisation", "_require", "_may"}:
                    copies.append(f"{path.relative_to(SRC)}: {node.name}")
    assert not copies, "use vib.web.shortcuts instead of:\n" + "\n".join(copies)
