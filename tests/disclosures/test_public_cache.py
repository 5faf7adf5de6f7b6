"""Issue #15: the public register and its files are cached per organisation until the next
change (ADR 0099), and since ADR 0124 as the final bytes: a repeat request from an anonymous
visitor asks the database nothing and gets the same bytes, gzip when accepted, a 304 when it
has them already; a write through the services, or a change of the organisation, shows on
the next request; the page comes in pages of 50 declarants."""

from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vib.disclosures import services
from vib.disclosures.models import Declarant, Office

pytestmark = pytest.mark.django_db

FILES = ("", "/nevenfuncties.csv", "/inkomsten.csv", "/register.json")
NOW = "2026-03-12 12:00 +01:00"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(town, django_capture_on_commit_callbacks):
    reg = town.people["registrar"]
    with (
        time_machine.travel("2026-03-10 12:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        declarant = services.declarant_create(
            actor=reg,
            organisation=town.organisation,
            user=town.people["raadslid"],
            name="Rita Raad",
            office=Office.REPRESENTATIVE,
            function="raadslid",
            appointed_on=date(2026, 3, 10),
        )
        activity = services.side_activity_declare(
            actor=declarant.user,
            declarant=declarant,
            role="bestuurslid",
            body="Hogeschool Proef",
            start_date=date(2023, 1, 1),
            paid=True,
        )
        services.side_activity_register(actor=reg, activity=activity)
        services.income_record(
            actor=declarant.user, activity=activity, year=2026, amount=Decimal("5000")
        )
    return declarant


def _url(town, suffix: str = "") -> str:
    return f"/nevenwerkzaamheden/openbaar/{town.organisation.code}{suffix}"


def _fetch(client, town, suffix: str = "", **headers):
    with (
        time_machine.travel(NOW, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(_url(town, suffix), headers=headers)
    return response, len(queries)


def _get(client, town, suffix: str = ""):
    response, queries = _fetch(client, town, suffix)
    assert response.status_code == 200
    return response.content, queries


def test_a_repeat_request_is_the_same_bytes_without_a_query(town, client, published):
    for suffix in FILES:
        first, cold = _get(client, town, suffix)
        second, warm = _get(client, town, suffix)
        assert b"Hogeschool Proef" in first, suffix
        assert second == first, suffix  # the page too: nothing per visitor in it
        assert cold > 0, suffix
        assert warm == 0, (suffix, warm)


def test_the_shared_answer_carries_caching_headers_and_no_cookie(town, client, published):
    for suffix in FILES:
        response, _queries = _fetch(client, town, suffix)
        assert response["Cache-Control"] == "public, no-cache", suffix
        assert "Accept-Encoding" in response["Vary"], suffix
        assert "Cookie" in response["Vary"], suffix  # the language cookie picks the entry
        assert response["ETag"].startswith('"'), suffix
        assert not response.cookies, suffix  # a shared, public answer never sets a cookie
        # The security headers stay on the kept answer.
        assert "Content-Security-Policy" in response, suffix
        assert response["X-Content-Type-Options"] == "nosniff", suffix
    page, _queries = _fetch(client, town)
    assert b"csrfmiddlewaretoken" not in page.content


def test_gzip_is_the_same_content_compressed_once(town, client, published):
    for suffix in FILES:
        plain, _ = _fetch(client, town, suffix)
        packed, _ = _fetch(client, town, suffix, accept_encoding="gzip, deflate, br")
        again, queries = _fetch(client, town, suffix, accept_encoding="gzip, deflate, br")
        assert "Content-Encoding" not in plain, suffix
        assert packed["Content-Encoding"] == "gzip", suffix
        assert int(packed["Content-Length"]) == len(packed.content), suffix
        assert gzip.decompress(packed.content) == plain.content, suffix
        assert again.content == packed.content, suffix
        assert queries == 0, suffix
        assert packed["ETag"] != plain["ETag"], suffix  # two representations, two tags
        refused, _ = _fetch(client, town, suffix, accept_encoding="gzip;q=0, identity")
        assert "Content-Encoding" not in refused, suffix


def test_a_matching_etag_is_answered_304(town, client, published):
    for suffix in FILES:
        for encoding in ("identity", "gzip"):
            first, _ = _fetch(client, town, suffix, accept_encoding=encoding)
            etag = first["ETag"]
            same, queries = _fetch(
                client, town, suffix, accept_encoding=encoding, if_none_match=etag
            )
            assert same.status_code == 304, (suffix, encoding)
            assert same.content == b""
            assert same["ETag"] == etag
            assert queries == 0
            other, _ = _fetch(
                client, town, suffix, accept_encoding=encoding, if_none_match='"stale"'
            )
            assert other.status_code == 200, (suffix, encoding)


def _changes(town, published):
    reg = town.people["registrar"]

    def new_activity():
        activity = services.side_activity_declare(
            actor=published.user,
            declarant=published,
            role="voorzitter",
            body="Zwemclub De Spetters",
            start_date=date(2024, 1, 1),
            paid=True,
        )
        services.side_activity_register(actor=reg, activity=activity)

    def ended_activity():
        activity = published.activities.get(body="Hogeschool Proef")
        services.side_activity_end(actor=reg, activity=activity, end_date=date(2026, 3, 11))

    def left_office():  # a publication change: Rita is no longer a sitting council member
        services.declarant_leave(actor=reg, declarant=published, left_on=date(2026, 3, 11))

    def renamed():  # outside the services: the admin or the shell saves the organisation
        town.organisation.name = "Proefstad"
        town.organisation.save()

    return {
        "new activity": new_activity,
        "ended activity": ended_activity,
        "left office": left_office,
        "renamed": renamed,
    }


@pytest.mark.parametrize("change", ["new activity", "ended activity", "left office", "renamed"])
def test_a_change_shows_at_once(
    town, client, published, django_capture_on_commit_callbacks, change
):
    before = {suffix: _get(client, town, suffix)[0] for suffix in FILES}
    etag = _fetch(client, town)[0]["ETag"]
    with (
        time_machine.travel("2026-03-11 12:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _changes(town, published)[change]()
    after = {suffix: _get(client, town, suffix)[0] for suffix in FILES}
    assert after[""] != before[""]
    assert after["/register.json"] != before["/register.json"]
    # A browser holding the old page gets the new one, not a 304.
    assert _fetch(client, town, if_none_match=etag)[0].status_code == 200
    page = after[""].decode()
    if change == "new activity":
        assert "Zwemclub De Spetters" in page
    elif change == "ended activity":
        assert "Former side functions" in page or "Eerdere nevenfuncties" in page
    elif change == "left office":
        assert "Former office holders" in page or "Voormalige ambtsdragers" in page
    else:
        assert "Proefstad" in page


def test_a_rolled_back_write_keeps_the_cache(town, client, published):
    before, _ = _get(client, town, "/register.json")
    with time_machine.travel("2026-03-11 12:00 +01:00", tick=False):
        # No commit: the on-commit renewal never runs, and the entry stays valid.
        services.declarant_leave(
            actor=town.people["registrar"], declarant=published, left_on=date(2026, 3, 11)
        )
    after, queries = _get(client, town, "/register.json")
    assert after == before
    assert queries == 0


def test_dates_and_languages_do_not_share_entries(town, client, published):
    url = _url(town)
    with time_machine.travel(NOW, tick=False):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(url).content
        earlier = client.get(url, {"peildatum": "2026-03-01"}).content
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
        dutch = client.get(url).content
    assert b"Hogeschool Proef" in english
    assert b"Hogeschool Proef" not in earlier
    assert b"Other side functions of Rita Raad" in english
    assert b"Andere nevenfuncties van Rita Raad" in dutch


def test_what_a_visitor_typed_is_not_kept_for_the_next(town, client, published):
    url = _url(town)
    with time_machine.travel(NOW, tick=False):
        odd = client.get(url, {"peildatum": "<gisteren>"})
        assert odd.status_code == 200
        assert "Cache-Control" not in odd or "public" not in odd["Cache-Control"]
        clean = client.get(url, {"peildatum": "2026-3-1"}).content.decode()
        again = client.get(url, {"peildatum": "2026-03-01", "utm": "x"}).content.decode()
    assert "gisteren" not in clean
    assert clean == again
    assert 'value="2026-03-01"' in clean
    assert "utm" not in clean


def test_a_logged_in_visitor_gets_the_page_of_their_own(town, published, client):
    client.force_login(town.people["registrar"])
    response, _queries = _fetch(client, town)
    assert response.status_code == 200
    assert b"Hogeschool Proef" in response.content
    assert b"csrfmiddlewaretoken" in response.content  # their menu's forms need it
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


def test_the_language_switch_works_from_the_shared_page(town, published):
    client = Client(enforce_csrf_checks=True)
    page, _ = _fetch(client, town)
    assert b"csrfmiddlewaretoken" not in page.content
    data = {"language": "en", "next": _url(town)}
    # Another site's form: no Sec-Fetch-Site of ours, no token -> refused as before.
    refused = client.post("/i18n/setlang/", data, headers={"sec-fetch-site": "cross-site"})
    assert refused.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in refused.cookies
    assert client.post("/i18n/setlang/", data).status_code == 403
    # This site's own form, as the browser marks it.
    switched = client.post("/i18n/setlang/", data, headers={"sec-fetch-site": "same-origin"})
    assert switched.status_code == 302
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english, _ = _fetch(client, town)
    assert b'<html lang="en"' in english.content


# --- pages of 50 declarants ------------------------------------------------------------------


@pytest.fixture
def crowded(town, published):
    Declarant.objects.bulk_create(
        Declarant(
            organisation=town.organisation,
            name=f"Persoon {i:03d}",
            office=Office.REPRESENTATIVE,
            function="raadslid",
            appointed_on=date(2020, 1, 1),
        )
        for i in range(119)
    )
    return town  # 120 declarants: Persoon 000-118, then Rita Raad


def test_the_register_comes_in_pages_of_50(crowded, client):
    first = _get(client, crowded)[0].decode()
    assert first.count('<section class="vib-section"') == 50
    assert "Persoon 049" in first
    assert "Persoon 050" not in first
    assert "Page 1 of 3" in first or "Pagina 1 van 3" in first
    assert 'rel="next" href="?pagina=2"' in first
    last = _get(client, crowded, "?pagina=3")[0].decode()
    assert last.count('<section class="vib-section"') == 20
    assert "Rita Raad" in last
    assert "Persoon 099" not in last
    assert 'rel="prev" href="?pagina=2"' in last
    # The downloads hold the whole register.
    document = _get(client, crowded, "/register.json")[0].decode()
    assert "Persoon 000" in document
    assert "Rita Raad" in document


@pytest.mark.parametrize("value", ["0", "-1", "4", "abc", "1.5", "", "99999999999", "²"])
def test_a_bad_page_number_is_a_404(crowded, client, value):
    with time_machine.travel(NOW, tick=False):
        response = client.get(_url(crowded), {"pagina": value})
    assert response.status_code == 404


def test_a_repeat_in_the_same_process_reads_only_the_generation_token(town, published):
    """Each app process keeps the answers it sent; it serves its copy only while the
    organisation's generation in the shared cache is still the one the copy was built in."""
    from vib.disclosures import public_cache

    first, _ = _fetch(Client(), town)
    # The shared entries go (evicted, or another process's view of them): the local copy
    # still answers, as long as the generation token says nothing changed.
    for key in list(public_cache._LOCAL):
        cache.delete(key)
    again, queries = _fetch(Client(), town)
    assert again.content == first.content
    assert queries == 0
    # A write in another process renews the token in the shared cache: the copy is dropped.
    cache.set(public_cache._generation_key(town.organisation.pk), "another-generation", None)
    with time_machine.travel(NOW, tick=False):
        fresh = Client().get(_url(town))
    assert fresh.status_code == 200
    assert fresh["ETag"] == first["ETag"]  # the same content, built anew
    assert all(
        entry[2] == "another-generation"
        for entry in public_cache._LOCAL.values()
        if entry[1] == str(town.organisation.pk)
    )
