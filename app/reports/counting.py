"""How report figures are counted: the rules shown to users (COUNTING_RULES) and the SQL
expressions the figures share (who attended, seat-taking roles, open action states, training content,
conditional counts, hours and months per database dialect).

Every figure is an aggregate computed in the database (GROUP BY / COUNT), over the events the viewer
may report on (app.reports.scope), so a page costs the same few queries whatever the data size.

How figures are counted (shown to users on the pages, see COUNTING_RULES):
- Events in a report are published or cancelled events (drafts never count) matching the filter and
  the viewer's scope (coordinators and admins: the whole network; organisers: events they created or
  co-organise). An event belongs to the period in which it starts (dates in UTC). "Held" = published
  and ended; "planned" = published and not yet ended. Cancelled events are counted apart and add no
  participation figures.
- Registrations = confirmed registrations (any role). People = distinct persons among them
  (COUNT DISTINCT user), so someone at three events is one person. Attended = a confirmed registration
  with any check-in (event check-in, a day's attendance or a session's attendance). The attendance
  rate is attended / registrations at held events.
- A participant's country is the person's country, else their organisation's; the organisation type
  is their organisation's.
- Training hours: for a held training event, the length of its agenda sessions (breaks and
  networking excluded), or the event's own length (end minus start) when it has no such sessions;
  plus, in any held event, the length of sessions of kind "training".
- People trained: distinct participants/observers who attended a held training event or checked in
  at a training session. Certificates: the issued certificate records (app.certificates) of held
  events and their sessions, revoked ones left out.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ARRAY, Integer, cast, column, func, literal_column, select, text

from app.cache import raw
from app.db_events import leave_read_mode
from app.events.models import Event, SessionKind
from app.extensions import db

COUNTING_RULES = [  # shown on the report pages, in the viewer's language
    _l(
        "Events: published or cancelled events matching the filter (drafts never count). An event "
        "belongs to the period in which it starts (dates in UTC). Held = published and ended; planned = "
        "published and not yet ended."
    ),
    _l(
        "Registrations are confirmed registrations (any role). People counts each person once, however "
        "many events they registered for."
    ),
    _l(
        "Attended = a confirmed registration with a check-in (at the event, on one of its days or at "
        "one of its sessions). Attendance rate = attended ÷ registrations, at held events."
    ),
    _l(
        "A participant's country is their own, else their organisation's; the organisation type is their "
        "organisation's. An event linked to several projects counts for each project."
    ),
    _l(
        "Training hours: a held training event counts the length of its agenda sessions (breaks and "
        "networking excluded), or its own length when it has no agenda; any held event adds its "
        "sessions of kind 'training'."
    ),
    _l(
        "People trained: distinct participants and observers who attended a held training event or "
        "checked in at a training session. Certificates issued: certificates of attendance issued for held "
        "events and their training sessions (downloaded by their holders or issued by the organisers), "
        "revoked ones left out."
    ),
    _l(
        "Lessons and follow-up actions belong to the events in the report (a theme filter also keeps "
        "lessons tagged with that theme). Overdue = open or in progress with a due date before today."
    ),
]

NOT_TRAINING_CONTENT = (SessionKind.BREAK, SessionKind.NETWORKING)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def hours_between(start, end):
    """Length of an interval in hours, computed by the database."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def month_of(column):
    """'YYYY-MM' of an instant, in UTC. Literal formats keep GROUP BY identical to the SELECT."""
    if _dialect() == "postgresql":
        return func.to_char(
            func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'")
        )
    return func.strftime(literal_column("'%Y-%m'"), column)


# Per-person aggregates hash ~one group per registration; PostgreSQL's default 4 MB work_mem
# spills those to disk. Raised for the report's transaction only (SET LOCAL).
PG_WORK_MEM = "64MB"
# The network-wide aggregates read every registration (~200,000 rows at the benchmark's scale): let
# PostgreSQL split those scans and the per-person partial aggregates over parallel workers, which its
# default costs rule out for tables this size. The figures are the same; a report at one request at a
# time takes about half the time on two cores. Also for the report's transaction only.
PG_PARALLEL = {"parallel_setup_cost": "100", "parallel_tuple_cost": "0.01"}


def tune_for_aggregates() -> None:
    """The report's statements, from here to the end of the request, in one transaction with the
    settings above (a GET reads PostgreSQL in autocommit, where SET LOCAL would not outlive itself:
    app.db_events.leave_read_mode)."""
    if _dialect() == "postgresql":
        leave_read_mode(db.session)
        raw.read(db.session, _settings_statement, _settings_statement, {})  # (on the DBAPI cursor)


def _settings_statement():
    settings = {"work_mem": PG_WORK_MEM, **PG_PARALLEL}
    sql = "SELECT " + ", ".join(f"set_config('{name}', '{value}', true)" for name, value in settings.items())
    return text(sql).columns(*(column(name) for name in settings))


def number(value) -> float:
    return float(value or 0)


def rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def count_if(condition):
    """COUNT(*) FILTER (WHERE condition): rows meeting the condition. PostgreSQL evaluates a FILTER
    clause markedly faster than COUNT(CASE ...) over the report's ~200,000 registrations."""
    return func.count().filter(condition)


def one_of(column, ids):
    """`column` IN `ids` (a select of one integer column, expected to give a few rows). On
    PostgreSQL as = ANY(an array of them): the planner cannot tell how few rows a condition like
    "ended by the report's instant yet not flagged so" keeps, guesses ~90% of the table and would
    hash-join every registration; an array from a subquery it guesses small, and looks the few
    up by index."""
    if _dialect() == "postgresql":
        listed = ids.subquery("listed")
        found = select(func.array_agg(listed.c[0])).scalar_subquery()
        return column == func.any(cast(found, ARRAY(Integer)))
    return column.in_(ids)


def count_by_status(model, conditions: list) -> dict:
    """{status: count} of `model`'s rows (a Registration: an id, a status and an
    event_id) at the events matching `conditions`."""
    rows = db.session.execute(
        select(model.status, func.count(model.id))
        .select_from(model)
        .join(Event, Event.id == model.event_id)
        .where(*conditions)
        .group_by(model.status)
    ).all()
    return dict(rows)
