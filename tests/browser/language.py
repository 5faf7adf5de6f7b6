"""The language check of the browser crawls: no English and no raw code on a Dutch page.

``LanguageCheck`` is built once per test session (it reads the Dutch catalogue and the code
values of every choice field) and checked per page: ``check(page) -> list[str]`` returns one
problem per offending text. A text counts when it is *the whole* of a text node or of a
user-facing attribute (``aria-label``, ``placeholder``, ``title``, ``alt``, a button's
``value``), visible on a page whose ``<html lang>`` is Dutch:

- an English source string: a msgid of VIB's catalogue whose Dutch translation differs from
  it (so "Status" or "Team", the same in both languages, never count);
- a raw code: the stored value of a choice (``declared``, ``ag_coordinator``,
  ``representative``), a role code, unless the same word is also Dutch text of the catalogue.

Whole-text matching keeps it free of false alarms from words inside Dutch sentences (or in
the synthetic demo data), while it catches what untranslated labels, options, headings,
buttons and history lines look like.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps

LOCALE = Path(__file__).resolve().parents[2] / "src" / "vib" / "locale"
# Codes that are also plain Dutch or universal (and so never a leaked code on their own).
ALLOWED_CODES = frozenset({"nl", "en", "ja", "nee", "ok"})
CODE_LIKE = re.compile(r"^[a-z][a-z0-9_.]*$")

TEXTS = """() => {
  if (!(document.documentElement.lang || "").startsWith("nl")) return null;
  const out = [];
  const skip = "[hidden], [aria-hidden=true], script, style, template, noscript, code, pre";
  // Text marked as another language (the switch's "English") is not Dutch text.
  const dutch = (el) => { const l = el.closest("[lang]"); return !l || l.lang.startsWith("nl"); };
  const visible = (el) => !el || (!el.closest(skip) && dutch(el)
    && (el.checkVisibility ? el.checkVisibility() : true));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const parent = node.parentElement;
    if (parent && parent.tagName === "OPTION") { out.push(text); continue; }
    if (visible(parent)) out.push(text);
  }
  const named = "[aria-label], [placeholder], [title], img[alt], "
    + "input[type=submit][value], input[type=button][value]";
  for (const el of document.querySelectorAll(named)) {
    if (!visible(el)) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt", "value"]) {
      const value = el.getAttribute(name);
      const button = el.tagName === "INPUT" && ["submit", "button"].includes(el.type);
      if (value && (name !== "value" || button)) out.push(value.trim());
    }
  }
  return out;
}"""


def _dutch_catalogue() -> dict[str, str]:
    with (LOCALE / "nl" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        catalog: dict[Any, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    # Plural entries are keyed (msgid, n); their singular msgid counts too.
    out: dict[str, str] = {}
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and value:
            out.setdefault(msgid, value)
    return out


def _code_values() -> set[str]:
    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("vib."):
            continue
        for model_field in model._meta.get_fields():
            for value, _label in getattr(model_field, "flatchoices", None) or ():
                if isinstance(value, str):
                    codes.add(value)
    from vib.accounts.models import Role

    codes.update(Role.objects.values_list("code", flat=True))
    return codes


@dataclass
class LanguageCheck:
    english: dict[str, str] = field(default_factory=dict)  # msgid → its Dutch translation
    codes: set[str] = field(default_factory=set)

    @classmethod
    def build(cls) -> LanguageCheck:
        catalogue = _dutch_catalogue()
        english = {
            msgid: dutch
            for msgid, dutch in catalogue.items()
            if msgid != dutch and len(msgid) > 2 and "%(" not in msgid and "{" not in msgid
        }
        dutch_words = {text.lower() for text in catalogue.values()}
        codes = {
            code
            for code in _code_values()
            if CODE_LIKE.match(code)
            and len(code) > 2
            and code not in ALLOWED_CODES
            and code.lower() not in dutch_words
        }
        # A msgid that is also a Dutch translation elsewhere ("Monitor") is Dutch too.
        for text in [m for m in english if m.lower() in dutch_words]:
            del english[text]
        return cls(english=english, codes=codes)

    def check(self, page: Any, who: str) -> list[str]:
        texts = page.evaluate(TEXTS)
        if texts is None:  # not a Dutch page (the visitor chose English)
            return []
        problems = []
        for text in dict.fromkeys(texts):
            if text in self.english:
                problems.append(
                    f"[{who}] {page.url}: English {text!r} (Dutch: {self.english[text]!r})"
                )
            elif text in self.codes:
                problems.append(f"[{who}] {page.url}: raw code {text!r}")
        return problems
