"""Directory pages for admins and coordinators: organisations, projects and themes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.countries import COUNTRY_CHOICES
from app.directory import queries, services
from app.directory.access import can_manage_directory
from app.directory.domains import domains_of
from app.directory.empact import CYCLES
from app.directory.forms import OrganisationForm, ProjectForm, ThemeForm
from app.directory.models import Organisation, OrganisationType, Project, Theme
from app.extensions import db, login_manager
from app.forms_common import show_rule_error
from app.pagination import paginate
from app.roles import has_role, is_signed_in

bp = Blueprint("directory", __name__, url_prefix="/directory")
PER_PAGE = 25


@bp.before_request
def _only_directory_managers():
    if not is_signed_in(current_user):
        return login_manager.unauthorized()
    if not can_manage_directory(current_user):
        abort(403)
    return None


def _save_or_show(form, save, first_field: str, back: str, template: str, **context):
    """A directory form's answer: saved (back to its list, with a message) or shown again with the
    broken rule beside its field (422)."""
    if form.validate_on_submit():
        try:
            saved = save()
        except services.DirectoryError as error:
            show_rule_error(form, error, first_field)
        else:
            flash(_("%(name)s is saved.", name=getattr(saved, "name", saved)), "success")
            return redirect(url_for(back))
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def _search() -> str:
    return (request.args.get("q") or "").strip()[:100]


@bp.get("/")
def index():
    return render_template("directory/index.html", counts=queries.counts())


# --- organisations ---------------------------------------------------------------------------

@bp.get("/organisations")
def organisations():
    q, type_value, country = _search(), request.args.get("type") or "", (request.args.get("country") or "")[:2]
    page = paginate(queries.organisation_query(q, type_value, country), request.args.get("page"), PER_PAGE)
    return render_template(
        "directory/organisations.html", page=page, q=q, type_value=type_value, country=country.upper(),
        types=list(OrganisationType), countries=list(COUNTRY_CHOICES),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new():
    return _organisation_form(None)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation_edit(organisation_id: int):
    return _organisation_form(db.get_or_404(Organisation, organisation_id))


def _organisation_form(organisation: Organisation | None):
    form = OrganisationForm(obj=organisation)
    domains = domains_of(organisation.id) if organisation is not None else []
    may_set_domains = has_role(current_user)  # a domain grants membership: network admins only
    if request.method == "GET" and organisation is not None:
        form.type.data = organisation.type.value
        form.country.data = organisation.country or ""
        form.domains.data = "\n".join(domains)

    def save():
        return services.save_organisation(
            organisation, current_user, name=form.name.data, short_name=form.short_name.data,
            type=OrganisationType(form.type.data), country=form.country.data, website=form.website.data,
            domains=(form.domains.data or "") if may_set_domains else None,
        )

    return _save_or_show(form, save, "name", "directory.organisations", "directory/organisation_form.html",
                         organisation=organisation, domains=domains, may_set_domains=may_set_domains)


# --- projects --------------------------------------------------------------------------------

@bp.get("/projects")
def projects():
    q = _search()
    page = paginate(queries.project_query(q), request.args.get("page"), PER_PAGE)
    return render_template("directory/projects.html", page=page, q=q)


@bp.route("/projects/new", methods=["GET", "POST"])
def project_new():
    return _project_form(None)


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
def project_edit(project_id: int):
    return _project_form(db.get_or_404(Project, project_id))


def _project_form(project: Project | None):
    form = ProjectForm(obj=project, organisations=queries.all_organisations())
    if request.method == "GET":
        form.coordinator_organisation_id.data = (project.coordinator_organisation_id if project else None) or 0

    def save():
        return services.save_project(
            project, current_user, acronym=form.acronym.data, title=form.title.data,
            programme=form.programme.data, grant_number=form.grant_number.data,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, website=form.website.data,
            description=form.description.data,
            coordinator_organisation_id=form.coordinator_organisation_id.data or None,
        )

    return _save_or_show(form, save, "acronym", "directory.projects", "directory/project_form.html",
                         project=project)


# --- themes ----------------------------------------------------------------------------------

@bp.get("/themes")
def themes():
    q, cycle = _search(), request.args.get("cycle") or ""
    if cycle not in (*CYCLES, "none"):
        cycle = ""
    page = paginate(queries.theme_query(q, cycle), request.args.get("page"), PER_PAGE)
    return render_template("directory/themes.html", page=page, q=q, cycle=cycle, cycles=CYCLES)


@bp.route("/themes/new", methods=["GET", "POST"])
def theme_new():
    return _theme_form(None)


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
def theme_edit(theme_id: int):
    return _theme_form(db.get_or_404(Theme, theme_id))


def _theme_form(theme: Theme | None):
    form = ThemeForm(obj=theme)
    if request.method == "GET" and theme is not None:
        form.empact_cycle.data = theme.empact_cycle or ""

    def save():
        return services.save_theme(theme, current_user, name=form.name.data, description=form.description.data,
                                   empact_cycle=form.empact_cycle.data)

    return _save_or_show(form, save, "name", "directory.themes", "directory/theme_form.html", theme=theme)
