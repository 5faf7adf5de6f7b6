"""The structure of a page as axe-core reads it, so that the crawl runs axe once per structure.

axe's WCAG rules read the markup and the stylesheet: elements, roles, names, ARIA states and
references, form labels, headings, landmarks, and the colours the classes give. They do not
read what the words are, only whether an element has any. Two pages of the same template filled
with different records (another organisation's units, another person's incident) give axe the
same findings; the layout and language checks, which do read the words, still run on every
content (ADR 0154).

``structure_of(html)`` is a hash of the title and ``<main>`` as the server sent them, with

- every text reduced to "text", and the attributes that carry data (``href``, ``value``,
  ``aria-label``, ``alt``, …) to whether they are empty;
- identifiers (``id``, ``for``, ``aria-labelledby``, ``headers``, …) reduced to their shape:
  a UUID or a number in them counts as any other, while two equal ones stay equal;
- a run of identical siblings (the rows of a table, the items of a list) counted once.

Everything else is kept as it is: element names, classes, roles, types, ARIA states, ``lang``.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

from tests.browser.crawl import UUID

# What of a page the crawl compares: its title and its main content (not the shell around it).
CONTENT = re.compile(r"<title>.*?</title>|<main\b.*</main>", re.S)
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Attributes whose value is data: only whether it is empty counts (also every data-* and
# htmx's hx-*, which hold addresses and states for the scripts).
DATA = frozenset(
    {"href", "src", "action", "value", "name", "content", "alt", "title", "placeholder", "label"}
    | {"formaction", "srcset", "cite", "download"}
    | {"aria-label", "aria-description", "aria-valuetext", "aria-valuenow", "aria-placeholder"}
    | {"datetime", "min", "max", "nonce", "style"}
)
# Attributes that name or point at an element: their shape counts.
REFERENCES = frozenset(
    {"id", "for", "headers", "list", "form", "aria-labelledby", "aria-describedby"}
    | {"aria-controls", "aria-owns", "aria-activedescendant", "aria-details", "aria-errormessage"}
)
NUMBER = re.compile(r"\d+")


def _attribute(name: str, value: str | None) -> str:
    if value is None:
        return name
    if name in DATA or name.startswith(("data-", "hx-")):
        return f"{name}={'' if not value.strip() else '…'}"
    if name in REFERENCES:
        return f"{name}={NUMBER.sub('9', UUID.sub('U', value))}"
    return f"{name}={value}"


def _opening(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    return f"<{tag} " + " ".join(sorted(_attribute(n, v) for n, v in attrs)) + ">"


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # The open elements, outermost first: (tag, its opening, what is in it so far).
        self.open: list[tuple[str, str, list[str]]] = [("", "", [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        opening = _opening(tag, attrs)
        if tag in VOID:
            self._add(opening)
        else:
            self.open.append((tag, opening, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(_opening(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        # HTML may leave an end tag out: close up to the nearest open element of this name.
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth][0] == tag:
                while len(self.open) > depth:
                    self._close()
                return

    def handle_data(self, data: str) -> None:
        if data.strip():
            self._add("text")

    def _add(self, part: str) -> None:
        inside = self.open[-1][2]
        if not inside or inside[-1] != part:  # a run of identical siblings counts once
            inside.append(part)

    def _close(self) -> None:
        tag, opening, inside = self.open.pop()
        self._add(opening + "".join(inside) + f"</{tag}>")

    def result(self) -> str:
        while len(self.open) > 1:
            self._close()
        return "".join(self.open[0][2])


def structure_of(html: str) -> str:
    parser = _Structure()
    for match in CONTENT.finditer(html):
        parser.feed(match.group(0))
    parser.close()
    return hashlib.sha256(parser.result().encode()).hexdigest()
