"""Layout checks the browser crawl runs on every page at every width (issue 14; ADR 0101, 0156).

Each check is a JavaScript function evaluated in the page; it returns a list of problems (strings,
empty when the page is fine). The crawl (test_accessibility.py) loads each page once, then for
each width in ``WIDTHS`` resizes the viewport and runs every check of ``CHECKS`` — all of them in
one call into the page per width, since every call is a round trip to Chromium that costs more
than most checks (ADR 0130). A further check is one more ``Check`` in the list: nothing else has
to change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

WIDTHS = (320, 390, 768, 1280)
HEIGHT = 900


@dataclass(frozen=True)
class Check:
    name: str
    script: str  # "() => [...problems]", run in the page


# The page is wider than the window: the visitor must scroll sideways to read it. Names the
# deepest elements that stick out, so the report says where to look.
WIDER_THAN_SCREEN = Check(
    "wider than the screen",
    """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    // Inside a container that scrolls by itself (a wide table): that is the container's job.
    let scroller = el.parentElement, clipped = false;
    while (scroller && scroller !== document.body) {
      const style = getComputedStyle(scroller);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) { clipped = true; break; }
      scroller = scroller.parentElement;
    }
    if (clipped) continue;
    if ([...el.children].some((c) => c.getBoundingClientRect().right > width + 1)) continue;
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    const text = (el.textContent || "").trim().slice(0, 40);
    out.push(`${name} ends at ${Math.round(box.right)} px: "${text}"`);
    if (out.length >= 3) break;
  }
  return [`page is ${document.documentElement.scrollWidth} px wide in a ${width} px window`
          + (out.length ? ": " + out.join("; ") : "")];
}""",
)

# A word split over two lines without a hyphen ("penningm / eester"). With word-break and
# overflow-wrap left normal a browser cannot split a word except by hyphenating it (drawing a
# hyphen) or after a hyphen or soft hyphen in the text; so words are measured only in elements
# whose style lets the browser break anywhere, and there every word is measured.
WORD_BROKEN = Check(
    "word broken without a hyphen",
    """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const lines = (node, start, end) => {
    range.setStart(node, start);
    range.setEnd(node, end);
    const bottoms = new Set();
    for (const r of range.getClientRects()) if (r.width > 0) bottoms.add(Math.round(r.bottom));
    return bottoms.size;
  };
  const breaksAnywhere = new Map();
  const mayBreakAnywhere = (el) => {
    if (!breaksAnywhere.has(el)) {
      const style = getComputedStyle(el);
      breaksAnywhere.set(el, style.wordBreak === "break-all" || style.wordBreak === "break-word"
        || style.overflowWrap === "anywhere" || style.overflowWrap === "break-word"
        || style.lineBreak === "anywhere");
    }
    return breaksAnywhere.get(el);
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    if (text.trim().length < 2) continue;
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, .vib-visually-hidden, [hidden]")) continue;
    if (!mayBreakAnywhere(parent) || !parent.checkVisibility()) continue;
    if (lines(node, 0, text.length) < 2) continue;  // the whole text on one line
    for (const match of text.matchAll(/[^\\s\\u00a0\\u00ad-]+/g)) {
      const word = match[0];
      if (word.length < 2) continue;
      if (lines(node, match.index, match.index + word.length) < 2) continue;
      out.push(`"${word}" broken over two lines (in ${parent.tagName.toLowerCase()})`);
      if (out.length >= 5) return out;
    }
  }
  return out;
}""",
)

# A table's title said twice: a heading right above the table and the table's caption with the
# same words. (A caption that repeats a heading is hidden visually and kept for screen readers.)
TITLE_TWICE = Check(
    "table title twice",
    r"""() => {
  const out = [];
  for (const caption of document.querySelectorAll("caption")) {
    if (!caption.checkVisibility() || caption.getBoundingClientRect().height < 2) continue;
    let el = caption.closest("table");
    while (el && !el.previousElementSibling && el.parentElement !== document.body) {
      el = el.parentElement;
    }
    const before = el && el.previousElementSibling;
    if (!before || !/^H[1-6]$/.test(before.tagName)) continue;
    const said = (t) => t.trim().replace(/\s+/g, " ").toLowerCase();
    if (said(caption.textContent).startsWith(said(before.textContent))) {
      out.push(`"${caption.textContent.trim()}" is both heading and caption`);
    }
  }
  return out;
}""",
)

# A number in a table cell that is not right-aligned (figures only compare when aligned).
NUMBER_ALIGNED = Check(
    "number not right-aligned",
    r"""() => {
  const out = [];
  for (const cell of document.querySelectorAll("tbody td")) {
    const text = cell.textContent.trim();
    if (!/^[€\s]*[\u2212+-]?[\d.,]*\d[\d.,]*\s*%?$/.test(text) || /^\d{4}$/.test(text)) continue;
    if (!cell.checkVisibility() || getComputedStyle(cell).display !== "table-cell") continue;
    const align = getComputedStyle(cell).textAlign;
    if (align !== "right" && align !== "end") {
      const caption = cell.closest("table").querySelector("caption");
      const table = caption ? caption.textContent.trim() : "a table";
      out.push(`"${text}" aligned ${align} (in "${table}")`);
      if (out.length >= 3) break;
    }
  }
  return out;
}""",
)

# A drop-down list that does not look like one: a select drawn without the browser's control
# (appearance: none, as Utrecht's select is) and without an arrow of its own looks like a text box.
SELECT_WITHOUT_ARROW = Check(
    "drop-down list without an arrow",
    r"""() => {
  const out = [];
  for (const select of document.querySelectorAll("select:not([multiple])")) {
    if (!select.checkVisibility()) continue;
    const style = getComputedStyle(select);
    if (style.appearance === "none" && style.backgroundImage === "none") {
      out.push(`select #${select.id || select.name} has no arrow`);
      if (out.length >= 3) break;
    }
  }
  return out;
}""",
)

# A field's label beside the field instead of above it (a label and a form control put in a form
# field without Utrecht's label and input wrappers flow on one line). Check boxes and radio
# buttons have their label beside them on purpose.
LABEL_BESIDE_FIELD = Check(
    "label beside its field",
    r"""() => {
  const out = [];
  for (const label of document.querySelectorAll("main label")) {
    const field = label.control;
    if (!field || ["checkbox", "radio", "hidden"].includes(field.type)) continue;
    if (!label.checkVisibility() || !field.checkVisibility()) continue;
    if (label.getBoundingClientRect().bottom > field.getBoundingClientRect().top + 1) {
      out.push(`"${label.textContent.trim().slice(0, 40)}" is not above its field`);
      if (out.length >= 3) break;
    }
  }
  return out;
}""",
)

CHECKS: list[Check] = [
    WIDER_THAN_SCREEN,
    WORD_BROKEN,
    TITLE_TWICE,
    NUMBER_ALIGNED,
    SELECT_WITHOUT_ARROW,
    LABEL_BESIDE_FIELD,
]


# Every check in one function: {check name: [problems]}.
ALL_CHECKS = (
    "() => ({"
    + ", ".join(f"{json.dumps(check.name)}: ({check.script})()" for check in CHECKS)
    + "})"
)


def check_layout(page: Any, who: str, problems: list[str]) -> None:
    """Run every check at every width on the page as loaded; leave the viewport as it was.
    The width the page is at is checked first, without a resize (each resize lays the page
    out anew)."""
    original = page.viewport_size
    current = original["width"] if original else None
    for width in sorted(WIDTHS, key=lambda width: width != current):
        if width != current:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            current = width
        for name, found in page.evaluate(ALL_CHECKS).items():
            problems.extend(f"[{who}] {page.url} @ {width} px: {name}: {text}" for text in found)
    if original and current != original["width"]:
        page.set_viewport_size(original)
