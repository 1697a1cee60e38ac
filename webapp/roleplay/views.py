"""Role-play pages: scenario list, call screen, scorecard; trainer review queue, overrides, reviewed
calls, calibration of the machine against the trainers, test bench."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from webapp.access import Role, roles_required
from webapp.accounts.forms import role_choices
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.inputs import cleans_control_characters, page_number
from webapp.queries import BoundedPage
from webapp.registry import progress_recorded, trainee_plan

from . import services
from .call import CUSTOMER_LOST, DEMANDS_MANAGER_LINE, Reply, replay
from .forms import BenchForm, OverrideForm, ReplyForm, ReviewedForm, StartCallForm
from .models import Call
from .norms import VIOLATION_CATEGORIES
from .scenarios import parse_scenario
from .transcript import reply_segments

bp = Blueprint("roleplay", __name__, url_prefix="/roleplay", template_folder="templates", static_folder="static")

CALLS_PER_PAGE = 30
#: Months shown as columns on the calibration page (older months still count in "overall").
CALIBRATION_MONTHS_SHOWN = 6
REVIEWERS = (Role.TRAINER, Role.ADMIN)


def _own_call_or_404(call_id: int) -> Call:
    call = db.get_or_404(Call, call_id)
    if call.user_id != current_user.id:
        abort(404)
    return call


def _post_rules(user_id: int):
    """The trainee's posts: which requirements a call counts toward."""
    return trainee_plan(current_app).post_rules(user_id)


# --- trainee ----------------------------------------------------------------------------------

@bp.get("/")
@roles_required(Role.TRAINEE)
def scenarios():
    scenarios = services.current_scenarios()
    rules = _post_rules(current_user.id)
    counts = {s.id: rules.scenario_counts(s.id, s.tags) for s in scenarios}
    return render_template("roleplay/scenarios.html", required=[s for s in scenarios if counts[s.id]],
                           optional=[s for s in scenarios if not counts[s.id]], counts=counts,
                           has_post=bool(rules.applicable), by_id={s.id: s for s in scenarios},
                           results=services.scenario_results(current_user.id),
                           calls=services.user_calls(current_user.id), form=StartCallForm(),
                           adjusted=services.recently_adjusted_calls(current_user.id, utcnow()))


@bp.get("/<scenario_id>/brief")
@roles_required(Role.TRAINEE)
def brief(scenario_id: str):
    """Before an assessment call: how it runs, the pass mark, and what it counts toward."""
    version = services.current_version_of(scenario_id)
    if version is None:
        abort(404)
    scenario = services.scenario_of(version)
    return render_template("roleplay/brief.html", scenario=scenario,
                           counts=_post_rules(current_user.id).scenario_counts(scenario.id, scenario.tags),
                           best=services.scenario_results(current_user.id).get(scenario.id),
                           form=StartCallForm(mode="assessment"))


@bp.post("/<scenario_id>/start")
@roles_required(Role.TRAINEE)
def start(scenario_id: str):
    form = StartCallForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        call = services.start_call(current_user.id, scenario_id, form.mode.data)
    except services.RoleplayError:
        abort(404)
    db.session.commit()
    return redirect(url_for("roleplay.call", call_id=call.id))


@bp.get("/calls/<int:call_id>")
@roles_required(Role.TRAINEE)
def call(call_id: int):
    call = _own_call_or_404(call_id)
    if not call.in_progress:
        return redirect(url_for("roleplay.scorecard", call_id=call.id))
    state = services.call_state(call)
    form = ReplyForm(turn=state.next_turn_index)
    elapsed = max(0, int((utcnow() - call.line_served_at).total_seconds()))
    return render_template("roleplay/call.html", call=call, state=state, form=form,
                           scenario=state.scenario, elapsed=elapsed)


@bp.post("/calls/<int:call_id>/reply")
@cleans_control_characters("text")
@roles_required(Role.TRAINEE)
def reply(call_id: int):
    call = _own_call_or_404(call_id)
    form = ReplyForm()
    if form.validate_on_submit():
        was_in_progress = call.in_progress
        try:
            services.submit_reply(call, form.turn.data, form.text.data)
        except services.RoleplayError:
            flash(_("That reply was not for the line the customer is waiting on; it was not stored."), "error")
        else:
            db.session.commit()
            if not call.in_progress:
                if was_in_progress:  # this reply ended the call (not a retry after the end)
                    progress_recorded.send(current_app._get_current_object(), user_id=call.user_id)
                return redirect(url_for("roleplay.scorecard", call_id=call.id))
    else:
        flash(_("Please type a reply."), "error")
    return redirect(url_for("roleplay.call", call_id=call.id))


@bp.get("/calls/<int:call_id>/scorecard")
@roles_required(Role.TRAINEE, *REVIEWERS)
def scorecard(call_id: int):
    call = db.get_or_404(Call, call_id)
    reviewing = current_user.role in REVIEWERS
    if not reviewing and call.user_id != current_user.id:
        abort(404)
    if call.in_progress:
        if reviewing:
            abort(404)
        return redirect(url_for("roleplay.call", call_id=call.id))
    result = services.call_result(call)
    scenario = services.scenario_of(call.scenario_version)
    return render_template(
        "roleplay/scorecard.html", call=call, result=result, scenario=scenario,
        counts=() if reviewing else _post_rules(call.user_id).scenario_counts(scenario.id, scenario.tags),
        segments={turn.index: reply_segments(turn) for turn in result.turns},
        history=services.override_history(call), reviewing=reviewing, ended=_ending(result),
        role_labels=dict(role_choices()),
        review_form=ReviewedForm() if reviewing and not call.reviewed else None,
        violation_categories=VIOLATION_CATEGORIES if reviewing else (),
    )


# --- trainer ----------------------------------------------------------------------------------

@bp.get("/review")
@roles_required(*REVIEWERS)
def review():
    filters = {
        "scenario": request.args.get("scenario", "").strip(),
        "trainee": request.args.get("trainee", "").strip()[:100],
        "outcome": request.args.get("outcome", "") if request.args.get("outcome") in services.REVIEW_OUTCOMES else "",
        "unreviewed": request.args.get("unreviewed") == "1",
    }
    query = services.ended_calls_query(filters["scenario"] or None, filters["trainee"] or None,
                                       filters["outcome"] or None, filters["unreviewed"])
    page = BoundedPage(query, page_number(), CALLS_PER_PAGE, count=True)
    args = {key: ("1" if value is True else value) for key, value in filters.items() if value}
    scenarios = services.current_scenarios()
    return render_template("roleplay/review.html", page=page, filters=filters, args=args,
                           scenarios=scenarios, by_id={s.id: s for s in scenarios},
                           overridden=services.overridden_call_ids([call.id for call in page.items]))


@bp.post("/calls/<int:call_id>/override")
@roles_required(*REVIEWERS)
def override(call_id: int):
    call = db.get_or_404(Call, call_id)
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            services.override_criterion(call, form.turn.data, form.criterion.data, form.passed.data == "1",
                                        form.reason.data, current_user)
        except services.RoleplayError:
            abort(400)
        db.session.commit()
        progress_recorded.send(current_app._get_current_object(), user_id=call.user_id)
        flash(_("Override saved; the machine verdict stays on record."), "success")
    else:
        flash(_("An override needs a verdict and a reason."), "error")
    return redirect(url_for("roleplay.scorecard", call_id=call.id, _anchor=f"turn-{form.turn.data or 1}"))


@bp.post("/calls/<int:call_id>/reviewed")
@roles_required(*REVIEWERS)
def mark_reviewed(call_id: int):
    """Mark an ended call as reviewed: its verdicts (with the overrides) become the trainers' judgement."""
    call = db.get_or_404(Call, call_id)
    if not ReviewedForm().validate_on_submit():
        abort(400)
    try:
        marked = services.mark_reviewed(call, current_user)
    except services.RoleplayError:
        abort(404)
    db.session.commit()
    if marked:
        flash(_("Marked as reviewed: these verdicts now count as the trainers' judgement in the calibration."), "success")
    else:
        flash(_("This call had already been marked as reviewed."), "info")
    return redirect(url_for("roleplay.scorecard", call_id=call.id))


@bp.get("/calibration")
@roles_required(*REVIEWERS)
def calibration():
    """Agreement and Cohen's kappa between the machine and the trainers' reviews, per criterion."""
    report = services.calibration()
    return render_template("roleplay/calibration.html", report=report,
                           months=report.months[-CALIBRATION_MONTHS_SHOWN:],
                           by_id={s.id: s for s in services.current_scenarios()})


@bp.route("/bench", methods=["GET", "POST"])
@roles_required(*REVIEWERS)
def bench():
    """Type replies against a scenario (or a draft of one) with the published norms (or a draft of
    them) and see the scoring, and optionally what they would change on the stored calls of that
    scenario; nothing is stored."""
    scenarios = services.current_scenarios()
    form = BenchForm()
    form.scenario.choices = [SelectChoice(s.id, f"{s.id} · {s.title_zh}") for s in scenarios]
    result, problems, norms_problems, scenario = None, [], [], None
    norms_version = services.current_norms_version()
    versions, impact, impact_calls = {}, None, {}
    if form.validate_on_submit():
        score = None
        if form.norms_source.data and form.norms_source.data.strip():
            score, norms_hash, norms_problems = services.draft_scorer(form.norms_source.data.replace("\r\n", "\n"))
            versions["norms"] = (norms_hash, True)
        elif norms_version is not None:
            score = services.scorer_for(norms_version)
            versions["norms"] = (norms_version.content_hash, False)
        if form.source.data and form.source.data.strip():
            scenario, problems = parse_scenario("draft.md", form.source.data.replace("\r\n", "\n"))
            draft = True
        else:
            version = services.current_version_of(form.scenario.data or "")
            scenario = services.scenario_of(version) if version else None
            draft = False
        if scenario is not None:
            versions["scenario"] = (scenario.content_hash, draft)
        if scenario is not None and score is not None:
            lines = [line.strip() for line in (form.replies.data or "").splitlines() if line.strip()]
            replies = lines or [turn.model_reply for turn in scenario.turns]
            seconds = form.seconds.data or 0
            result = replay(scenario, [Reply(text, seconds) for text in replies], score)
            if form.impact.data:
                impact, impact_calls = services.bench_impact(scenario, score)
    return render_template(
        "roleplay/bench.html", form=form, result=result, problems=problems, norms_problems=norms_problems,
        scenario=scenario, versions=versions, impact=impact, impact_calls=impact_calls,
        impact_limit=services.IMPACT_CALL_LIMIT,
        segments={turn.index: reply_segments(turn) for turn in result.turns} if result else {},
        norms_missing=norms_version is None, ended=_ending(result) if result else None,
    )


def _ending(result) -> dict:
    """What ended or failed a call, for the scorecard and the bench: the turn and categories of a
    critical violation, whether a lost customer demanded a manager or hung up, and the points lost
    to late replies."""
    critical_turn = next((turn for turn in result.turns if turn.critical), None)
    return {
        "critical_turn": critical_turn,
        "critical_criteria": [c for c in critical_turn.criteria if c.fails_call] if critical_turn else [],
        "lost_turn": result.turns[-1] if result.failed_reason == CUSTOMER_LOST and result.turns else None,
        "demanded_manager": result.final_customer_line == DEMANDS_MANAGER_LINE,
        "late_points": sum(turn.timing.late_penalty for turn in result.turns if not turn.timing.over_wait_limit),
        "late_turns": [turn for turn in result.turns if turn.timing.late],
        "over_limit_turns": [turn for turn in result.turns if turn.timing.over_wait_limit],
    }
