"""The report filter: read from the query string (GET), so a filtered view can be bookmarked and
its exports carry exactly the same filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, null, select, union_all
from wtforms import SelectField
from wtforms.fields import DateField
from wtforms.validators import Optional, ValidationError

from app.cache import fragments, raw
from app.directory.models import Project, Theme
from app.events.models import EventKind
from app.extensions import db
from app.forms_base import Form, LongSelect, QueryForm
from app.reports.scope import ReportFilter
from app.templating import COUNTRY_CHOICES


def _project_and_theme_choices() -> tuple[tuple, tuple]:
    """Projects and themes in one round trip (on the DBAPI cursor: app.cache.raw); every report page
    view builds the form, so the choices are remembered until a project or theme changes (app.cache)."""
    rows, _plan = raw.read(db.session, _choices_statement, _choices_statement, {}, every=True)
    projects = tuple((str(row_id), name) for kind, row_id, name, _cycle in rows if kind == "project")
    themes = tuple((str(row_id), f"{name} (EMPACT {cycle})" if cycle else name)
                   for kind, row_id, name, cycle in rows if kind == "theme")
    return projects, themes


def _choices_statement():
    return union_all(
        select(literal("project").label("kind"), Project.id.label("id"),
               Project.acronym.label("name"), null().label("cycle")),
        select(literal("theme"), Theme.id, Theme.name, Theme.empact_cycle),
    ).order_by("kind", "name", "cycle")


class ReportFilterForm(QueryForm):
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    # The long lists' options written once per worker and language (LongSelect): the same markup.
    project = SelectField(_l("Project"), default="", widget=LongSelect())
    country = SelectField(_l("Country"), default="", widget=LongSelect())  # every country
    theme = SelectField(_l("Theme"), default="", widget=LongSelect())
    kind = SelectField(_l("Event kind"), default="")

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata, **kwargs)
        project_choices, theme_choices = fragments.remember("reports.filter_choices", (), ("projects", "themes"),
                                                            _project_and_theme_choices)
        self.project.choices = [("", _l("All projects")), *project_choices]
        self.theme.choices = [("", _l("All themes")), *theme_choices]
        self.country.choices = [("", _l("All countries"))] + list(COUNTRY_CHOICES)
        self.kind.choices = [("", _l("All kinds"))] + [(kind.value, kind.label) for kind in EventKind]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period must be on or after its start."))

    def to_filter(self) -> ReportFilter:
        return ReportFilter(
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            project_id=int(self.project.data) if self.project.data else None,
            country=self.country.data or None,
            theme_id=int(self.theme.data) if self.theme.data else None,
            kind=EventKind(self.kind.data) if self.kind.data else None,
        )


class RefreshForm(Form):
    """The "Refresh figures" button (a POST with its CSRF token; the filter stays in the URL)."""
