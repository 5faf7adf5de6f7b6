"""The yearly report: primary and secondary suppression, scopes and formats."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from vib.core import disclosure
from vib.integrity import report, services
from vib.integrity.models import ReportFact


def hidden_lines(grid):
    rows = [list(r) for r in grid]
    cols = [[grid[r][c] for r in range(len(grid))] for c in range(len(grid[0]))]
    return [sum(c.hidden for c in line) for line in rows + cols]


def test_small_cells_are_hidden_and_cannot_be_recovered_from_totals():
    grid = report.protect([[3, 25, 40], [12, 14, 0], [0, 0, 0]])
    values = [[c.value for c in row] for row in grid]
    assert values[-1] == [15, 39, 40, 94]  # the totals row
    assert grid[0][0].hidden  # 3 < 10: primary
    assert not grid[2][0].hidden  # a zero is not small
    # Secondary: no row or column has exactly one hidden cell.
    assert 1 not in hidden_lines(grid)
    # The 3 cannot be worked out: another cell of its row and its column is hidden too.
    assert sum(c.hidden for c in grid[0]) >= 2
    assert sum(grid[r][0].hidden for r in range(len(grid))) >= 2


def test_a_small_total_is_hidden_as_well():
    grid = report.protect([[4, 0], [0, 0]])
    assert grid[0][0].hidden
    assert grid[0][2].hidden  # the row total 4
    assert grid[2][2].hidden  # the grand total 4
    assert 1 not in hidden_lines(grid)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=5, max_size=5),
        min_size=1,
        max_size=9,
    )
)
def test_suppression_never_leaves_a_single_hidden_cell_in_a_line(inner):
    grid = report.protect(inner)
    assert 1 not in hidden_lines(grid)
    for row in grid:
        for cell in row:
            if disclosure.hides_count(cell.value):
                assert cell.hidden


@pytest.mark.django_db
def test_report_counts_and_formats(world, client):
    # 12 founded reprimands in category "behaviour" (shown), 3 founded in "financial" (hidden).
    for number in range(15):
        ReportFact.objects.create(
            organisation=world.a,
            year=2025,
            case_type="report",
            category="behaviour" if number < 12 else "financial",
            investigated=True,
            finding="founded",
            measures=["reprimand"],
        )
    services.report_submit(organisation=world.a, channel="anonymous", summary="Dit jaar.")
    with translation.override("en"):
        data = report.build(year=2025, organisations=None, title="Landelijk")
    overview = {label: cells[0] for label, cells in data["tables"][0].rows}
    assert overview["Reports received"].value == 15
    by_category = dict(data["tables"][1].rows)
    financial = next(cells for label, cells in by_category.items() if "Financ" in label)
    assert financial[1].hidden  # 3 reprimands: primary
    assert financial[-1].hidden  # its total too
    behaviour = next(cells for label, cells in by_category.items() if "behaviour" in label)
    assert not by_category["Total"][1].hidden  # 15 reprimands in all
    assert behaviour[1].hidden  # secondary: else 15 - 12 gives the 3 away

    officer = world.people["officer_a"]
    client.force_login(officer)
    page = client.get("/integriteit/jaarverslag?jaar=2025&schaal=organisatie")
    assert page.status_code == 200
    assert "<caption" in page.content.decode()
    csv_response = client.get("/integriteit/jaarverslag?jaar=2025&formaat=csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert any(row and row[0].startswith("Ontvangen meldingen") for row in rows)
    xlsx = client.get("/integriteit/jaarverslag?jaar=2025&formaat=xlsx")
    assert xlsx.content[:2] == b"PK"
    pdf = client.get("/integriteit/jaarverslag?jaar=2025&formaat=pdf")
    assert pdf.content[:5] == b"%PDF-"
    # The integrity officer has no national view; the sector analyst has, and no own one.
    assert client.get("/integriteit/jaarverslag?jaar=2025&schaal=landelijk").status_code == 404
    client.force_login(world.people["analyst"])
    assert client.get("/integriteit/jaarverslag?jaar=2025&schaal=landelijk").status_code == 200
    assert client.get("/integriteit/jaarverslag?jaar=2025&schaal=organisatie").status_code == 404
    bad = client.get("/integriteit/jaarverslag?jaar=abc&schaal=landelijk")
    assert bad.status_code == 400
