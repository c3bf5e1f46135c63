"""What the assessment pages read: bounded queries (counts grouped, links loaded with selectinload)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.assessments.access import is_owner, may_read_needs
from app.assessments.models import Assessment, AssessmentStatus, Need, Respondent, need_events
from app.directory.models import Organisation, Project, Theme
from app.events import access as event_access
from app.events.models import Event
from app.extensions import db
from app.roles import Role, has_role
from app.timeutil import now

EVENT_CHOICES_LIMIT = 300
LIBRARY_NEEDS_LIMIT = 20
# High first, then medium, then low (the stored words do not sort that way).
PRIORITY_ORDER = case((Need.priority == "high", 0), (Need.priority == "medium", 1), else_=2)


@dataclass
class Counts:
    invited: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def rate(self) -> float:
        return 100.0 * self.submitted / self.invited if self.invited else 0.0


def counts(assessment_ids: list[int]) -> dict[int, Counts]:
    if not assessment_ids:
        return {}
    rows = db.session.execute(
        select(Respondent.assessment_id, func.count(Respondent.id),
               func.count(Respondent.submitted_at),
               func.sum(case((Respondent.submitted_at.is_(None) & Respondent.saved_at.is_not(None), 1), else_=0)))
        .where(Respondent.assessment_id.in_(assessment_ids)).group_by(Respondent.assessment_id)).all()
    return {row[0]: Counts(row[1], row[2], int(row[3] or 0)) for row in rows}


def _owned_clause(user):
    if has_role(user, Role.COORDINATOR):
        return Assessment.id.is_not(None)
    return Assessment.created_by_id == user.id


@dataclass
class IndexPage:
    owned: list[Assessment] = field(default_factory=list)
    counts: dict[int, Counts] = field(default_factory=dict)
    to_answer: list[Respondent] = field(default_factory=list)


def index_page(user) -> IndexPage:
    page = IndexPage()
    if has_role(user, Role.ORGANISER, Role.COORDINATOR):
        page.owned = list(db.session.scalars(select(Assessment).options(joinedload(Assessment.created_by))
                                             .where(_owned_clause(user)).order_by(Assessment.created_at.desc())))
        page.counts = counts([a.id for a in page.owned])
    page.to_answer = list(db.session.scalars(
        select(Respondent).join(Assessment).options(joinedload(Respondent.assessment))
        .where(Respondent.user_id == user.id, Assessment.status != AssessmentStatus.DRAFT)
        .order_by(Assessment.closes_at.desc())))
    return page


def respondents(assessment: Assessment) -> list[Respondent]:
    return list(db.session.scalars(
        select(Respondent).options(joinedload(Respondent.user).joinedload(User.organisation))
        .where(Respondent.assessment_id == assessment.id).join(User).order_by(User.name)))


def earlier_assessments(user, assessment: Assessment) -> list[Assessment]:
    """Assessments whose questions the user may reuse (their own, with questions)."""
    rows = db.session.scalars(select(Assessment).where(_owned_clause(user), Assessment.id != assessment.id)
                              .order_by(Assessment.created_at.desc()).limit(100))
    return [row for row in rows if is_owner(user, row)]


def project_choices() -> list[tuple[int, str]]:
    return [(p.id, p.acronym) for p in db.session.scalars(select(Project).order_by(Project.acronym))]


def theme_choices() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.empact_cycle.is_(None), Theme.name)))


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.country)
                              .order_by(Organisation.name)).all()
    return [(row.id, f"{row.name} ({row.country})" if row.country else row.name) for row in rows]


def event_choices(user) -> list[tuple[int, str]]:
    """Events the user may see, latest first (for scoping an assessment or linking a need)."""
    rows = db.session.execute(select(Event.id, Event.title, Event.starts_at).where(event_access.visible_clause(user))
                              .order_by(Event.starts_at.desc()).limit(EVENT_CHOICES_LIMIT)).all()
    return [(row.id, f"{row.title} ({row.starts_at:%Y-%m-%d})") for row in rows]


def needs_of(assessment: Assessment) -> list[Need]:
    return list(db.session.scalars(select(Need).options(selectinload(Need.events), joinedload(Need.theme))
                                   .where(Need.assessment_id == assessment.id)
                                   .order_by(PRIORITY_ORDER, Need.title)))


def visible_events(user, need: Need) -> list[Event]:
    """The need's linked events that this viewer may see (a draft only by its organisers)."""
    return [event for event in need.events if event_access.can_view(user, event)]


def needs_for_library(user, theme_id: int | None = None) -> list[Need]:
    """Identified needs shown beside the capability-gap recommendations (planning staff only)."""
    if not may_read_needs(user):
        return []
    query = (select(Need).options(joinedload(Need.assessment), joinedload(Need.theme), selectinload(Need.events))
             .order_by(PRIORITY_ORDER, Need.created_at.desc()).limit(LIBRARY_NEEDS_LIMIT))
    if theme_id:
        query = query.where(Need.theme_id == theme_id)
    return list(db.session.scalars(query))


def needs_for_events(user, event_ids) -> dict[int, list[Need]]:
    """{event id: the needs it addresses} for the given events (planning staff only)."""
    event_ids = list(event_ids or ())
    if not event_ids or not may_read_needs(user):
        return {}
    rows = db.session.execute(select(need_events.c.event_id, Need).join(Need, Need.id == need_events.c.need_id)
                              .where(need_events.c.event_id.in_(event_ids)).order_by(PRIORITY_ORDER, Need.title)).all()
    found: dict[int, list[Need]] = {}
    for event_id, need in rows:
        found.setdefault(event_id, []).append(need)
    return found


def results_input(assessment: Assessment) -> list[Respondent]:
    """The submitted questionnaires (the results are built from these only)."""
    return list(db.session.scalars(select(Respondent).where(
        Respondent.assessment_id == assessment.id, Respondent.submitted_at.is_not(None)).order_by(Respondent.id)))


def theme_names() -> dict[int, str]:
    return {theme.id: theme.label for theme in db.session.scalars(select(Theme))}


def deadline_passed(assessment: Assessment) -> bool:
    return assessment.closes_at is not None and assessment.closes_at <= now()


def get_or_404(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        abort(404)
    return assessment


def need_or_404(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None:
        abort(404)
    return need


def all_needs(user) -> list[Need]:
    """Every identified need, for the planning staff, with their assessments, themes and events."""
    if not may_read_needs(user):
        return []
    return list(db.session.scalars(
        select(Need).options(joinedload(Need.assessment), joinedload(Need.theme), selectinload(Need.events))
        .order_by(PRIORITY_ORDER, Need.created_at.desc()).limit(500)))


def person_questionnaires(user_id: int) -> list[dict]:
    """A person's own questionnaires, for their data export: each assessment's title, the dates and
    their answers by question."""
    rows = db.session.scalars(select(Respondent).options(joinedload(Respondent.assessment)
                                                         .selectinload(Assessment.questions))
                              .where(Respondent.user_id == user_id).order_by(Respondent.id))
    found = []
    for respondent in rows:
        texts = {str(q.id): q.text for q in respondent.assessment.questions}
        found.append({
            "assessment": respondent.assessment.title,
            "invited_at": respondent.invited_at.isoformat() if respondent.invited_at else None,
            "saved_at": respondent.saved_at.isoformat() if respondent.saved_at else None,
            "submitted_at": respondent.submitted_at.isoformat() if respondent.submitted_at else None,
            "answers": {texts.get(key, key): value for key, value in (respondent.answers or {}).items()},
        })
    return found


def waiting_questionnaires(user) -> list[Respondent]:
    """The open questionnaires `user` was sent and has not submitted, soonest deadline first (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(Respondent).join(Assessment).options(joinedload(Respondent.assessment))
        .where(Respondent.user_id == user.id, Respondent.submitted_at.is_(None),
               Assessment.status == AssessmentStatus.OPEN, Assessment.closes_at > now())
        .order_by(Assessment.closes_at)))
