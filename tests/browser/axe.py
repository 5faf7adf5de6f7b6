"""axe-core in the browser tests: one way to load it and one way to ask it (WCAG 2.2 A and AA).

axe-core is vendored (``vendor/axe.min.js``, see ``vendor/VERSIONS.txt``). ``violations(page)``
loads it into the page when it is not there yet (a context made by ``browser_context`` has it
already) and returns one line per violation, naming up to three elements. axe is asked for
violations only (``resultTypes``): it then collects one node, not every node, of the rules that
pass, which halves its time on a long page and changes nothing in what it reports.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN = """async (tags) => {
  if (typeof window.axe === "undefined") return null;
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""


@cache
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


def browser_context(browser: Any, **options: Any) -> Any:
    """A browser context that loads axe-core into every page it opens: the script is handed
    to Chromium once, instead of once per page (half a megabyte each time)."""
    context = browser.new_context(**options)
    context.add_init_script(script=source())
    return context


def found(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now: id, impact, help and up to three nodes."""
    result = page.evaluate(RUN, TAGS)
    if result is None:  # a page the context's init script did not reach
        page.evaluate(source())
        result = page.evaluate(RUN, TAGS)
    return result


def violations(page: Any) -> list[str]:
    """One line per violation: ``id (impact) help — node, node``; empty when axe finds none."""
    return [f"{v['id']} ({v['impact']}) {v['help']} — {', '.join(v['nodes'])}" for v in found(page)]
