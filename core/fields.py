"""Model fields for text people type and others read (titles, names, reasons, notes).

Each one has a length limit (core.limits says which) and loses its bidi control characters
(core.text) on every save, whatever path wrote it: a form, a serializer, a service, the admin.
Forms and serializers built from the model get the limit too; a too-long value that reaches
`save()` anyway is refused with a ValidationError (400 in the API, a sentence on a page), not
truncated. For TextFields `length_limit()` puts the limit in the database as well (a
CharField's `max_length` is the database's limit already, on PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from .text import strip_bidi

TOO_LONG = "At most %(limit_value)d characters are accepted here (this has %(show_value)d)."


class _ShownText:
    max_length: int | None
    name: str
    attname: str
    verbose_name: Any

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)  # type: ignore[misc]
        return strip_bidi(value) if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        if not isinstance(value, str):
            return value
        value = strip_bidi(value)
        setattr(model_instance, self.attname, value)
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(
                {
                    self.name: [
                        f"{str(self.verbose_name).capitalize()}: "
                        + TOO_LONG % {"limit_value": self.max_length, "show_value": len(value)}
                    ]
                }
            )
        return value


class ShownCharField(_ShownText, models.CharField):  # type: ignore[misc]
    """A one-line text people read: a title, a name, a label."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for validator in self.validators:
            if isinstance(validator, MaxLengthValidator):
                validator.message = TOO_LONG


class ShownTextField(_ShownText, models.TextField):  # type: ignore[misc]
    """A longer text people read: why, a reason, notes. `max_length` is required; pair it
    with `length_limit()` in Meta.constraints."""

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(max_length, message=TOO_LONG))


def length_limit(field: str, limit: int) -> models.CheckConstraint:
    """The database's copy of a ShownTextField's max_length."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"%(app_label)s_%(class)s_{field}_length",
        violation_error_message=f"At most {limit} characters are accepted in {field}.",
    )


def truncate_overlong(app_label: str, *targets: tuple[str, str, int]) -> Any:
    """A migration step that runs before `length_limit()` constraints are added: rows written
    before there was a limit (a 2.4 MB "why") are cut to it, or the constraint could not be
    created. Targets are (model name, field, limit)."""
    from django.db import migrations
    from django.db.models.functions import Substr

    def truncate(apps: Any, schema_editor: Any) -> None:
        for model_name, field, limit in targets:
            model = apps.get_model(app_label, model_name)
            rows = model._default_manager.annotate(_length=Length(field)).filter(_length__gt=limit)
            rows.update(**{field: Substr(field, 1, limit)})

    return migrations.RunPython(truncate, migrations.RunPython.noop, elidable=True)
