"""The participant list's rows as HTML, written in Python (issue 19): a page shows up to 200 rows, and a
template's per-row `_()`, enum labels and country filter cost more than the rest of the page. The
phrases, labels and country names are looked up once per page; every value is escaped as Jinja would."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup

from app.countries import country_namer
from app.escaping import escaped as _escaped
from app.i18n import catalog
from app.registrations.models import RegistrationStatus


class EscapedLabels(dict):
    """{enum member: its escaped label}, each label translated once per page."""

    def __missing__(self, member):
        label = self[member] = _escaped(member.label)
        return label


def write_rows(rows: Sequence, answers: Mapping[int, list], participant_url: Callable[[int], str],
               show_needs: bool) -> Markup:
    """The <tr> of each row (participant_list._rows_statement: the registration's id, status,
    role, check-in, needs, the person's name, email and country, the organisation's name and country,
    the waiting-list position), with its answers ({registration id: [ShownAnswer]}); the needs only
    with `show_needs`. (Translated phrases are trusted and %-formatted as the templates' `_()` does;
    every value put into them is escaped.)"""
    gettext = catalog().ugettext
    if not rows:
        nobody = gettext("Nobody matches.") % {}
        return Markup(f'      <tr><td colspan="8" class="text-muted">{nobody}</td></tr>\n')
    select = gettext("Select %(name)s")
    attended = gettext("attended") % {}
    attended = f' <span class="badge text-bg-success">{attended}</span>'
    diet, access = gettext("Diet: %(needs)s"), gettext("Access: %(needs)s")
    visa = gettext("Visa letter") % {}
    visa = f"<div>{visa}</div>"
    country_name = country_namer()
    countries: dict[str | None, str] = {}
    labels = EscapedLabels()
    waitlisted = RegistrationStatus.WAITLISTED
    written = []
    for row in rows:
        code = row.country or row.organisation_country
        country = countries.get(code)
        if country is None:
            country = countries[code] = _escaped(country_name(code))
        status = labels[row.status]
        if row.status == waitlisted:
            status += f" #{_escaped(row.position)}"
        if row.checked_in_at:
            status += attended
        needs = ""
        if show_needs:
            if row.dietary_needs:
                needs += f"<div>{diet % {'needs': _escaped(row.dietary_needs)}}</div>"
            if row.accessibility_needs:
                needs += f"<div>{access % {'needs': _escaped(row.accessibility_needs)}}</div>"
            if row.needs_visa_letter:
                needs += visa
        name = _escaped(row.name)
        given = answers.get(row.id)
        shown = "".join(f"<div>{_escaped(answer.label)}: {_escaped(answer.text)}</div>"
                        for answer in given) if given else ""
        written.append(
            f'      <tr>\n'
            f'        <td><input type="checkbox" class="form-check-input" name="ids" value="{row.id}"'
            f' aria-label="{select % {"name": name}}"></td>\n'
            f'        <td><a href="{_escaped(participant_url(row.id))}">{name}</a><br>'
            f'<small class="text-muted">{_escaped(row.email)}</small></td>\n'
            f'        <td>{_escaped(row.organisation_name or "")}</td>\n'
            f'        <td>{country}</td>\n'
            f'        <td>{labels[row.role]}</td>\n'
            f'        <td>{status}</td>\n'
            f'        <td class="small">{needs}</td>\n'
            f'        <td class="small" data-testid="answers">{shown}</td>\n'
            f'      </tr>\n'
        )
    return Markup("".join(written))
