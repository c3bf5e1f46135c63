"""Who may run, answer and read a needs assessment.

- Organisers and coordinators (and admins) run assessments.
- The owners of an assessment are its creator, the coordinators and the admins: they edit it, send
  it, read its results (free-text answers included) and record its needs.
- Only the people it was sent to answer it, each their own questionnaire; a respondent sees their
  own answers, nothing of anyone else's.
- Identified needs are planning information: organisers, coordinators and admins read them."""

from __future__ import annotations

from flask import abort

from app.assessments.models import Assessment
from app.extensions import db
from app.roles import Role, has_role, is_signed_in


def may_run_assessments(user) -> bool:
    return has_role(user, Role.ORGANISER, Role.COORDINATOR)


def is_owner(user, assessment: Assessment) -> bool:
    if not is_signed_in(user):
        return False
    return has_role(user, Role.COORDINATOR) or (
        user.role == Role.ORGANISER and assessment.created_by_id == user.id)


def may_read_needs(user) -> bool:
    return has_role(user, Role.ORGANISER, Role.COORDINATOR)


def owned_or_404(assessment_id: int, user) -> Assessment:
    """The assessment for one of its owners; 404 for anyone else (its existence is not disclosed)."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or not is_owner(user, assessment):
        abort(404)
    return assessment
