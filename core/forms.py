"""Form helpers every app's views share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models


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


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing a key outside the range of its column before the database sees it.

    Django keeps an out-of-range integer out of `exact` lookups, not out of the `__in` this
    field runs: "99999999999999999999" raised OverflowError on SQLite (a 500) and would abort
    the transaction on PostgreSQL. Such a key is a choice that was never offered."""

    def clean(self, value: Any) -> Any:
        queryset = self.queryset
        if queryset is not None and isinstance(value, list | tuple):
            key = self.to_field_name or "pk"
            model = queryset.model
            column = model._meta.pk if key == "pk" else model._meta.get_field(key)
            if isinstance(column, models.IntegerField):
                low, high = connections[queryset.db].ops.integer_field_range(
                    column.get_internal_type()
                )
                for pk in value:
                    try:
                        number = int(str(pk))
                    except ValueError:
                        continue  # not a number at all: Django's own check says so
                    if (low is not None and number < low) or (high is not None and number > high):
                        raise ValidationError(
                            self.error_messages["invalid_pk_value"],
                            code="invalid_pk_value",
                            params={"pk": pk},
                        )
        return super().clean(value)
