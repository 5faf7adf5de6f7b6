"""The crawl's layout checks find what they are for, and pass a page without it."""

from __future__ import annotations

from typing import Any

from tests.browser.layout import (
    ALL_CHECKS,
    CHECKS,
    LABEL_BESIDE_FIELD,
    NUMBER_ALIGNED,
    SELECT_WITHOUT_ARROW,
    TITLE_TWICE,
    WIDER_THAN_SCREEN,
    WORD_BROKEN,
)

PAGE = """<!DOCTYPE html><html lang="nl"><head><meta name="viewport" content="width=device-width">
<style>body {{ margin: 0; font: 16px sans-serif }} .cell {{ inline-size: 60px; {cell} }}</style>
</head><body><main>
<p class="cell">penningmeester</p>
<div class="wide" {wide}>x</div>
<h2>Incidenten per maand</h2>
<table><caption {caption}>Incidenten per maand</caption><tbody><tr><th>jan</th>
<td {number}>1.234</td></tr></tbody></table>
<div {field}><label for="wave">Meting</label>
<select id="wave" {select}><option>2026</option></select></div>
<input type="checkbox" id="agree"> <label for="agree">Akkoord</label>
</main></body></html>"""


def problems(page: Any, **parts: str) -> dict[str, list[str]]:
    empty = dict.fromkeys(("cell", "wide", "caption", "number", "field", "select"), "")
    html = PAGE.format(**{**empty, **parts})
    page.set_content(html)
    one_by_one = {check.name: page.evaluate(check.script) for check in CHECKS}
    assert page.evaluate(ALL_CHECKS) == one_by_one  # what the crawl runs: all in one call
    return one_by_one


def test_each_check_finds_its_problem_and_passes_a_clean_page(browser: Any) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 600})
    clean = problems(
        page,
        caption='hidden style="display:none"',
        number='style="text-align:right"',
        field='style="display: grid"',
    )
    assert clean == {check.name: [] for check in CHECKS}

    found = problems(
        page,
        cell="word-break: break-all",
        wide='style="inline-size: 500px"',
        number='style="text-align:left"',
        select='style="appearance: none"',
    )
    assert found[WORD_BROKEN.name]
    assert "penningmeester" in found[WORD_BROKEN.name][0]
    assert found[WIDER_THAN_SCREEN.name][0].startswith("page is 500 px wide in a 320 px window")
    assert found[TITLE_TWICE.name] == ['"Incidenten per maand" is both heading and caption']
    assert found[NUMBER_ALIGNED.name]
    assert '"1.234" aligned left' in found[NUMBER_ALIGNED.name][0]
    assert found[SELECT_WITHOUT_ARROW.name] == ["select #wave has no arrow"]
    assert found[LABEL_BESIDE_FIELD.name] == ['"Meting" is not above its field']
    page.close()
