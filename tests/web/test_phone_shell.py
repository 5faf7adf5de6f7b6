"""The shell on phones: the menu button names the current section (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vib.web.navigation import NavItem, current_item

pytestmark = pytest.mark.django_db


def item(url_name: str) -> NavItem:
    return NavItem(label=url_name, url_name=url_name, visible=lambda user, organisation: True)


def test_the_current_section_is_the_longest_menu_url_above_the_path() -> None:
    items = [item("web:home"), item("incidents:index"), item("incidents:sector")]
    assert current_item(items, "/") == items[0]
    assert current_item(items, "/incidenten/") == items[1]
    assert current_item(items, "/incidenten/overzicht") == items[1]
    assert current_item(items, "/incidenten/sector") == items[2]
    assert current_item(items, "/organisaties") is None  # "/" is the start page only


def test_the_menu_button_works_without_javascript_and_names_the_section(
    demo: Any, client: Client
) -> None:
    page = client.get("/organisaties").content.decode()
    menu = page.split('<details class="vib-nav__menu">')[1].split("</details>")[0]
    summary = menu.split("</summary>")[0]
    assert "Menu" in summary
    assert "Organisaties" in summary  # the current section, also on the closed button
    assert 'href="/organisaties" aria-current="page"' in menu
    assert "<script" not in menu
