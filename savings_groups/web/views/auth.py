"""First-run setup, login, logout, the lock button, the language switch and one's own account."""

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, PasswordField, SelectField, StringField

from savings_groups.core.errors import DomainError
from savings_groups.org import accounts
from savings_groups.web.auth import (
    device_for,
    end_session,
    remember_device,
    safe_next,
    start_session,
)
from savings_groups.web.forms import AppForm, NewPasswordMixin, required
from savings_groups.web.i18n import available_locales, language_names, set_language_cookie
from savings_groups.web.views import render_form, show_error

bp = Blueprint("auth", __name__)
LOCKED_USERNAME = "locked_username"


def login_policy() -> accounts.LoginPolicy:
    return accounts.LoginPolicy.from_config(current_app.config)


class SetupForm(NewPasswordMixin, AppForm):
    organization_name = StringField(
        _l("Name of the organization"), validators=required(_l("Enter the organization's name."))
    )
    full_name = StringField(_l("Your full name"), validators=required(_l("Enter your full name.")))
    username = StringField(_l("Username"), validators=required(_l("Choose a username.")))


class LoginForm(AppForm):
    # The cursor starts in the username field (on the locked screen, whose username is known,
    # in the password field: see login()).
    username = StringField(
        _l("Username"),
        validators=required(_l("Enter your username.")),
        render_kw={"autofocus": True},
    )
    password = PasswordField(_l("Password"), validators=required(_l("Enter your password.")))
    next = HiddenField()


class LanguageForm(AppForm):
    language = SelectField(_l("Language"))
    next = HiddenField()


class AccountLanguageForm(AppForm):
    language = SelectField(_l("Language of the interface"))


class PasswordChangeForm(NewPasswordMixin, AppForm):
    password = PasswordField(_l("New password"), validators=required(_l("Choose a password.")))
    current_password = PasswordField(
        _l("Current password"), validators=required(_l("Enter your current password."))
    )


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if not accounts.needs_setup():
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        try:
            admin = accounts.setup(
                form.organization_name.data,
                form.username.data,
                form.full_name.data,
                form.password.data,
                _current_language(),
                login_policy(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            start_session(admin)
            flash(_("The organization is ready. Now create the accounts of your team."), "success")
            return redirect(url_for("admin.users"))
    return render_form(
        "auth/setup.html", form, min_length=current_app.config["PASSWORD_MIN_LENGTH"]
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if accounts.needs_setup():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("groups.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        form.username.data = session.get(LOCKED_USERNAME, "")
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.username.data,
                form.password.data,
                login_policy(),
                device=device_for(form.username.data),
            )
        except DomainError as error:
            show_error(form, error)
            form.password.data = ""
        else:
            start_session(user)
            response = redirect(safe_next(form.next.data) or url_for("groups.index"))
            if user.locale:
                set_language_cookie(response, user.locale)
            remember_device(response, user.username)
            return response
    if form.username.data and not form.username.errors:
        form.username.render_kw = {}
        form.password.render_kw = {"autofocus": True}
    return render_form("auth/login.html", form)


@bp.route("/logout", methods=["POST"])
def logout():
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lock", methods=["POST"])
def lock():
    """One click on a shared laptop: end the session but remember who and where, to come back."""
    username = current_user.username if current_user.is_authenticated else ""
    next_page = safe_next(request.form.get("next"))
    end_session()
    session[LOCKED_USERNAME] = username
    flash(_("The screen is locked. Enter your password to go on."), "info")
    return redirect(url_for("auth.login", next=next_page))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm(prefix="ui")
    form.language.choices = language_names()
    target = safe_next(form.next.data) or url_for("auth.login")
    if not form.validate_on_submit():
        flash(_("Choose a language from the list."), "danger")
        return redirect(target)
    code = form.language.data
    if current_user.is_authenticated:
        accounts.set_locale(current_user.user, code)
    response = make_response(redirect(target))
    set_language_cookie(response, code)
    return response


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """One's own password and language; a reset password must be changed here first."""
    password_form = PasswordChangeForm(prefix="pw")
    language_form = AccountLanguageForm(prefix="lang")
    language_form.language.choices = [("", _("As the browser asks")), *language_names()]
    if request.method == "GET":
        language_form.language.data = current_user.locale or ""
    action = request.form.get("action")
    if action == "password" and password_form.validate_on_submit():
        try:
            accounts.change_own_password(
                current_user.user,
                password_form.current_password.data,
                password_form.password.data,
                login_policy(),
            )
        except DomainError as error:
            show_error(password_form, error)
        else:
            start_session(current_user.user)  # the old session token died with the old password
            flash(_("Your password is changed."), "success")
            return redirect(url_for("groups.index"))
    elif action == "language" and language_form.validate_on_submit():
        code = language_form.language.data
        accounts.set_locale(current_user.user, code)
        flash(_("Your language is saved."), "success")
        response = make_response(redirect(url_for("auth.account")))
        if code:
            set_language_cookie(response, code)
        return response
    status = 422 if password_form.errors or language_form.errors else 200
    page = render_template(
        "auth/account.html",
        password_form=password_form,
        language_form=language_form,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )
    return page, status


def language_switch_form() -> LanguageForm:
    """The switch shown in every page's header, set to the language of the page."""
    form = LanguageForm(prefix="ui", formdata=None)
    form.language.choices = language_names()
    form.language.data = _current_language()
    form.next.data = request.full_path.rstrip("?")
    return form


def language_switch() -> dict:
    """What the switch in every page's header shows: templates/_language_switch.html writes the
    markup of language_switch_form() (the form /language reads) without building the form on
    every page, which cost a millisecond a page. tests/web/views/test_auth.py checks both agree."""
    return {
        "choices": language_names(),
        "selected": _current_language(),
        "next": request.full_path.rstrip("?"),
        "csrf": current_app.config.get("WTF_CSRF_ENABLED", True),
    }


def _current_language() -> str:
    locale = get_locale()
    return str(locale) if locale and str(locale) in available_locales() else "en"
