"""An organization's self-assessment: overview, one page per commitment, review and submit, history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from commitments.selectors import rubric_outline

from .. import permissions, selectors
from ..evidence.selectors import page_evidence
from ..forms.workflow import (
    NOT_APPLICABLE,
    TAKE_THEIRS,
    answer_formset_class,
    answer_initial,
)
from ..models import Assessment, AssessmentCycle
from ..permissions import Action
from ..review import selectors as review_selectors
from ..services import workflow as services

ANSWER_PREFIX = "answers"
HISTORY_PAGE_SIZE = 25


def _load(request, slug: str, cycle_slug: str, action: Action = Action.VIEW, *, people: bool = False):
    """(organization, cycle, assessment or None) after the permission check; people: with who submitted
    and who reviewed it (only the overview names them: two joins fewer for the busiest pages)."""
    organization = permissions.organization_for(request, slug, action)
    # The assessment and its cycle in one query; the cycle alone only when nothing was started.
    related = ("cycle__rubric", "submitted_by", "reviewed_by") if people else ("cycle__rubric",)
    assessment = (
        Assessment.objects.filter(organization=organization, cycle__slug=cycle_slug)
        .select_related(*related)
        .first()
    )
    if assessment is None:
        cycle = get_object_or_404(AssessmentCycle.objects.select_related("rubric"), slug=cycle_slug)
        return organization, cycle, None
    assessment.organization = organization
    return organization, assessment.cycle, assessment


def _load_started(request, slug, cycle_slug, action=Action.VIEW):
    organization, cycle, assessment = _load(request, slug, cycle_slug, action)
    if assessment is None:
        raise Http404("This assessment has not been started yet.")
    return organization, cycle, assessment


def _can_edit(request, organization, assessment) -> bool:
    return (
        assessment is not None
        and assessment.is_editable
        and permissions.can(request.user, Action.EDIT_ASSESSMENT, organization)
    )


def _why_read_only(assessment: Assessment) -> str:
    if assessment.cycle.is_closed:
        return f"The {assessment.cycle.name} cycle is closed: this assessment can no longer change."
    return {
        Assessment.Status.AWAITING_ATTESTATION: "This assessment is waiting for the executive's attestation: "
        "it can no longer be changed unless the executive sends it back.",
        Assessment.Status.SUBMITTED: "This assessment has been submitted and is waiting for NAM review: "
        "it can no longer be changed.",
        Assessment.Status.VALIDATED: "This assessment has been validated by NAM: "
        "it can no longer be changed.",
    }.get(assessment.status, "This assessment cannot be changed.")


def _refuse_read_only(request, assessment):
    messages.error(request, _why_read_only(assessment) + " Nothing was changed.")
    return redirect("assessments:overview", assessment.organization.slug, assessment.cycle.slug)


def _base_context(request, organization, cycle, assessment) -> dict:
    return {
        "organization": organization,
        "cycle": cycle,
        "assessment": assessment,
        "can_edit": _can_edit(request, organization, assessment),
        "can_export": permissions.can(request.user, Action.EXPORT, organization),
        "days_left": (cycle.closes_on - timezone.localdate()).days,
        "days_overdue": (timezone.localdate() - cycle.closes_on).days,
    }


@login_required
def org_home(request, slug):
    organization = permissions.organization_for(request, slug, Action.VIEW)
    cycle = selectors.current_open_cycle()
    if cycle is None:
        return render(
            request,
            "assessments/workflow/past.html",
            {"organization": organization, "assessments": selectors.organization_assessments(organization)},
        )
    if not Assessment.objects.filter(organization=organization, cycle=cycle).exists():
        return _not_started(request, organization, cycle)
    return redirect("assessments:overview", organization.slug, cycle.slug)


def _not_started(request, organization, cycle):
    """No assessment yet. Opening a page never writes: an assessor starts it with a button (a POST)."""
    can_start = cycle.status == cycle.Status.OPEN and permissions.can(
        request.user, Action.EDIT_ASSESSMENT, organization
    )
    return render(
        request,
        "assessments/workflow/not_started.html",
        {"organization": organization, "cycle": cycle, "can_start": can_start},
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request, slug, cycle_slug):
    if request.method == "GET":  # a bookmark or `next=`: the overview offers the button
        return redirect("assessments:overview", slug, cycle_slug)
    organization, cycle, _ = _load(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    try:
        _, created = services.assessment_get_or_start(
            organization=organization, cycle=cycle, user=request.user
        )
    except services.WorkflowError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if created:
            messages.success(
                request, f"The {cycle.name} assessment is started: answer each commitment in turn."
            )
    return redirect("assessments:overview", organization.slug, cycle.slug)


@login_required
def overview(request, slug, cycle_slug):
    organization, cycle, assessment = _load(request, slug, cycle_slug, people=True)
    if assessment is None:
        return _not_started(request, organization, cycle)
    context = _base_context(request, organization, cycle, assessment)
    progress = selectors.assessment_overview(assessment)
    can_copy = (
        context["can_edit"]
        and progress.answered == 0
        and not assessment.responses.exists()
        and selectors.previous_assessment(assessment) is not None
    )
    context.update(progress=progress, can_copy=can_copy, review=review_selectors.overview_extras(assessment))
    return render(request, "assessments/workflow/overview.html", context)


def _level_options(form, row) -> list[dict]:
    descriptors = {d.level: d.text for d in row.descriptors}
    current = str(form["answer"].value() or "")
    options = []
    for value, label in form.fields["answer"].choices:
        options.append(
            {
                "value": value,
                "label": f"{value} {label}" if value != NOT_APPLICABLE else label,
                "text": descriptors.get(int(value), "")
                if value != NOT_APPLICABLE
                else "This practice does not exist in an organization like ours (say why).",
                "checked": current == value,
                "id": f"{form.prefix}-answer-{value}",
                "is_na": value == NOT_APPLICABLE,
            }
        )
    return options


@login_required
@require_http_methods(["GET", "POST"])
def commitment(request, slug, cycle_slug, commitment_slug):
    writing = request.method == "POST"
    action = Action.EDIT_ASSESSMENT if writing else Action.VIEW
    organization, cycle, assessment = _load_started(request, slug, cycle_slug, action)
    outline = selectors.assessment_outline(assessment)  # read once, passed to the selectors below
    current = outline.commitment(commitment_slug)
    if current is None:
        raise Http404("No such commitment in this cycle's rubric.")
    if writing and not assessment.is_editable:
        return _refuse_read_only(request, assessment)
    context = _base_context(request, organization, cycle, assessment)
    ids = [indicator.pk for indicator in current.indicators.all()]
    formset_class = answer_formset_class(len(ids))
    conflicts, save_error = {}, ""
    rows = None  # read after a save attempt: a successful save redirects and never needs them
    if writing:
        formset = formset_class(request.POST, prefix=ANSWER_PREFIX, indicator_ids=ids)
        if formset.is_valid():
            answers = [
                form.to_answer()
                for form in formset.forms
                if form.cleaned_data.get("resolution") != TAKE_THEIRS
            ]
            try:
                result = services.responses_save(assessment=assessment, user=request.user, answers=answers)
            except services.NotEditable:
                return _refuse_read_only(request, assessment)
            except ValidationError as error:
                save_error = " ".join(error.messages)
            else:
                if not result.conflicts:
                    return _after_save(request, assessment, current, len(result.changed))
                conflicts = {c.indicator.pk: c for c in result.conflicts}
                rows = selectors.commitment_rows(assessment, current, outline=outline)
                formset = formset_class(
                    _rebased(request.POST, formset, rows, conflicts), prefix=ANSWER_PREFIX, indicator_ids=ids
                )
    if rows is None:
        rows = selectors.commitment_rows(assessment, current, outline=outline)
    if not writing:
        formset = formset_class(prefix=ANSWER_PREFIX, indicator_ids=ids, initial=answer_initial(rows))
    if len(formset.forms) != len(rows):
        # A forged or truncated management form: show what is saved rather than guess.
        save_error = "The form arrived incomplete, so nothing was saved. Your saved answers are shown below."
        formset = formset_class(prefix=ANSWER_PREFIX, indicator_ids=ids, initial=answer_initial(rows))
    read_only = not context["can_edit"]
    threads, carried = (
        review_selectors.threads_by_indicator(assessment),
        review_selectors.carried_by_indicator(assessment),
    )
    items = []
    for form, row in zip(formset.forms, rows, strict=True):
        if read_only:
            for field in form.fields.values():
                field.disabled = True
        items.append(
            {
                "form": form,
                "row": row,
                "options": _level_options(form, row),
                "answer": str(form["answer"].value() or ""),
                "conflict": conflicts.get(row.indicator.pk),
                "threads": threads.get(row.indicator.pk, []),
                "carried": carried.get(row.indicator.pk),
            }
        )
    progress = selectors.assessment_overview(assessment, with_changes=False, outline=outline)
    position = next(i for i, c in enumerate(progress.commitments) if c.commitment.pk == current.pk)
    context.update(
        commitment=current,
        formset=formset,
        items=items,
        conflicts=conflicts,
        conflict_authors=_conflict_authors(conflicts.values(), request.user),
        save_error=save_error,
        progress=progress,
        previous_commitment=progress.commitments[position - 1].commitment if position > 0 else None,
        next_commitment=progress.commitments[position + 1].commitment
        if position + 1 < len(progress.commitments)
        else None,
        position=position + 1,
        read_only=read_only,
        can_reply=permissions.can(request.user, Action.EDIT_ASSESSMENT, organization)
        and assessment.status != Assessment.Status.VALIDATED
        and not cycle.is_closed,
        unconfirmed_here=[
            i["row"].indicator.pk for i in items if i["carried"] and not i["carried"].is_confirmed
        ],
        evidence=page_evidence(assessment, ids),  # files beside each indicator (assessments/evidence)
    )
    return render(request, "assessments/workflow/commitment.html", context)


YOURSELF = "You, in another tab or window,"


def _conflict_authors(conflicts, user) -> str:
    """Who saved the conflicting answers meanwhile: often the same person in a second tab, not a colleague."""
    names = []
    for conflict in conflicts:
        author = conflict.theirs.updated_by
        if author is not None and author.pk == user.pk:
            name = YOURSELF
        else:
            name = (author.get_full_name() or author.get_username()) if author is not None else "A colleague"
        if name not in names:
            names.append(name)
    names.sort(key=lambda name: name != YOURSELF)  # "You" first
    if len(names) > 1:
        return ", ".join(names[:-1]).rstrip(",") + " and " + names[-1].rstrip(",")
    return names[0] if names else ""


def _rebased(data, formset, rows, conflicts):
    """The user's answers again at the versions saved now: a re-post keeps theirs unless they choose."""
    data = data.copy()
    versions = {row.indicator.pk: (row.response.version if row.response else 0) for row in rows}
    for form in formset.forms:
        indicator_id = form.cleaned_data["indicator"]
        data[form.add_prefix("version")] = str(versions[indicator_id])
        if indicator_id in conflicts:
            data[form.add_prefix("resolution")] = data.get(form.add_prefix("resolution")) or "mine"
        else:
            data.pop(form.add_prefix("resolution"), None)
    return data


def _after_save(request, assessment, current, changed: int):
    slug, cycle_slug = assessment.organization.slug, assessment.cycle.slug
    if changed:
        messages.success(
            request, f"{current.name}: saved ({changed} answer{'s' if changed != 1 else ''} changed)."
        )
    else:
        # Also the answer to a repeated POST (a double click): the answers on the page are the saved ones.
        messages.info(request, f"{current.name}: saved (no answer had changed since the last save).")
    if request.POST.get("then") == "next":
        following = next(
            (c for c in rubric_outline(assessment.cycle.rubric).commitments if c.order > current.order), None
        )
        if following is None:
            return redirect("assessments:review", slug, cycle_slug)
        return redirect("assessments:commitment", slug, cycle_slug, following.slug)
    return redirect("assessments:commitment", slug, cycle_slug, current.slug)


def _review_context(request, organization, cycle, assessment) -> dict:
    context = _base_context(request, organization, cycle, assessment)
    rows = selectors.assessment_rows(assessment)
    issues = selectors.review_issues(assessment, rows)
    answered = sum(1 for row in rows if row.response is not None and row.response.is_answered)
    context.update(
        issues=issues, answered=answered, total=len(rows), review=review_selectors.overview_extras(assessment)
    )
    return context


@login_required
def review(request, slug, cycle_slug):
    organization, cycle, assessment = _load_started(request, slug, cycle_slug)
    return render(
        request,
        "assessments/workflow/review.html",
        _review_context(request, organization, cycle, assessment),
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, slug, cycle_slug):
    """The assessor has finished: ask the organization's executive to attest (which submits to NAM)."""
    if request.method == "GET":
        # A bookmark, or `next=` after signing in again from the review page: submitting needs its button.
        messages.info(
            request, "Nothing was submitted: an assessment is submitted with the button on this page."
        )
        return redirect("assessments:review", slug, cycle_slug)
    organization, cycle, assessment = _load_started(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    try:
        services.assessment_request_attestation(assessment=assessment, user=request.user)
    except services.WorkflowError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("assessments:overview", organization.slug, cycle.slug)
    except ValidationError as error:
        context = _review_context(request, organization, cycle, assessment)
        context["submit_error"] = " ".join(error.messages)
        return render(request, "assessments/workflow/review.html", context)
    messages.success(
        request,
        f"The {cycle.name} assessment now awaits your executive's attestation: they were e-mailed. "
        "Once they attest it, it is submitted to NAM.",
    )
    return redirect("assessments:overview", organization.slug, cycle.slug)


@login_required
@require_POST
def copy_previous(request, slug, cycle_slug):
    organization, cycle, assessment = _load_started(request, slug, cycle_slug, Action.EDIT_ASSESSMENT)
    try:
        copied = services.assessment_copy_previous(assessment=assessment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{copied} answers copied from last cycle. Check each one: practice may have changed since.",
        )
    return redirect("assessments:overview", organization.slug, cycle.slug)


@login_required
def history(request, slug, cycle_slug):
    organization, cycle, assessment = _load_started(request, slug, cycle_slug)
    page = Paginator(selectors.assessment_history(assessment), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _base_context(request, organization, cycle, assessment)
    context.update(page=page, changes=[(change, selectors.change_lines(change)) for change in page])
    context.update(review_events=review_selectors.history_events(assessment))
    return render(request, "assessments/workflow/history.html", context)
