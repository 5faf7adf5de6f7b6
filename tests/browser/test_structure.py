"""The crawl runs axe once per structure (structure.py): pages that differ only in their data
are the same structure, and every difference axe can see makes a new one."""

from __future__ import annotations

import pytest
from tests.browser.structure import structure_of

PAGE = """<html><head><title>{title}</title></head><body><header>shell</header>
<main id="main"><h1 class="utrecht-heading-1">{title}</h1>
<table class="utrecht-table"><caption>Eenheden van {organisation}</caption><tbody>{rows}</tbody>
</table>
<form action="/eenheden/{id}"><input type="hidden" name="once" value="{token}">
<label for="id_name">Naam</label><input id="id_name" name="name" value="{name}"></form>
<a href="/eenheden/{id}" aria-describedby="hint-{id}">{name}</a><p id="hint-{id}">{hint}</p>
</main></body></html>"""
ROW = '<tr><th scope="row"><a href="/eenheden/{id}">{name}</a></th><td class="n">{n}</td></tr>'


def page(**changes: str) -> str:
    values = {
        "title": "Organisatieonderdelen",
        "organisation": "Utrecht",
        "rows": "".join(
            ROW.format(id=f"{i:08d}-0000-4000-8000-000000000000", name=f"Team {i}", n=i)
            for i in range(3)
        ),
        "id": "6518599f-aa4c-4c95-96a3-0ba3b36bbe17",
        "token": "WHGXV_7xa",
        "name": "Bestuurszaken",
        "hint": "Open de eenheid.",
    }
    return PAGE.format(**{**values, **changes})


def test_pages_that_differ_only_in_their_data_are_one_structure() -> None:
    other_rows = "".join(
        ROW.format(id=f"{i:08d}-1111-4000-8000-000000000000", name=f"Afdeling {i}", n=i * 7)
        for i in range(12)
    )
    assert structure_of(page()) == structure_of(
        page(
            organisation="Provincie Utrecht",
            rows=other_rows,
            id="48bd7204-993f-4a58-b746-d09cf579d78f",
            token="Um7SU2afVQ",
            name="Een heel andere naam",
            hint="Iets anders.",
        )
    )
    # What is outside the title and <main> (the shell) is not the page's structure.
    assert structure_of(page()) == structure_of(page().replace("shell", "andere kop"))


@pytest.mark.parametrize(
    "change",
    [
        ('class="utrecht-heading-1"', 'class="utrecht-heading-2"'),  # another style, colours
        ("<h1 ", "<h3 "),  # the heading order
        ('<label for="id_name">Naam</label>', ""),  # a field without a label
        ('for="id_name"', 'for="id_other"'),  # a label that points elsewhere
        ('scope="row"', 'scope="col"'),
        ("<tbody>", '<tbody role="presentation">'),
        ('<p id="hint', '<p hidden id="hint'),
        (">Bestuurszaken</a>", "></a>"),  # a link without a name
        ('<tr><th scope="row">', '<tr><td scope="row">'),  # a row unlike the others
    ],
)
def test_what_axe_reads_makes_a_new_structure(change: tuple[str, str]) -> None:
    old, new = change
    assert old in page()
    assert structure_of(page()) != structure_of(page().replace(old, new, 1))
