"""Every installed VIB module contributes its API routes through ``<app>.api.register(router)``."""

from __future__ import annotations

import importlib

from django.apps import apps
from rest_framework.routers import SimpleRouter


def register_module_routes(router: SimpleRouter) -> None:
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
            register(router)
