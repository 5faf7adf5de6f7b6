"""The shared form base (vib.web.forms) and field template (web/_field.html): in a form of
each module, a field with an error or help text points, through ``aria-describedby``, only at
elements that are there, and every widget carries its NL Design System class."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.template import Context, Template

from vib.disclosures.forms import ActivityForm
from vib.incidents.forms import ReportForm
from vib.integrity.forms import IntakeForm
from vib.support.forms import HelpRequestForm
from vib.web.forms import StyledForm, widget_class

CASES = [
    (ActivityForm, {}, "web/_field.html"),
    (HelpRequestForm, {}, "web/_field.html"),
    (IntakeForm, {"channels": ["anonymous", "named"]}, "web/_field.html"),
    (ReportForm, {}, "web/_field.html"),
]


def _render(form: forms.Form, template: str) -> str:
    return Template("{% for field in form %}{% include template %}{% endfor %}").render(
        Context({"form": form, "template": template})
    )


@pytest.mark.parametrize(("form_class", "kwargs", "template"), CASES)
def test_described_by_points_at_elements_that_exist(
    form_class: type[forms.Form], kwargs: dict[str, Any], template: str
) -> None:
    form = form_class(data={}, **kwargs)
    assert not form.is_valid()
    html = _render(form, template)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    referenced = [
        ref for refs in re.findall(r'aria-describedby="([^"]*)"', html) for ref in refs.split()
    ]
    assert referenced, "an invalid form describes its fields"
    assert set(referenced) <= ids, sorted(set(referenced) - ids)
    for name in form.errors:
        if name in form.fields:
            assert f'id="{form[name].auto_id}_error"' in html


def test_every_widget_gets_the_class_of_its_kind() -> None:
    class Sample(StyledForm):
        id_prefix = "s_"
        text = forms.CharField()
        note = forms.CharField(widget=forms.Textarea)
        agree = forms.BooleanField()
        pick = forms.ChoiceField(choices=[("a", "A")])
        own = forms.CharField(widget=forms.TextInput(attrs={"class": "mine"}))
        upload = forms.FileField()

    form = Sample()
    classes = {name: field.widget.attrs.get("class") for name, field in form.fields.items()}
    assert classes == {
        "text": "utrecht-textbox utrecht-textbox--html-input",
        "note": "utrecht-textarea utrecht-textarea--html-textarea",
        "agree": "utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom",
        "pick": "utrecht-select utrecht-select--html-select",
        "own": "mine",
        "upload": None,
    }
    assert form["text"].auto_id == "id_s_text"
    assert widget_class(forms.PasswordInput()) == "utrecht-textbox utrecht-textbox--html-input"
