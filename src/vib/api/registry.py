"""Every installed VIB module contributes its API routes through ``<app>.api.register(router)``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:  # the permission classes import this module while DRF's views still load
    from rest_framework.routers import SimpleRouter


def module_apis() -> Iterator[tuple[str, Callable[[SimpleRouter], Any]]]:
    """(app label, its ``register``) for every installed VIB module that has an API."""
    for config in apps.get_app_configs():
        if not config.name.startswith("vib."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        register = getattr(module, "register", None)
        if register is not None:
            yield config.label, register


def register_module_routes(router: SimpleRouter) -> None:
    for _label, register in module_apis():
        register(router)
