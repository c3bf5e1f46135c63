"""The headings and field names of the readable data page (privacy/data.html), in the reader's
language. The JSON download keeps the machine keys."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTION_TITLES = {
    "account": _l("Account"), "calendar_preferences": _l("Calendar preferences"),
    "memberships": _l("Memberships"), "registrations": _l("Registrations"),
    "session_signups": _l("Session sign-ups"), "invitations": _l("Invitations"),
    "attendance": _l("Attendance"), "feedback": _l("Feedback"), "lessons": _l("Lessons"),
    "knowledge_checks": _l("Knowledge checks"), "follow_up_answers": _l("Follow-up survey"),
    "needs_assessments": _l("Needs assessments"),
    "follow_up_actions": _l("Follow-up actions"), "action_notes": _l("Action notes"),
    "api_tokens": _l("API tokens"), "audit_entries": _l("Audit entries"),
}

FIELD_LABELS = {
    "id": _l("Id"), "email": _l("Email"), "name": _l("Name"), "role": _l("Role"), "position": _l("Position"),
    "country": _l("Country"), "timezone": _l("Time zone"), "language": _l("Language"),
    "email_confirmed_at": _l("Email confirmed at"), "pending_email": _l("Pending email"),
    "last_login_at": _l("Last sign-in at"), "created_at": _l("Created at"), "updated_at": _l("Updated at"),
    "is_active_account": _l("Active account"), "deleted_at": _l("Deleted at"),
    "organisation": _l("Organisation"), "include_waitlisted": _l("Include waiting-list places"),
    "status": _l("Status"), "is_admin": _l("Organisation admin"), "via": _l("How"),
    "requested_at": _l("Requested at"), "decided_at": _l("Decided at"), "reason": _l("Reason"),
    "event": _l("Event"), "event_id": _l("Event id"), "registered_at": _l("Registered at"),
    "confirmed_at": _l("Confirmed at"), "cancelled_at": _l("Cancelled at"), "dietary_needs": _l("Dietary needs"),
    "accessibility_needs": _l("Accessibility needs"), "needs_visa_letter": _l("Needs a visa letter"),
    "consented_at": _l("Consented at"), "needs_erased_at": _l("Needs erased at"),
    "checked_in_at": _l("Checked in at"), "session": _l("Session"), "session_id": _l("Session id"),
    "responded_at": _l("Responded at"), "day": _l("Day"), "is_anonymous": _l("Anonymous"),
    "overall": _l("Overall"), "relevance": _l("Relevance"), "what_worked": _l("What worked"),
    "what_to_improve": _l("What to improve"), "kind": _l("Kind"), "tlp": _l("TLP marking"), "title": _l("Title"),
    "observation": _l("Observation"), "analysis": _l("Analysis"), "recommendation": _l("Recommendation"),
    "problem_addressed": _l("Problem addressed"), "how_it_works": _l("How it works"), "evidence": _l("Evidence"),
    "replication_needs": _l("Replication needs"), "submitted_at": _l("Submitted at"),
    "description": _l("Description"), "due_on": _l("Due on"), "lesson_id": _l("Lesson id"),
    "completed_at": _l("Completed at"), "action_id": _l("Action id"), "body": _l("Text"), "at": _l("At"),
    "action": _l("Action"), "subject_type": _l("Object"), "subject_id": _l("Object id"), "changes": _l("Changes"),
    "as_actor": _l("As the one acting"), "scopes": _l("Scopes"), "last_used_at": _l("Last used at"),
    "revoked_at": _l("Revoked at"), "prefix": _l("Prefix"), "version": _l("Version"), "entries": _l("Entries"), "expires_at": _l("Expires at"),
    "deadline_at": _l("Deadline"), "intro": _l("Introduction"), "merged_into": _l("Merged into"),
    "percent": _l("Score (%)"), "applied": _l("Applied at work (1–5)"), "how": _l("How"),
    "answered_at": _l("Answered at"),
    "assessment": _l("Assessment"), "invited_at": _l("Invited at"), "saved_at": _l("Saved at"),
    "answers": _l("Answers"),
}


def section_title(name: str) -> str:
    return str(SECTION_TITLES.get(name) or name.replace("_", " ").capitalize())


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key) or key.replace("_", " "))
