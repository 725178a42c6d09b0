"""The assessor's side of rating rounds: open, invite, follow progress, remind, close, re-open, decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import add_service_errors
from ..models import Assessment
from ..permissions import Action, organization_for
from . import selectors, services, tasks
from .forms import ConsensusForm, GroupForm, InviteForm, ReopenForm, RoundForm
from .models import RaterGroup, RatingRound


def _round(request, slug: str, pk: int) -> RatingRound:
    organization = organization_for(request, slug, Action.EDIT_ASSESSMENT)
    rating_round = get_object_or_404(
        RatingRound.objects.select_related("assessment__cycle__rubric"),
        pk=pk,
        assessment__organization=organization,
    )
    rating_round.assessment.organization = organization
    return rating_round


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_http_methods(["GET", "POST"])
def rounds(request, slug, cycle_slug):
    organization = organization_for(request, slug, Action.EDIT_ASSESSMENT)
    assessment = get_object_or_404(
        Assessment.objects.select_related("cycle__rubric"), organization=organization, cycle__slug=cycle_slug
    )
    assessment.organization = organization
    form = RoundForm(request.POST or None, rubric=assessment.cycle.rubric)
    if request.method == "POST" and form.is_valid():
        try:
            rating_round = services.round_open(assessment=assessment, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Rating round opened: now invite the raters.")
            return redirect("raters:round", slug=slug, pk=rating_round.pk)
    context = {
        "organization": organization,
        "assessment": assessment,
        "rounds": assessment.rating_rounds.prefetch_related("commitments"),
        "form": form,
    }
    return render(request, "assessments/raters/rounds.html", context)


@login_required
def round_detail(request, slug, pk):
    rating_round = _round(request, slug, pk)
    organization = rating_round.assessment.organization
    progress = selectors.round_progress(rating_round)
    context = {
        "organization": organization,
        "rating_round": rating_round,
        "progress": progress,
        "finished": sum(p.finished for p in progress),
        "invite_form": InviteForm(organization=organization),
        "reopen_form": ReopenForm(),
        "commitments": selectors.round_commitments(rating_round),
    }
    return render(request, "assessments/raters/round.html", context)


@login_required
@require_POST
def rater_invite(request, slug, pk):
    rating_round = _round(request, slug, pk)
    form = InviteForm(request.POST, organization=rating_round.assessment.organization)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("raters:round", slug=slug, pk=pk)
    try:
        rater = services.rater_invite(rating_round=rating_round, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{rater.email} invited to rate ({rater.group}).")
    return redirect("raters:round", slug=slug, pk=pk)


@login_required
@require_POST
def round_remind(request, slug, pk):
    rating_round = _round(request, slug, pk)
    if not rating_round.is_open:
        messages.error(request, "This round is closed: there is nobody to remind.")
    else:
        tasks.remind_raters.delay_on_commit(round_id=rating_round.pk)
        messages.success(request, "Reminders are on their way to the raters who have not finished.")
    return redirect("raters:round", slug=slug, pk=pk)


@login_required
@require_POST
def round_close(request, slug, pk):
    rating_round = _round(request, slug, pk)
    try:
        services.round_close(rating_round=rating_round, user=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect("raters:round", slug=slug, pk=pk)
    messages.success(request, "Round closed: the raters' views are below.")
    return redirect("raters:consensus", slug=slug, pk=pk)


@login_required
@require_POST
def round_reopen(request, slug, pk):
    rating_round = _round(request, slug, pk)
    form = ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give a new closing date.")
        services.round_reopen(rating_round=rating_round, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, "Round re-opened: raters can change their ratings until the new closing date."
        )
    return redirect("raters:round", slug=slug, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def consensus(request, slug, pk):
    rating_round = _round(request, slug, pk)
    if rating_round.is_open:
        messages.info(
            request, "The raters' views are shown when the round closes, so that they stay independent."
        )
        return redirect("raters:round", slug=slug, pk=pk)
    if request.method == "POST":
        form = ConsensusForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError("Choose a level and write a consensus note.")
            services.consensus_set(
                rating_round=rating_round,
                user=request.user,
                **{
                    "indicator_id": form.cleaned_data["indicator"],
                    "version": form.cleaned_data["version"],
                    "level": form.cleaned_data["level"],
                    "note": form.cleaned_data["note"],
                },
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, "Official answer saved with its consensus note.")
        return redirect("raters:consensus", slug=slug, pk=pk)
    context = {
        "organization": rating_round.assessment.organization,
        "rating_round": rating_round,
        "consensus": selectors.consensus(rating_round),
        "levels": selectors.LEVELS,
        "editable": rating_round.assessment.is_editable,
    }
    return render(request, "assessments/raters/consensus.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rater_groups(request, slug):
    organization = organization_for(request, slug, Action.EDIT_ASSESSMENT)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group_pk = request.POST.get("group")
        try:
            if group_pk:
                group = get_object_or_404(RaterGroup, pk=group_pk, organization=organization)
                services.rater_group_rename(group=group, name=form.cleaned_data["name"])
            else:
                services.rater_group_add(organization=organization, name=form.cleaned_data["name"])
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, "Rater groups saved.")
            return redirect("raters:groups", slug=slug)
    elif request.method == "POST":
        messages.error(request, "Give the group a name.")
    groups = services.rater_groups_ensure(organization=organization)
    return render(
        request,
        "assessments/raters/groups.html",
        {"organization": organization, "groups": groups, "form": form},
    )
