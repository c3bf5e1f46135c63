"""The expected table of tests/api/test_api_authorisation_matrix.py: operation (× marking) → role →
outcome ("ok" = 2xx, else the status). Pasted from the walk's observed rows after checking each
against the pages' table (tests/test_authorisation_matrix.py) and the rules it names:

- "anonymous" sends no token: public reads (events, sessions) answer, everything else is 401.
- "unconfirmed" (not named below: row() sets it) owns a token that answers 401 everywhere.
- The three owners who lost a permission after making their token answer as members now:
  organiser_removed no longer manages E (403) but keeps the organiser role (reports of their own,
  now no, events); member_left_org no longer sees AMBER entries of A's events (404);
  coordinator_demoted no longer opens summaries or reports (403).
- An entry or action one may not see is 404 (its existence is not told), as on the pages; one
  may see but not change is 403 (actions) or 409 (a workflow step not open to the reader).
"""

from tests.authz_world import ROLES

LOST = ("organiser_removed", "member_left_org", "coordinator_demoted")
API_ROLES = (*ROLES, *LOST)


def row(default: str, **roles: str) -> dict[str, str]:
    """`default` for every role not named; an unconfirmed owner's token answers as no token (401)."""
    expected = {role: roles.get(role, default) for role in API_ROLES}
    expected["unconfirmed"] = roles.get("unconfirmed", "401")
    return expected


EXPECTED: dict = {
    "events.list GET": row('ok'),
    "events.list_mine GET": row('ok'),
    "events.get GET": row('ok'),
    "events.sessions GET": row('ok'),
    "registrations.mine_for_event GET": row('404', anonymous='401', participant='ok'),
    "participants.list GET": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "participants.get GET": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "events.get[D] GET": row('404', admin='ok', owner='ok'),
    "events.sessions[D] GET": row('404', admin='ok', owner='ok'),
    "registrations.mine_for_event[D] GET": row('404', anonymous='401'),
    "participants.list[D] GET": row('404', anonymous='401', admin='ok', owner='ok'),
    "participants.get[D] GET": row('404', anonymous='401'),
    "events.session GET": row('ok'),
    "registrations.mine GET": row('ok', anonymous='401'),
    "registrations.register POST": row('409', anonymous='401'),
    "registrations.cancel DELETE": row('404', anonymous='401', participant='409'),
    "registrations.signup POST": row('409', anonymous='401'),
    "registrations.signup_cancel DELETE": row('404', anonymous='401', participant='ok'),
    "participants.add POST": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "participants.approve POST": row('403', anonymous='401', coordinator='409', admin='409', owner='409'),
    "participants.reject POST": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "participants.check_in POST": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "lessons.search GET": row('ok', anonymous='401'),
    "lessons.create POST": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "actions.mine GET": row('ok', anonymous='401'),
    "summaries.list GET": row('403', anonymous='401', coordinator='ok', admin='ok'),
    "summaries.export GET": row('403', anonymous='401', coordinator='ok', admin='ok'),
    "reports.participation GET": row('403', anonymous='401', organiser_other_event='ok', coordinator='ok', admin='ok', owner='ok', organiser_removed='ok'),
    "reports.dashboard GET": row('403', anonymous='401', organiser_other_event='ok', coordinator='ok', admin='ok', owner='ok', organiser_removed='ok'),
    "lessons.get[CLEAR] GET": row('ok', anonymous='401'),
    "lessons.submit[CLEAR] POST": row('409', anonymous='401'),
    "actions.get[CLEAR] GET": row('ok', anonymous='401'),
    "actions.update[CLEAR] PATCH": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "lessons.get[GREEN] GET": row('ok', anonymous='401'),
    "lessons.submit[GREEN] POST": row('409', anonymous='401'),
    "actions.get[GREEN] GET": row('ok', anonymous='401'),
    "actions.update[GREEN] PATCH": row('403', anonymous='401', coordinator='ok', admin='ok', owner='ok'),
    "lessons.get[AMBER] GET": row('404', anonymous='401', coordinator='ok', org_admin='ok', admin='ok', owner='ok', participant='ok'),
    "lessons.submit[AMBER] POST": row('404', anonymous='401', coordinator='409', org_admin='409', admin='409', owner='409', participant='409'),
    "actions.get[AMBER] GET": row('404', anonymous='401', coordinator='ok', org_admin='ok', admin='ok', owner='ok', participant='ok'),
    "actions.update[AMBER] PATCH": row('404', anonymous='401', coordinator='ok', org_admin='403', admin='ok', owner='ok', participant='403'),
    "lessons.get[AMBER_STRICT] GET": row('404', anonymous='401', org_admin='ok', owner='ok', participant='ok'),
    "lessons.submit[AMBER_STRICT] POST": row('404', anonymous='401', org_admin='409', owner='409', participant='409'),
    "actions.get[AMBER_STRICT] GET": row('404', anonymous='401', org_admin='ok', owner='ok', participant='ok'),
    "actions.update[AMBER_STRICT] PATCH": row('404', anonymous='401', org_admin='403', owner='ok', participant='403'),
    "lessons.get[RED] GET": row('404', anonymous='401', owner='ok', participant='ok'),
    "lessons.submit[RED] POST": row('404', anonymous='401', owner='409', participant='409'),
    "actions.get[RED] GET": row('404', anonymous='401', owner='ok', participant='ok'),
    "actions.update[RED] PATCH": row('404', anonymous='401', owner='ok', participant='403'),
}
