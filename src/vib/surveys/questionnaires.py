"""Questionnaires as versioned data: loading, validating, routing and checking answers.

An instrument is a YAML file under ``instruments/`` named ``<code>-<version>.yaml``. A file is
never edited once a wave has used it: a change is a new version (a new file). Every text is
given in Dutch and English (``{nl: …, en: …}``). See ``docs/surveys.md`` for the format.

This module has no models: it turns a file into an immutable :class:`Instrument` and checks
answers against it. Answers are plain JSON values keyed by question id:

* ``single`` / ``scale`` → the option value (``str``) / the scale point (``int``)
* ``multiple`` → a list of option values
* ``number`` → an ``int``
* ``text`` → a ``str``
* ``grid`` → ``{row_id: option value}``
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
LANGUAGES = ("nl", "en")
TYPES = ("single", "multiple", "scale", "number", "text", "grid")
UNITS = ("person", "organisation")
STRATA = ("tier", "function", "gender")
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
VALUE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
FILE_PATTERN = re.compile(r"(?P<code>[a-z][a-z0-9_]*)-(?P<version>[0-9][0-9a-z.]*)\.yaml")
TEXT_MAX = 2000
NUMBER_LIMIT = 1_000_000


class InstrumentError(ValueError):
    """The instrument file is not valid; the message names the file and the place."""


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "nl").startswith("en") else self.nl


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    exclusive: bool = False  # "none of these": may not be combined with other options


@dataclass(frozen=True)
class Row:
    id: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """``question``/``stratum`` with one operator, or ``all``/``any`` of conditions."""

    question: str = ""
    stratum: str = ""
    op: str = ""
    value: Any = None
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()

    def holds(self, answers: Mapping[str, Any], strata: Mapping[str, str]) -> bool:
        if self.all:
            return all(c.holds(answers, strata) for c in self.all)
        if self.any:
            return any(c.holds(answers, strata) for c in self.any)
        actual = strata.get(self.stratum, "") if self.stratum else answers.get(self.question)
        if self.op == "answered":
            return actual not in (None, "", [], {})
        if actual is None:
            return False
        if self.op == "equals":
            return actual == self.value
        if self.op == "not_equals":
            return actual != self.value
        if self.op == "in":
            return actual in self.value
        if self.op == "includes_any":
            return isinstance(actual, list) and any(v in actual for v in self.value)
        if self.op == "gte":
            return isinstance(actual, int) and actual >= self.value
        raise AssertionError(self.op)  # pragma: no cover - rejected when loading


OPERATORS = ("equals", "not_equals", "in", "includes_any", "answered", "gte")


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Text
    help: Text | None = None
    required: bool = True
    options: tuple[Option, ...] = ()
    rows: tuple[Row, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = TEXT_MAX
    show_if: Condition | None = None
    sensitive: bool = False  # open text: left out of exports unless asked for

    def option_values(self) -> list[str]:
        return [o.value for o in self.options]

    def scale_points(self) -> list[int]:
        assert self.minimum is not None
        assert self.maximum is not None
        return list(range(self.minimum, self.maximum + 1))


@dataclass(frozen=True)
class Group:
    id: str
    title: Text
    intro: Text | None
    questions: tuple[Question, ...]
    show_if: Condition | None = None


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    title: Text
    intro: Text
    unit: str
    groups: tuple[Group, ...]
    digest: str
    functions: tuple[str, ...] = ()  # the frame functions this instrument is meant for
    questions: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.code}-{self.version}"

    def visible_groups(self, answers: Mapping[str, Any], strata: Mapping[str, str]) -> list[Group]:
        """The groups (pages) the respondent sees, given the answers so far (routing)."""
        return [g for g in self.groups if g.show_if is None or g.show_if.holds(answers, strata)]

    def visible_questions(
        self, group: Group, answers: Mapping[str, Any], strata: Mapping[str, str]
    ) -> list[Question]:
        return [q for q in group.questions if q.show_if is None or q.show_if.holds(answers, strata)]

    def prune(self, answers: Mapping[str, Any], strata: Mapping[str, str]) -> dict[str, Any]:
        """Only the answers to questions the respondent was routed to (stale ones dropped)."""
        kept: dict[str, Any] = {}
        for group in self.groups:
            if group.show_if is not None and not group.show_if.holds(kept, strata):
                continue
            for q in group.questions:
                if q.show_if is not None and not q.show_if.holds(kept, strata):
                    continue
                if q.id in answers and answers[q.id] not in (None, "", [], {}):
                    kept[q.id] = answers[q.id]
        return kept


# --- loading ---------------------------------------------------------------------------------


def _fail(where: str, message: str) -> InstrumentError:
    return InstrumentError(f"{where}: {message}")


def _text(raw: Any, where: str, *, optional: bool = False) -> Text | None:
    if raw is None and optional:
        return None
    if not isinstance(raw, dict) or set(raw) != set(LANGUAGES):
        raise _fail(where, "needs exactly the languages nl and en")
    if not all(isinstance(raw[lang], str) and raw[lang].strip() for lang in LANGUAGES):
        raise _fail(where, "every language needs a non-empty text")
    return Text(nl=raw["nl"].strip(), en=raw["en"].strip())


def _condition(raw: Any, where: str, known: dict[str, Question]) -> Condition:
    if not isinstance(raw, dict):
        raise _fail(where, "a condition must be a mapping")
    if "all" in raw or "any" in raw:
        kind = "all" if "all" in raw else "any"
        if set(raw) != {kind} or not isinstance(raw[kind], list) or not raw[kind]:
            raise _fail(where, f"'{kind}' needs a non-empty list and nothing else")
        parts = tuple(_condition(c, f"{where}.{kind}[{i}]", known) for i, c in enumerate(raw[kind]))
        return Condition(all=parts) if kind == "all" else Condition(any=parts)
    ops = [k for k in raw if k in OPERATORS]
    subject = [k for k in raw if k in ("question", "stratum")]
    if len(ops) != 1 or len(subject) != 1 or len(raw) != 2:
        raise _fail(where, f"needs 'question' or 'stratum' and one of {', '.join(OPERATORS)}")
    op = ops[0]
    value = raw[op]
    if subject[0] == "stratum":
        if raw["stratum"] not in STRATA:
            raise _fail(where, f"unknown stratum {raw['stratum']!r}")
        return Condition(stratum=raw["stratum"], op=op, value=value)
    return _question_condition(raw["question"], op, value, where, known)


def _question_condition(
    qid: str, op: str, value: Any, where: str, known: dict[str, Question]
) -> Condition:
    if qid not in known:
        raise _fail(where, f"refers to {qid!r}, which is not a question of an earlier group")
    target = known[qid]
    allowed = set(target.option_values())
    values = value if isinstance(value, list) else [value]
    if op in ("in", "includes_any") and not isinstance(value, list):
        raise _fail(where, f"'{op}' needs a list")
    if target.type in ("single", "multiple") and op != "answered":
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise _fail(where, f"{unknown} are not options of {qid!r}")
    if op == "includes_any" and target.type != "multiple":
        raise _fail(where, "'includes_any' only applies to multiple-choice questions")
    if op == "gte" and target.type not in ("number", "scale"):
        raise _fail(where, "'gte' only applies to numbers and scales")
    return Condition(question=qid, op=op, value=value)


def _options(raw: Any, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise _fail(where, "needs a list of at least two options")
    options = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict) or not VALUE_PATTERN.fullmatch(str(item.get("value", ""))):
            raise _fail(at, "an option needs a value of lower-case letters, digits and _")
        options.append(
            Option(
                value=str(item["value"]),
                label=_text(item.get("label"), f"{at}.label"),  # type: ignore[arg-type]
                exclusive=bool(item.get("exclusive", False)),
            )
        )
    values = [o.value for o in options]
    if len(set(values)) != len(values):
        raise _fail(where, "option values must be unique")
    return tuple(options)


def _grid_rows(rows: Any, where: str) -> tuple[Row, ...]:
    if not isinstance(rows, list) or not rows:
        raise _fail(where, "a grid needs rows")
    parsed = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not ID_PATTERN.fullmatch(str(row.get("id", ""))):
            raise _fail(f"{where}.rows[{i}]", "a row needs an id")
        parsed.append(Row(id=row["id"], label=_text(row.get("label"), f"{where}.rows[{i}]")))  # type: ignore[arg-type]
    if len({r.id for r in parsed}) != len(parsed):
        raise _fail(where, "row ids must be unique")
    return tuple(parsed)


def _bounds(raw: dict[str, Any], qtype: str, where: str) -> tuple[int, int]:
    low, high = raw.get("min"), raw.get("max")
    if not isinstance(low, int) or not isinstance(high, int) or low >= high:
        raise _fail(where, "needs integer min < max")
    if abs(low) > NUMBER_LIMIT or abs(high) > NUMBER_LIMIT:
        raise _fail(where, "min and max are out of range")
    if qtype == "scale" and high - low > 10:
        raise _fail(where, "a scale has at most 11 points")
    return low, high


def _scale_ends(labels: Any, low: int, high: int, where: str) -> tuple[Option, Option]:
    labels = labels or {}
    if not isinstance(labels, dict) or not {"min", "max"} <= set(labels):
        raise _fail(where, "a scale needs labels for min and max")
    return (
        Option(str(low), _text(labels["min"], f"{where}.labels.min")),  # type: ignore[arg-type]
        Option(str(high), _text(labels["max"], f"{where}.labels.max")),  # type: ignore[arg-type]
    )


def _question_id(raw: Any, where: str, known: dict[str, Question]) -> tuple[str, str]:
    """The question's id, checked, and the place to name in messages about it."""
    if not isinstance(raw, dict):
        raise _fail(where, "a question must be a mapping")
    qid = str(raw.get("id", ""))
    if not ID_PATTERN.fullmatch(qid):
        raise _fail(where, "a question needs an id of lower-case letters, digits and _")
    where = f"{where} ({qid})"
    if qid in known:
        raise _fail(where, "duplicate question id")
    return qid, where


def _question(
    raw: Any, where: str, earlier: dict[str, Question], known: dict[str, Question]
) -> Question:
    qid, where = _question_id(raw, where, known)
    qtype = raw.get("type")
    if qtype not in TYPES:
        raise _fail(where, f"type must be one of {', '.join(TYPES)}")
    kwargs: dict[str, Any] = {
        "id": qid,
        "type": qtype,
        "text": _text(raw.get("text"), f"{where}.text"),
        "help": _text(raw.get("help"), f"{where}.help", optional=True),
        "required": bool(raw.get("required", qtype != "text")),
        "sensitive": qtype == "text",
    }
    if raw.get("show_if") is not None:
        kwargs["show_if"] = _condition(raw["show_if"], f"{where}.show_if", earlier)
    if qtype in ("single", "multiple", "grid"):
        kwargs["options"] = _options(raw.get("options"), f"{where}.options")
    if qtype == "single" and any(o.exclusive for o in kwargs["options"]):
        raise _fail(where, "'exclusive' only applies to multiple choice")
    if qtype == "grid":
        kwargs["rows"] = _grid_rows(raw.get("rows"), where)
    if qtype in ("scale", "number"):
        kwargs["minimum"], kwargs["maximum"] = _bounds(raw, qtype, where)
    if qtype == "scale":
        kwargs["options"] = _scale_ends(
            raw.get("labels"), kwargs["minimum"], kwargs["maximum"], where
        )
    if qtype == "text":
        length = raw.get("max_length", TEXT_MAX)
        if not isinstance(length, int) or not 1 <= length <= TEXT_MAX:
            raise _fail(where, f"max_length must be 1 to {TEXT_MAX}")
        kwargs["max_length"] = length
    return Question(**kwargs)


def parse_instrument(source: str, *, name: str) -> Instrument:
    """Parse and validate the YAML text of an instrument; raises :class:`InstrumentError`."""
    try:
        raw = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise _fail(name, f"not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise _fail(name, "the file must hold a mapping")
    code, version = str(raw.get("code", "")), str(raw.get("version", ""))
    if not ID_PATTERN.fullmatch(code) or not re.fullmatch(r"[0-9][0-9a-z.]*", version):
        raise _fail(name, "needs a code and a version")
    unit = raw.get("unit", "person")
    if unit not in UNITS:
        raise _fail(name, f"unit must be one of {', '.join(UNITS)}")
    functions = raw.get("functions") or []
    if not isinstance(functions, list) or not all(isinstance(f, str) for f in functions):
        raise _fail(name, "functions must be a list of function codes")
    title = _text(raw.get("title"), f"{name}: title")
    intro = _text(raw.get("intro"), f"{name}: intro")
    known: dict[str, Question] = {}
    groups: list[Group] = []
    raw_groups = raw.get("groups")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise _fail(name, "needs a list of groups")
    group_ids: set[str] = set()
    for gi, graw in enumerate(raw_groups):
        where = f"{name}: groups[{gi}]"
        if not isinstance(graw, dict) or not ID_PATTERN.fullmatch(str(graw.get("id", ""))):
            raise _fail(where, "a group needs an id")
        if graw["id"] in group_ids:
            raise _fail(where, "duplicate group id")
        group_ids.add(graw["id"])
        # Conditions refer only to questions of earlier groups (pages): a page is routed as a
        # whole, so the questionnaire works without JavaScript.
        earlier = dict(known)
        show_if = (
            _condition(graw["show_if"], f"{where}.show_if", earlier)
            if graw.get("show_if") is not None
            else None
        )
        questions = []
        raw_questions = graw.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise _fail(where, "a group needs questions")
        for qi, qraw in enumerate(raw_questions):
            question = _question(qraw, f"{where}.questions[{qi}]", earlier, known)
            known[question.id] = question
            questions.append(question)
        groups.append(
            Group(
                id=graw["id"],
                title=_text(graw.get("title"), f"{where}.title"),  # type: ignore[arg-type]
                intro=_text(graw.get("intro"), f"{where}.intro", optional=True),
                questions=tuple(questions),
                show_if=show_if,
            )
        )
    return Instrument(
        code=code,
        version=version,
        title=title,  # type: ignore[arg-type]
        intro=intro,  # type: ignore[arg-type]
        unit=unit,
        groups=tuple(groups),
        digest=hashlib.sha256(source.encode()).hexdigest(),
        functions=tuple(functions),
        questions=known,
    )


@cache
def load_instrument(key: str) -> Instrument:
    """The shipped instrument ``<code>-<version>``; raises ``KeyError`` if there is none."""
    match = FILE_PATTERN.fullmatch(f"{key}.yaml")
    path = INSTRUMENTS_DIR / f"{key}.yaml"
    if match is None or not path.is_file():
        raise KeyError(key)
    instrument = parse_instrument(path.read_text(encoding="utf-8"), name=path.name)
    if instrument.key != key:
        raise InstrumentError(f"{path.name}: code and version do not match the file name")
    return instrument


def available_instruments() -> list[Instrument]:
    """Every shipped instrument version, newest version of each code last."""
    keys = sorted(p.stem for p in INSTRUMENTS_DIR.glob("*.yaml") if FILE_PATTERN.fullmatch(p.name))
    return [load_instrument(k) for k in keys]


def latest_instruments() -> dict[str, Instrument]:
    latest: dict[str, Instrument] = {}
    for instrument in available_instruments():
        latest[instrument.code] = instrument  # sorted: the last one wins
    return latest


# --- answers ---------------------------------------------------------------------------------


def _parse_multiple(question: Question, values: list[str]) -> tuple[Any, str | None]:
    if not values:
        return None, (_("Choose at least one answer.") if question.required else None)
    allowed = question.option_values()
    if any(v not in allowed for v in values) or len(set(values)) != len(values):
        return None, _("Choose from the answers shown.")
    exclusive = [o for o in question.options if o.exclusive and o.value in values]
    if len(values) > 1 and exclusive:
        return None, _("“%(option)s” cannot be combined with other answers.") % {
            "option": str(exclusive[0].label)
        }
    return [v for v in allowed if v in values], None


def _parse_grid(question: Question, data: Any) -> tuple[Any, str | None]:
    result: dict[str, str] = {}
    missing = False
    for row in question.rows:
        value = data.get(f"{question.id}__{row.id}", "")
        if not value:
            missing = True
        elif value not in question.option_values():
            return None, _("Choose from the answers shown.")
        else:
            result[row.id] = value
    if missing and question.required:
        return result or None, _("Answer every row.")
    return result or None, None


def _parse_number(question: Question, raw: str) -> tuple[Any, str | None]:
    try:
        number = int(raw)
    except ValueError:
        return None, _("Enter a whole number.")
    assert question.minimum is not None
    assert question.maximum is not None
    if not question.minimum <= number <= question.maximum:
        return None, _("Enter a number from %(min)d to %(max)d.") % {
            "min": question.minimum,
            "max": question.maximum,
        }
    return number, None


def parse_answer(question: Question, data: Any) -> tuple[Any, str | None]:
    """Read one question's answer from form data (a QueryDict-like). Returns (value, error)."""
    if question.type == "multiple":
        return _parse_multiple(question, [v for v in data.getlist(question.id) if v])
    if question.type == "grid":
        return _parse_grid(question, data)
    raw = str(data.get(question.id, "")).strip()
    if not raw:
        return None, (_("Answer this question.") if question.required else None)
    if question.type == "single":
        if raw not in question.option_values():
            return None, _("Choose from the answers shown.")
        return raw, None
    if question.type in ("scale", "number"):
        return _parse_number(question, raw)
    # open text
    if len(raw) > question.max_length:
        return None, _("Use at most %(max)d characters.") % {"max": question.max_length}
    return raw, None


def check_answer(question: Question, value: Any) -> bool:
    """Is a stored value a valid answer to ``question``? (Used for imports and demo data.)"""
    if value is None:
        return not question.required
    if question.type == "single":
        return value in question.option_values()
    if question.type == "multiple":
        return (
            isinstance(value, list) and bool(value) and set(value) <= set(question.option_values())
        )
    if question.type in ("scale", "number"):
        return isinstance(value, int) and question.minimum <= value <= question.maximum  # type: ignore[operator]
    if question.type == "grid":
        return isinstance(value, dict) and set(value.values()) <= set(question.option_values())
    return isinstance(value, str) and len(value) <= question.max_length
