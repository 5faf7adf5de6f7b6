"""The one base for the platform's forms: NL Design System (Utrecht) classes on every widget.

Django itself marks a field with errors ``aria-invalid`` and points ``aria-describedby`` at
``<id>_helptext`` and ``<id>_error``; the field templates give the help text and the error
message those ids. Modules subclass ``StyledForm`` for their own template only.
"""

from __future__ import annotations

from typing import Any

from django import forms

CHECKBOX = "utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom"  # 24 px targets
TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"

# The first kind a widget is an instance of decides; file inputs stay the browser's own.
WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.FileInput: "",
    forms.CheckboxSelectMultiple: CHECKBOX,
    forms.RadioSelect: "utrecht-radio-button utrecht-radio-button--html-input",
    forms.CheckboxInput: CHECKBOX,
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.widgets.Input: TEXTBOX,
}


# Widgets rendered as a group of inputs (in a fieldset): aria-required belongs to no input.
GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.HiddenInput)


def widget_class(widget: forms.Widget) -> str:
    return next((css for kind, css in WIDGET_CLASSES.items() if isinstance(widget, kind)), "")


class StyledForm(forms.Form):
    """A form whose widgets carry the Utrecht class of their kind (unless one is set).

    ``id_prefix`` keeps element ids unique on pages that carry several forms.
    """

    id_prefix = ""
    # Errors only after sending: a ``required`` attribute makes the browser mark every empty
    # required field invalid (red, through ``:invalid``) before anyone typed. The server checks
    # and the error summary says what is missing; ``aria-required`` still tells assistive
    # technology, and the label says "(optional)" of the others (ADR 0106).
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if css := widget_class(field.widget):
                field.widget.attrs.setdefault("class", css)
            if field.required and not isinstance(field.widget, GROUPS):
                field.widget.attrs.setdefault("aria-required", "true")


class CompactForm(StyledForm):
    """A styled form whose text areas are four rows high: for short declarations and notes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)


class DateInput(forms.DateInput):
    """The browser's date picker, with the value in ISO form (what it sends and expects)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
