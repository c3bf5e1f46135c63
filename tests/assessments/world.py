"""A small needs assessment: a coordinator-run questionnaire for partner units in two countries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.accounts.models import Role
from app.assessments import building
from app.assessments.building import AssessmentData
from app.assessments.models import AssessmentScope, QuestionKind
from app.directory.models import OrganisationType
from app.timeutil import set_now
from tests import factories as make

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=14)


@dataclass
class World:
    owner: object
    ua_police: object
    md_ministry: object
    olena: object
    andrii: object
    ion: object
    outsider: object
    organiser: object
    assessment: object
    scale: object
    single: object
    multiple: object
    text: object
    themes: object
    cyber: object
    osint: object


def build(open_it: bool = True) -> World:
    set_now(NOW)
    owner = make.user(Role.ORGANISER, name="Owner Organiser")
    ua_police = make.organisation("Cyber Police of Ukraine", country="UA")
    md_ministry = make.organisation("Ministry of Internal Affairs of Moldova", country="MD",
                                    type=OrganisationType.MINISTRY)
    olena = make.user(name="Olena", organisation=ua_police, language="uk")
    andrii = make.user(name="Andrii", organisation=ua_police)
    ion = make.user(name="Ion", organisation=md_ministry)
    outsider = make.user(name="Outsider")
    organiser = make.user(Role.ORGANISER, name="Other Organiser")
    cyber, osint = make.theme("Cybercrime", "2022-2025"), make.theme("OSINT")
    assessment = building.create_assessment(owner, AssessmentData(
        title="ILECU training needs 2026", scope=AssessmentScope.COUNTRY, country="UA", closes_at=DEADLINE))
    scale = building.add_question(owner, assessment, QuestionKind.SCALE, "How urgent is crypto tracing training?",
                                  is_required=True)
    single = building.add_question(owner, assessment, QuestionKind.SINGLE, "Preferred format",
                                   options_text="In person\nOnline\nHybrid")
    multiple = building.add_question(owner, assessment, QuestionKind.MULTIPLE, "Tools you use",
                                     options_text="Chainalysis\nMaltego\nNone")
    text = building.add_question(owner, assessment, QuestionKind.TEXT, "What else do you need?")
    themes = building.add_question(owner, assessment, QuestionKind.THEMES, "Priority themes")
    building.add_recipients(owner, assessment, user_ids=[ion.id], organisation_ids=[ua_police.id])
    if open_it:
        building.open_assessment(owner, assessment)
    return World(owner, ua_police, md_ministry, olena, andrii, ion, outsider, organiser, assessment,
                 scale, single, multiple, text, themes, cyber, osint)
