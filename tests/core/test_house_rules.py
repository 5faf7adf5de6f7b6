"""Two house rules of docs/architecture.md, checked on the source (ADR 0133):

- every service names the person it acts for ``actor`` and types it ``Actor`` (``user`` is
  whom a read is for inside ``vib.access``, and in a service only the person a write is
  *about*, next to an ``actor``);
- no capability is spelled as a string outside the module that defines its constant.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "vib"

# Names the acting person went by before ADR 0133; none of them may come back.
ACTING_NAMES = {"author", "acting_user", "by", "performed_by"}
ACTOR_TYPES = {"Actor", "Actor | None"}
# Where capability codes are defined; migrations freeze them as data on purpose.
CONSTANT_MODULES = {"accounts/roles.py"} | {
    str(path.relative_to(SRC)) for path in SRC.glob("*/capabilities.py")
}
# Capability checks and where their capability argument sits (index of the positional
# argument from which on every positional argument is a capability).
CAPABILITY_CALLS = {
    "has_capability": 1,
    "capability_organisations": 1,
    "capability_holders": 1,
    "may": 1,
    "require_capability": 1,
}


def _service_modules() -> list[Path]:
    return sorted([*SRC.glob("*/services.py"), *SRC.glob("*/services/*.py")])


def acting_person_problems(source: str, where: str) -> list[str]:
    """Every function of a service module whose signature breaks the ``actor`` rule."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        names = {argument.arg: argument for argument in arguments}
        label = f"{where}:{node.lineno} {node.name}"
        for name in ACTING_NAMES & names.keys():
            problems.append(f"{label}: the acting person is `actor`, not `{name}`")
        if "user" in names and "actor" not in names:
            problems.append(f"{label}: `user` without an `actor`; name the acting person `actor`")
        actor = names.get("actor")
        if actor is not None:
            annotation = ast.unparse(actor.annotation) if actor.annotation else ""
            if annotation not in ACTOR_TYPES:
                problems.append(f"{label}: `actor: {annotation or '(untyped)'}`, not `Actor`")
    return problems


def capability_codes() -> dict[str, str]:
    """Every capability code defined as a constant, with the constant's name."""
    codes = {}
    for relative in sorted(CONSTANT_MODULES):
        tree = ast.parse((SRC / relative).read_text(encoding="utf-8"))
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)):
                continue
            value = node.value.value
            if not (isinstance(value, str) and "." in value):
                continue
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    codes[value] = f"{relative}: {target.id}"
    return codes


def capability_literal_problems(source: str, where: str, codes: dict[str, str]) -> list[str]:
    """String literals that spell a capability: a known code anywhere, or any literal handed
    to a capability check."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in codes:
            problems.append(f"{where}:{node.lineno} {node.value!r}: use {codes[node.value]}")
        if isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            if name not in CAPABILITY_CALLS:
                continue
            arguments = node.args[CAPABILITY_CALLS[name] :] + [
                keyword.value for keyword in node.keywords if keyword.arg == "capability"
            ]
            for argument in arguments:
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    problems.append(
                        f"{where}:{node.lineno} {name}({argument.value!r}): "
                        "check a capability constant, not a string"
                    )
    return problems


def test_every_service_acts_for_an_actor() -> None:
    modules = _service_modules()
    assert len(modules) >= 10  # the glob still finds the services
    problems = []
    for path in modules:
        where = str(path.relative_to(SRC))
        problems += acting_person_problems(path.read_text(encoding="utf-8"), where)
    assert not problems, "\n".join(problems)


def test_every_actor_is_typed_actor() -> None:
    """Writes outside the services modules (the admin's factor reset, the subject export, a
    referral's linked record) take the acting person too: as ``actor: Actor`` as well."""
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "migrations" in relative.parts:
            continue
        for problem in acting_person_problems(path.read_text(encoding="utf-8"), str(relative)):
            if "not `Actor`" in problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)


def test_no_capability_is_spelled_outside_its_constant() -> None:
    codes = capability_codes()
    assert "incidents.report" in codes
    assert "sector.view_aggregates" in codes
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "migrations" in relative.parts or str(relative) in CONSTANT_MODULES:
            continue
        problems += capability_literal_problems(
            path.read_text(encoding="utf-8"), str(relative), codes
        )
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_they_are_for() -> None:
    """The rules above find the shapes they forbid (so a green run means something)."""
    bad_services = (
        "def message_add(*, help_request, author: Any, text: str): ...\n"
        "def request_rate(*, help_request, user: User, score: int): ...\n"
        "def case_close(*, help_request, actor: Any): ...\n"
        "def role_assign(*, user: User, actor: Actor | None, role: str): ...\n"
    )
    found = acting_person_problems(bad_services, "example.py")
    assert [problem.split(" ", 1)[1].split(":")[0] for problem in found] == [
        "message_add",
        "request_rate",
        "case_close",
    ]
    codes = {"sector.view_aggregates": "accounts/roles.py: SECTOR_AGGREGATES"}
    bad_views = (
        'sector = has_capability(request.user, "sector.view_aggregates")\n'
        'own = may(request, "incidents.handle", organisation)\n'
        "fine = has_capability(request.user, caps.VIEW_REPORT)\n"
    )
    found = capability_literal_problems(bad_views, "views.py", codes)
    assert len(found) == 3  # the known code twice (literal and call), the unknown one once
    assert all("caps.VIEW_REPORT" not in problem for problem in found)
