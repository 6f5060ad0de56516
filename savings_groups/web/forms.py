"""Form pieces shared by the blueprints; labels are lazy because classes are built at import."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectMultipleField, widgets
from wtforms.validators import DataRequired, EqualTo, InputRequired


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
