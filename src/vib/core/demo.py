"""The demo: synthetic organisations, people for every role, and each app's demo data.

Every installed ``vib.*`` app may have a ``demo.py`` with ``build(ctx: DemoContext) -> None``;
the apps are asked in ``INSTALLED_APPS`` order. Everything is synthetic and reproducible:
the same seed gives the same data and the same passwords.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    description: str


DEFAULT_SEED = 20260401
DEMO_DOMAIN = "demo.vib.nl"


def demo_password(email: str, seed: int = DEFAULT_SEED) -> str:
    """A readable demo password that follows from the seed and the address alone."""
    rng = random.Random(f"{seed}:{email}")
    words = ["veilig", "integer", "bestuur", "polder", "dijk", "raad", "tulp", "molen"]
    return "-".join(rng.choice(words) for _ in range(3)) + f"-{rng.randint(10, 99)}"


@dataclass
class DemoContext:
    scale: str
    seed: int
    rng: random.Random
    logins: list[DemoLogin] = field(default_factory=list)
    # Filled by the apps, for the apps after them (e.g. organisations → accounts → incidents).
    shared: dict[str, Any] = field(default_factory=dict)

    def password(self, email: str) -> str:
        return demo_password(email, self.seed)


SCALES = ("small", "large")


def demo_builders() -> list[tuple[str, Callable[[DemoContext], None]]]:
    builders = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vib.") or config.name == __package__:
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        builders.append((config.label, module.build))
    return builders


def build_demo(
    *, scale: str = "small", seed: int = DEFAULT_SEED, parts: Collection[str] | None = None
) -> DemoContext:
    """The demo; with ``parts``, only those apps' builders (by app label), in the same order, so
    that each part is what the whole demo would make of it."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose from {', '.join(SCALES)}.")
    ctx = DemoContext(scale=scale, seed=seed, rng=random.Random(seed))
    with transaction.atomic():
        for label, build in demo_builders():
            if parts is None or label in parts:
                build(ctx)
    return ctx
