"""A person's knowledge-check results, as other packages ask for them.

stub: replaced by the knowledge-checks package on merge."""

from __future__ import annotations


def post_test_score(event_id: int, user_id: int, session_id: int | None = None) -> float | None:
    """The person's post-test score in percent (0–100) for the event (or one of its sessions), None
    when there is no post-test or the person has not taken it. (stub: replaced by the knowledge-checks
    package on merge.)"""
    return None
