"""The report filter: read from the query string (GET), so a filtered view can be bookmarked and
its exports carry exactly the same filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields import DateField
from wtforms.validators import Optional, ValidationError

from app.cache import fragments
from app.events.models import EventKind
from app.events.queries import projects_and_themes
from app.forms_base import Form, LongSelect, QueryForm
from app.reports.scope import ReportFilter
from app.templating import COUNTRY_CHOICES


def _project_and_theme_choices() -> tuple[tuple, tuple]:
    """Projects and themes as the events list's filter reads them (app.events.queries, one round
    trip); every report page view builds the form, so the choices are remembered until a project or
    theme changes (app.cache)."""
    choices = projects_and_themes()
    return (tuple((str(project.id), project.acronym) for project in choices["projects"]),
            tuple((str(theme.id), theme.label) for theme in choices["themes"]))


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
