"""The TLP rule (app.lessons.visibility.facts_clause) built ONCE per shape of viewer (role, with or
without an organisation) on a bound viewer (visibility.bound_viewer): the viewer's id and organisation
are parameters and the viewer's facts (organised, attended, hidden events: visibility.fact_parts) are
read in the statement itself, so the statement's text is the same for every viewer of a shape. Building
the rule anew on each request (and its cache key) cost more than running it, and PostgreSQL, given
the same text with the rule's constants written in it (constants_written), keeps a generic plan
instead of planning the statement at every run. Used by the library (app.lessons.listing) and an
entry's page (app.lessons.queries.visible_lesson)."""

from __future__ import annotations

from sqlalchemy import and_, any_, exists, func, literal_column, or_, select, union_all
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from app.lessons.models import SHAREABLE_MARKINGS, Lesson, LessonStatus
from app.lessons.visibility import (
    PUBLISHED_STATUSES,
    bound_viewer,
    fact_parts,
    facts_clause,
    is_coordinator,
    marked_at,
)


class FactRows:
    """The lists of event ids of app.lessons.visibility.facts_clause read from the viewer's facts
    in the statement itself (`facts`: a CTE of fact_parts of the bound viewer, rows (fact, event id,
    user id, since), as facts_from_rows reads them), so that every viewer of a shape shares one
    statement and PostgreSQL one plan: each list a hashed sub-plan over the few rows of facts."""

    def __init__(self, facts, viewer_id):
        fact, user_id, since = facts.c.fact, facts.c.user_id, facts.c.since
        self.facts = facts
        # The viewer's later appointments alone, read once (few rows).
        self.appointed = (select(facts.c.event_id, facts.c.since).where(fact == "k", since.is_not(None))
                          .cte("appointed").prefix_with("MATERIALIZED", dialect="postgresql"))
        self.conditions = {
            "hidden": fact == "h",
            "organised": fact.in_(("c", "k")),
            "strict": fact.in_(("a", "g")),
            "amber": fact.in_(("a", "g", "c", "k")),
            "attended": and_(fact.in_(("a", "g")), user_id == viewer_id),
            # Created, or co-organised since an unknown time (as from the start).
            "from_start": or_(fact == "c", and_(fact == "k", since.is_(None))),
        }

    def _ids(self, name: str):
        return select(self.facts.c.event_id).where(self.conditions[name])

    def event_in(self, name: str):
        return Lesson.event_id.in_(self._ids(name))

    def event_not_in(self, name: str):
        return Lesson.event_id.not_in(self._ids(name))

    def awaiting_candidates(self, viewer_id):
        """The ids of a superset of the submitted entries a viewer who is no coordinator may see: their
        own, and those of the events they organise (the rule lets no one else see an entry under
        review: app.lessons.visibility._visible_if). ANDed with the rule, the awaiting figure reads
        these few entries through the indexes instead of every submitted one (~3,000 on the bench)."""
        candidate = Lesson.__table__.alias("candidate")
        return Lesson.id.in_(union_all(
            select(candidate.c.id).where(candidate.c.author_id == viewer_id),
            select(candidate.c.id).join(self.facts, self.facts.c.event_id == candidate.c.event_id)
            .where(self.conditions["organised"], candidate.c.status == LessonStatus.SUBMITTED),
        ))

    def search_candidates(self, viewer_id):
        """A superset of the entries a viewer who is no coordinator may see, as terms an index finds
        (PostgreSQL only): the published CLEAR and GREEN entries, their own, and those of the events
        they attended, someone of their organisation attended or they organise. The rule
        (app.lessons.visibility.facts_clause) opens no other entry to them: a draft only to its author,
        an entry under review only to its author and its event's organisers, AMBER, AMBER+STRICT and
        RED only through those events. ANDed with the rule, a search by words PostgreSQL finds through
        the words' index ANDed with these (app.lessons.listing: for words that match many entries)."""
        among = Lesson.event_id == any_(func.array(self._ids("amber").scalar_subquery()))
        return or_(and_(Lesson.status.in_(PUBLISHED_STATUSES), Lesson.tlp.in_(SHAREABLE_MARKINGS)),
                   Lesson.author_id == viewer_id, among)

    def own_candidates(self, viewer_id):
        """A superset of the entries a viewer who is no coordinator may see BEYOND the public ones
        (app.lessons.public_part.public_clause): their own, and those of the events they attended,
        someone of their organisation attended or they organise (search_candidates without its
        public terms; a draft event the viewer may see is one they organise)."""
        among = Lesson.event_id == any_(func.array(self._ids("amber").scalar_subquery()))
        return or_(Lesson.author_id == viewer_id, among)

    def organiser_when_marked(self):
        """Created or co-organised from the start; co-organised later, for entries marked since (the
        appointment's time from the viewer's few later appointments, read once: a correlated
        sub-query over every fact was costed per entry, and PostgreSQL compiled the plain library's
        plan with JIT, ~0.5 s)."""
        appointed = self.appointed
        appointed_before = select(appointed.c.event_id).where(appointed.c.event_id == Lesson.event_id,
                                                              appointed.c.since <= marked_at())
        return or_(self.event_in("from_start"), exists(appointed_before))


def constants_written(statement, dialect):
    """`statement` with the values it holds itself (statuses, markings, fact tags: the same for every
    viewer of a shape) written into its text instead of sent as parameters: PostgreSQL then costs
    its generic plan as well as a custom one (a parameter's status = $n was costed as an average
    status, the hidden drafts' scan ~5× too dear) and keeps it, instead of planning the statement
    anew at every run (~0.8 ms of its ~3 ms for a search of a few hundred entries)."""
    def written(element):
        if isinstance(element, BindParameter) and element.unique and element.callable is None \
                and element.value is not None:
            rendered = element.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
            return literal_column(str(rendered), element.type)
        return None
    return visitors.replacement_traverse(statement, {}, written)


def bound_rule(role, has_organisation: bool):
    """(the bound viewer, its FactRows, the rule's clause) for every signed-in viewer of `role` with (or
    without) an organisation; execute with visibility.viewer_parameters(user). A new clause at each
    call: callers build their statement once (cached) around it."""
    viewer = bound_viewer(role, has_organisation)
    rows = FactRows(union_all(*fact_parts(viewer)).cte("facts"), viewer.id)
    return viewer, rows, facts_clause(viewer.id, is_coordinator(viewer), rows)
