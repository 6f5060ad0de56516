"""Form pieces shared by the blueprints; labels are lazy because classes are built at import."""

import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length


def required(message):
    return [DataRequired(message=message)]


class NewPasswordMixin:
    password = PasswordField(_l("Password"), validators=required(_l("Choose a password.")))
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
    )


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multiple select with a keyboard or on a tablet."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# What a person writes: a name or a short answer, a note (a Length validator overrides them).
TEXT_MAX_CHARS = 200
NOTE_MAX_CHARS = 4000  # as a group's notes (groups.operations.NOTES_MAX)


class AppForm(FlaskForm):
    """Every form of the app: besides its own checks, each text it holds (in sub-forms and
    lists too) must be storable and of a size a person writes, with the message next to the
    field: a NUL character made PostgreSQL answer 500, a 1 MB note was accepted."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in text_fields(self):
            problem = text_problem(field)
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid


def text_fields(form):
    """The text fields a person types in a form, those of its sub-forms and lists included
    (hidden fields come from the page and are checked by their views: an error there could not
    be seen)."""
    for field in form:
        if isinstance(field, FormField):
            yield from text_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from text_fields(entry.form) if isinstance(entry, FormField) else [entry]
        elif isinstance(field, StringField) and not isinstance(field, HiddenField):
            yield field


def text_problem(field) -> str | None:
    """Why a field's text cannot be kept, in the reader's language, or None."""
    text = field.data if isinstance(field.data, str) else ""
    multiline = isinstance(field, TextAreaField)
    allowed = "\t\n\r" if multiline else ""
    if any(c not in allowed and unicodedata.category(c) == "Cc" for c in text):
        return _("This text contains a control character that cannot be saved; type it again.")
    if any(isinstance(v, Length) for v in field.validators):
        return None  # the field's own limit, already checked
    if (field.render_kw or {}).get("inputmode") in ("numeric", "decimal"):
        return None  # a number: its parser says how large it may be
    limit = NOTE_MAX_CHARS if multiline else TEXT_MAX_CHARS
    if len(text) > limit:
        return _(
            "At most %(limit)d characters here; this text has %(count)d.",
            limit=limit,
            count=len(text),
        )
    return None
