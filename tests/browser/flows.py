"""What every module's browser test checks of a change (issue #14): the person is told it
happened, and reloading the page that follows a create makes nothing twice. And a session for
a person without the log-in form, for tests about what comes after it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def confirmed(page: Any) -> str:
    """The confirmation shown after a change (a status message, not an error); its text.

    Call it once the page the change led to has loaded (``page.expect_navigation()`` around the
    click, or ``page.wait_for_url``): the page being left may show an earlier confirmation."""
    from playwright.sync_api import expect

    note = page.locator(".vib-messages [role=status]").first
    expect(note, f"no confirmation on {page.url}").to_be_visible()
    text = str(note.inner_text()).strip()
    assert text, f"an empty confirmation on {page.url}"
    return text


def reload_makes_nothing_twice(page: Any, count: Callable[[], int]) -> None:
    """Reload the page a create led to (as a person does on a slow connection, or with the
    browser's reload button) and check that ``count`` of what was created stays the same."""
    before = count()
    page.reload()
    page.wait_for_load_state()
    assert count() == before, f"reloading {page.url} created something again"


def sign_in(context: Any, base: str, email: str) -> None:
    """Give the browser context a session of the person with this address, as after the real
    log-in with a second factor (``tests.conftest.SecondFactorClient``). The form itself, and
    its refusals, are tested through the browser in tests/web and tests/accounts."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from tests.conftest import SecondFactorClient

    from vib.accounts.models import User

    client = SecondFactorClient()
    client.force_login(User.objects.get(email=email))
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    host = urlsplit(base).hostname
    context.add_cookies(
        [{"name": session.key, "value": session.value, "domain": host, "path": "/"}]
    )
