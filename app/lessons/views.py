"""Routes: the library, recording and the workflow, follow-up actions, summaries and wrap-ups."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload

from app.accounts.auth import role_required
from app.accounts.models import Role, User
from app.cache import fragments, pages
from app.directory.models import Organisation, Theme
from app.events import access as event_access
from app.events.models import Event, EventKind
from app.extensions import db
from app.lessons import export as exports
from app.lessons import services, summaries, visibility
from app.lessons.forms import (
    ActionForm,
    ActionUpdateForm,
    LessonForm,
    MarkingForm,
    SummaryForm,
    TransitionForm,
)
from app.lessons.models import (
    TLP,
    ActionNote,
    ActionStatus,
    FollowUpAction,
    Lesson,
    LessonKind,
    LessonStatus,
    LessonTransition,
    RecommendationType,
    Summary,
    SummaryVersion,
)
from app.lessons.search import LibraryFilter, filter_choices, library_counts
from app.lessons.services import LessonError
from app.pagination import Page, paginate, parse_page
from app.timeutil import now

bp = Blueprint("lessons", __name__)

PER_PAGE = 20
EVENT_PAGE_LIMIT = 10


# --- template helpers ------------------------------------------------------------------------


@bp.app_template_global()
def event_url(event_or_id) -> str:
    """The event's page (the events capability), or its entries in the library meanwhile."""
    event_id = getattr(event_or_id, "id", event_or_id)
    if "events.detail" in current_app.view_functions:
        return url_for("events.detail", event_id=event_id)
    return url_for("lessons.library", event=event_id)


@bp.app_template_global()
def event_lesson_entries(event) -> dict:
    """What templates/lessons/_event_entries.html shows on an event page (3 queries)."""
    clause = visibility.visible_lessons_clause(current_user)
    base = select(Lesson).where(Lesson.event_id == event.id, clause)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    entries = list(db.session.scalars(
        base.options(joinedload(Lesson.author), selectinload(Lesson.themes))
        .order_by(Lesson.created_at.desc(), Lesson.id.desc()).limit(EVENT_PAGE_LIMIT)
    ).unique())
    can_record, _reason = services.may_record(current_user, event)
    return {
        "entries": entries,
        "total": total,
        "can_record": can_record,
        "can_wrap_up": event_access.is_organiser_of(current_user, event),
    }


@bp.app_template_filter("tlp_class")
def tlp_class(tlp) -> str:
    return f"tlp-banner tlp-{TLP(tlp).value}"


# --- helpers ---------------------------------------------------------------------------------


def _visible_lesson_or_404(lesson_id: int) -> Lesson:
    lesson = db.session.scalar(
        select(Lesson)
        .options(joinedload(Lesson.event), joinedload(Lesson.author), joinedload(Lesson.validator),
                 joinedload(Lesson.session), selectinload(Lesson.themes))
        .where(Lesson.id == lesson_id, visibility.visible_lessons_clause(current_user))
    )
    if lesson is None:
        abort(404)
    return lesson


def _themes():
    return list(db.session.scalars(select(Theme).order_by(Theme.empact_cycle.is_(None), Theme.name)))


def _entry_data(form: LessonForm) -> services.EntryData:
    return services.EntryData(
        kind=LessonKind(form.kind.data),
        title=form.title.data or "",
        tlp=TLP(form.tlp.data),
        observation=form.observation.data,
        analysis=form.analysis.data,
        recommendation=form.recommendation.data,
        recommendation_type=form.recommendation_type.data or None,
        addressed_to=form.addressed_to.data or None,
        problem_addressed=form.problem_addressed.data,
        how_it_works=form.how_it_works.data,
        evidence=form.evidence.data,
        replication_needs=form.replication_needs.data,
        session_id=form.session_id.data,
        theme_ids=tuple(form.themes.data or ()),
    )


def _status(form) -> int:
    return 422 if (form.errors or getattr(form, "form_errors", None)) else 200


def _filter_choices() -> dict:
    themes, projects = filter_choices()
    return {
        "themes": themes,
        "cycles": sorted({t.empact_cycle for t in themes if t.empact_cycle}),
        "projects": projects,
        "kinds": list(LessonKind),
        "statuses": list(LessonStatus),
        "recommendation_types": list(RecommendationType),
        "event_kinds": list(EventKind),
        "markings": list(TLP),
    }


# --- the library -----------------------------------------------------------------------------


# What the library shows, and what decides who sees which entry (authorship, organisers, attendance,
# organisations, event drafts): any committed change to these tables rebuilds a cached library page.
LIBRARY_TABLES = ("lessons", "lesson_themes", "themes", "projects", "event_projects", "events", "event_organisers",
                  "registrations", "attendance_days", "users", "organisations")


@bp.get("/lessons/")
@pages.cached_page
def library():
    user = current_user._get_current_object()
    # Cached per viewer (what one may see depends on who one is: never shared between two people;
    # anonymous visitors all see the same) and per query string (the pager repeats it).
    viewer = ("user", user.id, user.role) if user.is_authenticated else ("public",)
    key = (viewer, fragments.query_key())
    content = fragments.cached("lessons.library", key, LIBRARY_TABLES, lambda: _library_content(user))
    return render_template("lessons/library.html", content=content)


def _library_content(user) -> str:
    f = LibraryFilter.from_args(request.args)
    # The viewer's organiser/attendance facts are read once (one statement); then ONE statement gives
    # the figures (total, by kind, by status, awaiting validation) and the page's entries with their
    # themes; one more the filters' choices (themes, projects).
    facts = visibility.viewer_facts(user)
    with_awaiting = bool(user.is_authenticated and user.is_organiser)
    number = parse_page(request.args.get("page"))
    choices = _filter_choices()
    counts = library_counts(user, f, facts, with_awaiting=with_awaiting, page=(PER_PAGE, (number - 1) * PER_PAGE),
                            themes=choices["themes"])
    page = Page(items=counts.entries, page=number, per_page=PER_PAGE, total=counts.total)
    event = db.session.get(Event, f.event_id) if f.event_id else None
    if event is not None and not event_access.can_view(user, event):
        event = None
    return render_template(
        "lessons/_library.html", page=page, f=f, kind_counts=counts.by_kind, status_counts=counts.by_status,
        filter_event=event, awaiting=counts.awaiting, **choices,
    )


# --- recording -------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/lessons/new", methods=["GET", "POST"])
@login_required
def new(event_id: int):
    event = event_access.get_visible_or_404(event_id, current_user)
    allowed, reason = services.may_record(current_user, event)
    if not allowed:
        return render_template("lessons/cannot_record.html", event=event, reason=reason), 403
    form = LessonForm()
    form.set_choices(event, _themes())
    if form.validate_on_submit():
        try:
            lesson = services.record_entry(event, current_user, _entry_data(form), submit=bool(form.submit.data))
        except LessonError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash("Entry submitted for validation." if lesson.status == LessonStatus.SUBMITTED
                  else "Draft saved. You can finish it later.", "success")
            return redirect(url_for("lessons.detail", lesson_id=lesson.id))
    return render_template("lessons/form.html", form=form, event=event, lesson=None), _status(form)


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@login_required
def edit(lesson_id: int):
    lesson = _visible_lesson_or_404(lesson_id)
    if not services.can_edit(current_user, lesson):
        abort(403)
    event = lesson.event
    form = LessonForm(obj=lesson if request.method == "GET" else None)
    form.set_choices(event, _themes())
    if request.method == "GET":
        form.kind.data = lesson.kind.value
        form.tlp.data = lesson.tlp.value
        form.recommendation_type.data = lesson.recommendation_type.value if lesson.recommendation_type else ""
        form.addressed_to.data = lesson.addressed_to.value if lesson.addressed_to else ""
        form.themes.data = [t.id for t in lesson.themes]
    if form.validate_on_submit():
        try:
            services.update_entry(lesson, current_user, _entry_data(form), submit=bool(form.submit.data))
        except LessonError as error:
            db.session.rollback()
            lesson = _visible_lesson_or_404(lesson_id)
            form.form_errors.append(str(error))
        else:
            flash("Entry submitted for validation." if form.submit.data and lesson.status == LessonStatus.SUBMITTED
                  else "Entry saved.", "success")
            return redirect(url_for("lessons.detail", lesson_id=lesson.id))
    return render_template("lessons/form.html", form=form, event=event, lesson=lesson), _status(form)


def _render_detail(lesson: Lesson, transition_form=None, marking_form=None, status: int = 200):
    history = list(db.session.scalars(
        select(LessonTransition).options(joinedload(LessonTransition.actor))
        .where(LessonTransition.lesson_id == lesson.id).order_by(LessonTransition.id)
    ))
    actions = list(db.session.scalars(
        select(FollowUpAction)
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation))
        .where(FollowUpAction.lesson_id == lesson.id).order_by(FollowUpAction.id)
    ))
    is_author = current_user.is_authenticated and lesson.author_id == current_user.id
    may_mark = current_user.is_authenticated and (is_author or visibility.can_validate(current_user, lesson))
    marking_form = marking_form or MarkingForm(tlp=lesson.tlp.value)
    if may_mark and not (is_author or visibility.is_coordinator(current_user)):
        # Organisers may only raise the marking.
        marking_form.tlp.choices = [(t.value, t.label) for t in TLP if t.rank >= lesson.tlp.rank]
    return render_template(
        "lessons/detail.html",
        lesson=lesson,
        history=history,
        actions=actions,
        steps=services.allowed_transitions(current_user, lesson),
        can_edit=services.can_edit(current_user, lesson),
        can_add_action=services.can_add_action_to_lesson(current_user, lesson),
        actions_done=services.all_actions_done(lesson) if lesson.status == LessonStatus.ACTIONED else False,
        may_mark=may_mark,
        transition_form=transition_form or TransitionForm(),
        marking_form=marking_form,
        today=now().date(),
    ), status


@bp.get("/lessons/<int:lesson_id>")
def detail(lesson_id: int):
    return _render_detail(_visible_lesson_or_404(lesson_id))


@bp.post("/lessons/<int:lesson_id>/transition")
@login_required
def transition(lesson_id: int):
    lesson = _visible_lesson_or_404(lesson_id)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            status = services.transition(lesson, current_user, form.step.data, form.comment.data)
        except LessonError as error:
            db.session.rollback()
            lesson = _visible_lesson_or_404(lesson_id)
            form.comment.errors = [str(error)]
            return _render_detail(lesson, transition_form=form, status=422)
        flash(f"Entry is now {status.label.lower()}.", "success")
        if not visibility.can_see(current_user, lesson):
            return redirect(url_for("lessons.library"))
        return redirect(url_for("lessons.detail", lesson_id=lesson.id))
    return _render_detail(lesson, transition_form=form, status=422)


@bp.post("/lessons/<int:lesson_id>/delete")
@login_required
def delete(lesson_id: int):
    lesson = _visible_lesson_or_404(lesson_id)
    try:
        services.delete_draft(lesson, current_user)
    except LessonError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("lessons.detail", lesson_id=lesson_id))
    flash("Draft deleted.", "success")
    return redirect(url_for("lessons.library", mine=1))


@bp.post("/lessons/<int:lesson_id>/marking")
@login_required
def marking(lesson_id: int):
    lesson = _visible_lesson_or_404(lesson_id)
    form = MarkingForm()
    if form.validate_on_submit():
        try:
            services.change_marking(lesson, current_user, form.tlp.data, form.comment.data)
        except LessonError as error:
            db.session.rollback()
            lesson = _visible_lesson_or_404(lesson_id)
            form.tlp.errors = [str(error)]
            return _render_detail(lesson, marking_form=form, status=422)
        flash(f"Marking is now {lesson.tlp.label}.", "success")
        if not visibility.can_see(current_user, lesson):
            return redirect(url_for("lessons.library"))
        return redirect(url_for("lessons.detail", lesson_id=lesson.id))
    return _render_detail(lesson, marking_form=form, status=422)


# --- follow-up actions -----------------------------------------------------------------------


def _action_form() -> ActionForm:
    form = ActionForm()
    users = db.session.scalars(
        select(User).where(User.is_active_account.is_(True)).order_by(User.name)
    ).all()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.set_choices(users, organisations)
    return form


def _action_data(form: ActionForm) -> services.ActionData:
    return services.ActionData(
        title=form.title.data or "",
        description=form.description.data,
        owner_user_id=form.owner_user_id.data,
        owner_organisation_id=form.owner_organisation_id.data,
        owner_contact=form.owner_contact.data,
        due_on=form.due_on.data,
    )


@bp.route("/lessons/<int:lesson_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(lesson_id: int):
    lesson = _visible_lesson_or_404(lesson_id)
    if not services.can_add_action_to_lesson(current_user, lesson):
        abort(403)
    form = _action_form()
    if form.validate_on_submit():
        try:
            services.add_action(current_user, _action_data(form), lesson=lesson)
        except LessonError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash("Follow-up action added.", "success")
            return redirect(url_for("lessons.detail", lesson_id=lesson_id))
    return render_template("lessons/action_form.html", form=form, lesson=lesson, event=lesson.event), _status(form)


@bp.route("/events/<int:event_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_event_action(event_id: int):
    event = event_access.get_managed_or_404(event_id, current_user)
    form = _action_form()
    if form.validate_on_submit():
        try:
            action = services.add_action(current_user, _action_data(form), event=event)
        except LessonError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash("Follow-up action added.", "success")
            return redirect(url_for("lessons.action_detail", action_id=action.id))
    return render_template("lessons/action_form.html", form=form, lesson=None, event=event), _status(form)


def _action_or_404(action_id: int) -> FollowUpAction:
    action = db.session.scalar(
        select(FollowUpAction)
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation),
                 joinedload(FollowUpAction.event), joinedload(FollowUpAction.lesson),
                 selectinload(FollowUpAction.notes).joinedload(ActionNote.author))
        .where(FollowUpAction.id == action_id)
    )
    if action is None or not services.can_see_action(current_user, action):
        abort(404)
    return action


def _render_action(action: FollowUpAction, form: ActionUpdateForm | None = None, status: int = 200):
    lesson_visible = action.lesson is not None and visibility.can_see(current_user, action.lesson)
    form = form or ActionUpdateForm(status=action.status.value)
    return render_template(
        "lessons/action_detail.html", action=action, form=form, lesson_visible=lesson_visible,
        can_update=services.can_update_action(current_user, action), today=now().date(),
    ), status


@bp.get("/lessons/actions/<int:action_id>")
@login_required
def action_detail(action_id: int):
    return _render_action(_action_or_404(action_id))


@bp.post("/lessons/actions/<int:action_id>")
@login_required
def update_action(action_id: int):
    action = _action_or_404(action_id)
    if not services.can_update_action(current_user, action):
        abort(403)
    form = ActionUpdateForm()
    if form.validate_on_submit():
        try:
            services.update_action(action, current_user, form.status.data, form.note.data)
        except LessonError as error:
            db.session.rollback()
            action = _action_or_404(action_id)
            form.note.errors = [str(error)]
            return _render_action(action, form, 422)
        flash("Action updated.", "success")
        return redirect(url_for("lessons.action_detail", action_id=action_id))
    return _render_action(action, form, 422)


def _actions_query(user):
    """Actions with their entry, the entry joined only when `user` may see it."""
    return (
        select(FollowUpAction, Lesson)
        .outerjoin(Lesson, (Lesson.id == FollowUpAction.lesson_id) & visibility.visible_lessons_clause(user))
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation),
                 joinedload(FollowUpAction.event))
    )


@bp.get("/lessons/my-actions")
@login_required
def my_actions():
    show = request.args.get("show", "open")
    query = _actions_query(current_user).where(
        or_(FollowUpAction.owner_user_id == current_user.id, FollowUpAction.owner_contact == current_user.email)
    )
    if show != "all":
        query = query.where(FollowUpAction.status.in_(summaries.OPEN_ACTION_STATUSES))
    query = query.order_by(FollowUpAction.due_on.is_(None), FollowUpAction.due_on, FollowUpAction.id)
    page = paginate(query, request.args.get("page"), PER_PAGE, scalars=False)
    return render_template("lessons/my_actions.html", page=page, show=show, today=now().date())


@bp.get("/lessons/actions")
@role_required(Role.COORDINATOR)
def actions_overview():
    status = request.args.get("status", "")
    overdue_only = request.args.get("overdue") == "1"
    today = now().date()
    query = _actions_query(current_user)
    try:
        query = query.where(FollowUpAction.status == ActionStatus(status)) if status else query
    except ValueError:
        status = ""
    if overdue_only:
        query = query.where(FollowUpAction.due_on < today,
                            FollowUpAction.status.in_(summaries.OPEN_ACTION_STATUSES))
    query = query.order_by(FollowUpAction.due_on.is_(None), FollowUpAction.due_on, FollowUpAction.id)
    page = paginate(query, request.args.get("page"), 50, scalars=False)
    overdue = db.session.scalar(
        select(func.count(FollowUpAction.id)).where(
            FollowUpAction.due_on < today, FollowUpAction.status.in_(summaries.OPEN_ACTION_STATUSES)
        )
    ) or 0
    return render_template("lessons/actions_overview.html", page=page, status=status, statuses=list(ActionStatus),
                           overdue_only=overdue_only, overdue=overdue, today=today)


# --- summaries -------------------------------------------------------------------------------


@role_required(Role.COORDINATOR)
def summaries_index():
    items = list(db.session.scalars(
        select(Summary).options(joinedload(Summary.created_by))
        .order_by(Summary.updated_at.desc(), Summary.id.desc())
    ))
    openable = summaries.openable_summary_ids(current_user, items)
    return render_template("lessons/summaries.html", summaries=items, openable=openable)


# The nav lists the endpoint "lessons.summaries".
bp.add_url_rule("/lessons/summaries", endpoint="summaries", view_func=summaries_index)


def _parse_filter_json(raw: str | None) -> LibraryFilter:
    try:
        args = json.loads(raw or "{}")
        if not isinstance(args, dict):
            args = {}
    except (ValueError, TypeError):
        args = {}
    return LibraryFilter.from_args({str(k): str(v) for k, v in args.items()})


def _compile_page(summary: Summary | None, version: SummaryVersion | None):
    """New summary (summary=None) or a new version of one: filter → preview → choose → save."""
    if request.method == "POST":
        f = _parse_filter_json(request.form.get("filters"))
    elif version is not None and not request.args:
        f = LibraryFilter.from_args({k: str(v) for k, v in (version.filters or {}).items()})
    else:
        f = LibraryFilter.from_args(request.args)
    filter_args = f.to_args()
    form = SummaryForm()
    if request.method == "GET":
        form.filters.data = json.dumps(filter_args)
        if version is not None:
            form.title.data = summary.title
            form.group_by.data = version.group_by
            form.introduction.data = version.introduction
            form.conclusions.data = version.conclusions
        if request.args.get("group_by") in summaries.GROUPINGS:
            form.group_by.data = request.args["group_by"]
    previous = set(version.lesson_ids or []) if version is not None else None
    if request.method == "POST":
        chosen = {int(i) for i in request.form.getlist("lesson_ids") if i.isdigit() and len(i) < 10}
    else:
        chosen = previous  # None: a new summary starts with every matching entry
    if form.validate_on_submit():
        draft = summaries.SummaryDraft(
            title=form.title.data, filters=filter_args, group_by=form.group_by.data,
            lesson_ids=sorted(chosen or ()), introduction=form.introduction.data, conclusions=form.conclusions.data,
        )
        try:
            saved = summaries.save(current_user, draft, summary)
        except summaries.SummaryError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            flash(f"Summary saved (version {saved.number}).", "success")
            return redirect(url_for("lessons.summary_detail", summary_id=saved.summary_id))
    entries = summaries.matching_entries(current_user, f)
    if chosen is None:
        chosen = {entry["id"] for entry in entries}
    included = [entry for entry in entries if entry["id"] in chosen]
    group_by = form.group_by.data if form.group_by.data in summaries.GROUPINGS else "theme"
    return render_template(
        "lessons/summary_compile.html",
        form=form, f=f, summary=summary, version=version, previous=previous,
        groups=summaries.group_entries(entries, group_by), chosen=chosen,
        figures=summaries.key_figures(included), matching=len(entries),
        tlp=summaries.most_restrictive(entry["tlp"] for entry in included),
        **_filter_choices(),
    ), _status(form)


@bp.route("/lessons/summaries/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def summary_new():
    return _compile_page(None, None)


def _summary_or_404(summary_id: int) -> Summary:
    # The versions' snapshots (large) stay unloaded until the one shown is read.
    summary = db.session.scalar(
        select(Summary).options(
            selectinload(Summary.versions).options(defer(SummaryVersion.snapshot),
                                                   joinedload(SummaryVersion.created_by))
        ).where(Summary.id == summary_id)
    )
    if summary is None:
        abort(404)
    return summary


def _version(summary: Summary, number_arg) -> SummaryVersion:
    try:
        number = int(number_arg) if number_arg else summary.current_version
    except ValueError:
        abort(404)
    version = next((v for v in summary.versions if v.number == number), None)
    if version is None:
        abort(404)
    if not summaries.can_open(current_user, version):
        abort(403)
    return version


@bp.route("/lessons/summaries/<int:summary_id>/edit", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def summary_edit(summary_id: int):
    summary = _summary_or_404(summary_id)
    version = _version(summary, None)
    return _compile_page(summary, version)


@bp.get("/lessons/summaries/<int:summary_id>")
@role_required(Role.COORDINATOR)
def summary_detail(summary_id: int):
    summary = _summary_or_404(summary_id)
    version = _version(summary, request.args.get("version"))
    data = summaries.version_as_dict(version)
    entries = data["snapshot"].get("entries", [])
    return render_template(
        "lessons/summary_detail.html", summary=summary, version=version, data=data,
        groups=summaries.group_entries(entries, version.group_by),
        recommendations=summaries.recommendations_by_addressee(entries),
        figures=data["snapshot"].get("figures", {}), formats=exports.FORMATS,
    )


def _download(document: dict, fmt: str, filename: str) -> Response:
    if fmt not in exports.FORMATS:
        abort(404)
    mimetype, extension = exports.FORMATS[fmt]
    body = exports.render(document, fmt)
    return Response(body, mimetype=mimetype.split(";")[0], headers={
        "Content-Disposition": f'attachment; filename="{filename}.{extension}"',
        "Content-Type": mimetype,
        "Cache-Control": "no-store",
    })


@bp.get("/lessons/summaries/<int:summary_id>/export/<fmt>")
@role_required(Role.COORDINATOR)
def summary_export(summary_id: int, fmt: str):
    summary = _summary_or_404(summary_id)
    version = _version(summary, request.args.get("version"))
    document = summaries.summary_document(summary.title, summaries.version_as_dict(version))
    return _download(document, fmt, f"summary-{summary.id}-v{version.number}")


# --- event wrap-up ---------------------------------------------------------------------------


@bp.get("/events/<int:event_id>/wrap-up")
@login_required
def wrap_up(event_id: int):
    event = event_access.get_managed_or_404(event_id, current_user)
    data = summaries.wrap_up(current_user, event)
    return render_template("lessons/wrap_up.html", event=event, data=data, formats=exports.FORMATS)


@bp.get("/events/<int:event_id>/wrap-up/export/<fmt>")
@login_required
def wrap_up_export(event_id: int, fmt: str):
    event = event_access.get_managed_or_404(event_id, current_user)
    if fmt not in exports.FORMATS:
        abort(404)
    document = summaries.wrap_up_document(event, summaries.wrap_up(current_user, event))
    return _download(document, fmt, f"wrap-up-event-{event.id}")
