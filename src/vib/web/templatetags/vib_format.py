"""Template filters for numbers as people read them: ``{% load vib_format %}`` then
``{{ n|number }}``, ``{{ amount|euro }}``, ``€ {{ amount|amount }}``, ``{{ share|percent }}``,
``{{ change|signed }}``, ``{{ "2026-01"|month }}``. See vib.web.formatting."""

from __future__ import annotations

from django import template

from vib.web import formatting

register = template.Library()

register.filter("number", formatting.number)
register.filter("euro", formatting.euro)
register.filter("amount", formatting.amount)
register.filter("percent", formatting.percent)
register.filter("signed", formatting.signed)
register.filter("month", formatting.month)
