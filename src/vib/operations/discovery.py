"""Finding what the installed ``vib.*`` apps declare in a conventional module."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from django.apps import apps

# Modules registered by hand, per conventional name: for tests, and for plug-ins that are not
# Django apps. Use ``registered()``.
_EXTRA: dict[str, list[tuple[str, ModuleType]]] = {}


@contextmanager
def registered(name: str, label: str, module: ModuleType) -> Iterator[None]:
    """Treat ``module`` as ``<label>/<name>.py`` while the block runs."""
    entry = (label, module)
    _EXTRA.setdefault(name, []).append(entry)
    try:
        yield
    finally:
        _EXTRA[name].remove(entry)


def app_modules(name: str) -> list[tuple[str, ModuleType]]:
    """``(app label, module)`` for every installed ``vib.*`` app that has ``<app>/<name>.py``,
    in ``INSTALLED_APPS`` order. A module that fails to import raises: better loudly at start
    than a job that silently never runs."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vib."):
            continue
        dotted = f"{config.name}.{name}"
        try:
            module = importlib.import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
            continue
        found.append((config.label, module))
    return found + list(_EXTRA.get(name, []))
