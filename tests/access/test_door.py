"""The build fails when a view or API module fetches a model outside the access layer.

Views, API modules and forms get objects from ``vib.access`` (confidential data) or from an
app's ``selectors`` (everything else). They never touch a model manager or Django's shortcuts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "vib"
CHECKED = {"views.py", "api.py", "forms.py", "viewsets.py", "serializers.py"}
FORBIDDEN_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}
FORBIDDEN_CALLS = {"get_object_or_404", "get_list_or_404", "raw"}


def violations(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"{filename}:{node.lineno} uses .{node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in FORBIDDEN_CALLS:
                found.append(f"{filename}:{node.lineno} calls {name}()")
        elif isinstance(node, ast.ImportFrom) and node.module == "django.shortcuts":
            for alias in node.names:
                if alias.name in FORBIDDEN_CALLS:
                    found.append(f"{filename}:{node.lineno} imports {alias.name}")
    return found


def checked_modules() -> list[Path]:
    return sorted(
        path
        for path in SRC.rglob("*.py")
        if (path.name in CHECKED or "views" in path.parent.name) and "migrations" not in path.parts
    )


def test_there_are_modules_to_check():
    assert any(path.name == "views.py" for path in checked_modules())


@pytest.mark.parametrize("path", checked_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_view_and_api_modules_use_the_access_layer(path: Path):
    assert violations(path.read_text(), str(path.relative_to(SRC))) == []


@pytest.mark.parametrize(
    "source",
    [
        "def v(r, id):\n    return Incident.objects.get(pk=id)\n",
        "from django.shortcuts import get_object_or_404\n",
        "def v(r):\n    return get_object_or_404(Case, pk=1)\n",
        "class V:\n    queryset = Report._default_manager.all()\n",
    ],
)
def test_the_rule_catches_a_direct_fetch(source: str):
    assert violations(source, "views.py")
