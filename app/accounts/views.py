"""Sign up, sign in, sign out, profile, and the admin's user list."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user

from app.accounts import queries, services
from app.accounts.auth import (
    end_session,
    is_safe_next,
    login_required,
    role_required,
    signed_in_required,
    start_session,
)
from app.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD
from app.accounts.forms import (
    AdminUserForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
)
from app.accounts.models import Role, User
from app.accounts.permissions import can_search_people
from app.directory.queries import all_organisations
from app.extensions import db, limiter
from app.forms_common import show_rule_error
from app.pagination import paginate

bp = Blueprint("accounts", __name__)


def _organisations():
    return all_organisations()


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email address or password is not right."))
        else:
            session.clear()  # a fresh session on sign-in (no fixation)
            start_session(user, remember=form.remember.data)
            session.permanent = True
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))
    demo = DEMO_LOGINS if current_app.config.get("DEMO_MODE") else []
    return render_template("accounts/login.html", form=form, demo_logins=demo, demo_password=DEMO_PASSWORD)


@bp.post("/logout")
def logout():
    end_session()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignUpForm(organisations=_organisations())
    if form.validate_on_submit():
        try:
            services.sign_up(
                services.NewUser(
                    email=form.email.data,
                    name=form.name.data,
                    password=form.password.data,
                    organisation_id=form.organisation_id.data or None,
                    country=form.country.data,
                    timezone=current_app.config["DEFAULT_TIMEZONE"],
                )
            )
        except services.AccountError as error:
            show_rule_error(form, error, "email")
        else:
            # The same answer whether the address was new or had an account already (no enumeration).
            return redirect(url_for("identity.check_email"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@signed_in_required
def profile():
    organisations = _organisations()
    form = ProfileForm(obj=current_user, organisations=organisations, prefix="profile")
    email_form = ChangeEmailForm(prefix="email")
    password_form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user,
                name=form.name.data,
                position=form.position.data,
                country=form.country.data,
                timezone=form.timezone.data,
                language=form.language.data,
            )
        except services.AccountError as error:
            show_rule_error(form, error, "name")
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html", form=form, email_form=email_form, password_form=password_form
    )


# Each form on the profile page posts to its own URL, so errors land beside the right field.
@bp.post("/profile/email")
@signed_in_required
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        try:
            services.change_email(current_user, form.email.data, form.current_password.data)
        except services.AccountError as error:
            show_rule_error(form, error, "email")
        else:
            flash(_("We sent a link to your new address: your email changes when you follow it."), "success")
            return redirect(url_for("accounts.profile"))
    profile_form = ProfileForm(obj=current_user, organisations=_organisations(), prefix="profile")
    return render_template(
        "accounts/profile.html", form=profile_form, email_form=form,
        password_form=ChangePasswordForm(prefix="password"),
    ), 422


@bp.post("/profile/password")
@signed_in_required
def change_password():
    form = ChangePasswordForm(prefix="password")
    form.email = None  # the policy reads the user's own email below
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as error:
            show_rule_error(form, error, "password")
        else:
            login_user(current_user._get_current_object())  # keep this session; every other one is signed out
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"))
    profile_form = ProfileForm(obj=current_user, organisations=_organisations(), prefix="profile")
    return render_template(
        "accounts/profile.html", form=profile_form, email_form=ChangeEmailForm(prefix="email"),
        password_form=form,
    ), 422


@bp.get("/admin/users")
@role_required(Role.ADMIN)
def users():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    page = paginate(queries.user_query(q, role), request.args.get("page"), per_page=50)
    return render_template("accounts/users.html", page=page, q=q, role=role, roles=list(Role))


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = AdminUserForm(obj=user, organisations=_organisations())
    if request.method == "GET":
        form.organisation_id.data = user.organisation_id or 0
        form.is_active.data = user.is_active_account
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            services.admin_update(
                current_user, user, name=form.name.data, email=form.email.data, role=Role(form.role.data),
                organisation_id=form.organisation_id.data or None, is_active_account=form.is_active.data,
            )
        except services.AccountError as error:
            show_rule_error(form, error, "email")
        else:
            flash(_("%(name)s is saved.", name=user.name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_edit.html", form=form, user=user)


@bp.get("/people/search")
@login_required
def people_search():
    """JSON for the people pickers: `q` (part of a name or organisation), `limit` (at most 20)."""
    if not can_search_people(current_user):
        abort(403)
    try:
        limit = int(request.args.get("limit", queries.PEOPLE_SEARCH_LIMIT))
    except ValueError:
        limit = queries.PEOPLE_SEARCH_LIMIT
    people = queries.people_search(request.args.get("q", ""), limit)
    response = jsonify(results=people)
    response.headers["Cache-Control"] = "private, no-store"
    return response
