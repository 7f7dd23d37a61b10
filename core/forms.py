"""Form helpers every app's views share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def errors_as_sentence(form: forms.BaseForm) -> str:
    """A form's errors as one line a person reads, each naming its field by its label
    (for messages and htmx fragments that do not show the form itself)."""
    parts = []
    for field, errors in form.errors.items():
        if field == "__all__":
            parts.append(" ".join(map(str, errors)))
            continue
        label = form.fields[field].label if field in form.fields else ""
        parts.append(
            f"{label or field.replace('_', ' ').capitalize()}: {' '.join(map(str, errors))}"
        )
    return " ".join(parts) or "Check the form."


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, per field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
