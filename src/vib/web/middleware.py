"""Dutch first: the language is Dutch unless the visitor chose English with the switch.

Django's ``LocaleMiddleware`` also follows the browser's ``Accept-Language``, so a civil
servant whose browser is set to English would get an English log-in page without asking for
it. VIB is a Dutch public service: it speaks Dutch until the visitor picks another language
with the language switch (``/i18n/setlang/``, stored in the language cookie).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class DebugErrorPagesMiddleware:
    """VIB's own Dutch 404 and 500 pages in DEBUG (and so in the demo) too.

    With ``DEBUG`` on, Django answers a missing page or a crash with its English technical page,
    which lists every URL pattern of the site. A demo visitor should meet the same page as in
    production. The traceback of a crash is still logged (``django.request``) on the console.
    API answers (JSON problem details) and non-HTML answers pass unchanged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code in (404, 500)
            and not getattr(response, "vib_error_page", False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            from vib.web import views

            if response.status_code == 404:
                return views.page_not_found(request)
            return views.server_error(request)
        return response
