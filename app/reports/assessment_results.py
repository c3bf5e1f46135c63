"""A needs assessment's results as a Report (the dashboard's tables, charts and exporters): per
question, and per country and organisation type of the respondents. Pure: built from the assessment,
its submitted questionnaires and the theme names, in the current language. Free-text answers are in
it: only the assessment's owners are given it (app.reports.assessment_views)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from app.countries import country_name
from app.directory.models import OrganisationType
from app.reports.results import Chart, Report, Series, Table
from app.reports.scope import ReportFilter

SCALE = ("1", "2", "3", "4", "5")


@dataclass
class Section:
    """One question's part of the page: its tables and charts, by key."""

    question: object
    tables: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)


@dataclass
class Results:
    report: Report
    sections: list[Section]


def _country(code: str | None) -> str:
    return country_name(code) if code else _("Unknown")


def _organisation_type(value: str | None) -> str:
    try:
        return OrganisationType(value).label
    except ValueError:
        return _("Unknown")


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _scale(question, answered: list[tuple], tables: dict, charts: list, section: Section) -> None:
    key = f"q{question.id}"
    counts = Counter(str(answer) for answer, _respondent in answered)
    tables[key] = Table(key, question.text, [_("Answer"), _("Responses")], [[value, counts.get(value, 0)] for value in SCALE],
                        note=_("Average: %(value)s", value=_fmt(_average([a for a, _r in answered]))))
    charts.append(Chart(key, question.text, key, list(SCALE), [Series(_("Responses"), [counts.get(v, 0) for v in SCALE])]))
    section.tables.append(key)
    section.charts.append(key)
    for suffix, heading, label in (("country", _("Country"), lambda r: _country(r.country)),
                                   ("type", _("Organisation type"), lambda r: _organisation_type(r.organisation_type))):
        groups: dict[str, list[int]] = defaultdict(list)
        for answer, respondent in answered:
            groups[label(respondent)].append(answer)
        rows = [[name, len(values), _average(values)] for name, values in sorted(groups.items())]
        group_key = f"{key}_{suffix}"
        title = _("%(question)s — average by %(group)s", question=question.text, group=heading.lower())
        tables[group_key] = Table(group_key, title, [heading, _("Responses"), _("Average (1–5)")], rows)
        charts.append(Chart(group_key, title, group_key, [row[0] for row in rows],
                            [Series(_("Average (1–5)"), [row[2] for row in rows])], maximum=5))
        section.tables.append(group_key)
        section.charts.append(group_key)


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _choices(question, answered: list[tuple], options: list[str], tables: dict, charts: list, section: Section) -> None:
    key = f"q{question.id}"
    chosen = Counter(option for answer, _r in answered for option in (answer if isinstance(answer, list) else [answer]))
    total = len(answered)
    rows = [[option, chosen.get(option, 0), round(100.0 * chosen.get(option, 0) / total, 1) if total else 0.0]
            for option in options]
    tables[key] = Table(key, question.text, [_("Option"), _("Responses"), _("Share of those who answered (%)")], rows)
    charts.append(Chart(key, question.text, key, options, [Series(_("Responses"), [row[1] for row in rows])]))
    by_country: dict[str, Counter] = defaultdict(Counter)
    for answer, respondent in answered:
        by_country[_country(respondent.country)].update(answer if isinstance(answer, list) else [answer])
    country_key = f"{key}_country"
    title = _("%(question)s — by country", question=question.text)
    countries = sorted(by_country)
    tables[country_key] = Table(country_key, title, [_("Country"), *options],
                                [[name, *(by_country[name].get(o, 0) for o in options)] for name in countries])
    charts.append(Chart(country_key, title, country_key, countries,
                        [Series(option, [by_country[name].get(option, 0) for name in countries]) for option in options]))
    section.tables += [key, country_key]
    section.charts += [key, country_key]


def _text(question, answered: list[tuple], tables: dict, section: Section) -> None:
    key = f"q{question.id}"
    rows = [[_country(r.country), _organisation_type(r.organisation_type), answer] for answer, r in answered]
    tables[key] = Table(key, question.text, [_("Country"), _("Organisation type"), _("Answer")], rows,
                        note=_("Free-text answers: shown to the assessment's owners only."))
    section.tables.append(key)


def _summary(invited: int, respondents: list, tables: dict, charts: list) -> None:
    submitted = len(respondents)
    rate = round(100.0 * submitted / invited, 1) if invited else 0.0
    tables["summary"] = Table("summary", _("Key figures"), [_("Figure"), _("Value")],
                              [[_("Invited"), invited], [_("Submitted"), submitted], [_("Response rate (%)"), rate]])
    per_country = Counter(_country(r.country) for r in respondents)
    rows = [[name, count] for name, count in sorted(per_country.items())]
    tables["respondents_by_country"] = Table("respondents_by_country", _("Respondents by country"),
                                             [_("Country"), _("Submitted")], rows)
    charts.append(Chart("respondents_by_country", _("Respondents by country"), "respondents_by_country",
                        [row[0] for row in rows], [Series(_("Submitted"), [row[1] for row in rows])]))


def build(assessment, questions: list, respondents: list, invited: int, theme_names: dict[int, str],
          scope_line: str, produced_at: datetime) -> Results:
    """The results of `assessment` from its submitted questionnaires (`respondents`)."""
    tables: dict[str, Table] = {}
    charts: list[Chart] = []
    _summary(invited, respondents, tables, charts)
    sections = []
    for question in questions:
        section = Section(question)
        answered = [(r.answers[str(question.id)], r) for r in respondents if str(question.id) in (r.answers or {})]
        kind = question.kind.value
        if kind == "scale":
            _scale(question, answered, tables, charts, section)
        elif kind in ("single", "multiple"):
            _choices(question, answered, list(question.options), tables, charts, section)
        elif kind == "themes":
            named = [([theme_names.get(i, "?") for i in answer], r) for answer, r in answered]
            options = sorted({name for answer, _r in named for name in answer})
            _choices(question, named, options, tables, charts, section)
        else:
            _text(question, answered, tables, section)
        sections.append(section)
    report = Report(
        title=_("Needs assessment: %(title)s", title=assessment.title), scope=scope_line, filters=ReportFilter(),
        filter_line=ngettext("%(num)d questionnaire submitted", "%(num)d questionnaires submitted", len(respondents)), produced_at=produced_at,
        tables=tables, charts=charts,
    )
    return Results(report, sections)
