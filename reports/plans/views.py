"""The improvement plan: targets and actions by commitment, built from results, reviewed next cycle.

Assessors and org admins edit (Action.EDIT_PLAN); executives and NAM staff read. The organization is the
checked URL organization; actions are loaded through it, so another organization's action is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from assessments.audit import audit_record
from assessments.forms import add_service_errors
from assessments.models import AssessmentCycle, AuditEvent
from assessments.permissions import Action, can, organization_for, require_nam_staff

from ..exporters import tabular
from ..peer_groups import PeerGroup
from . import selectors, services
from .exporters import field_plan_table, plan_table
from .field_summary import field_plan_summary
from .forms import ActionForm, NoteForm, PlanFilterForm, StatusForm, TargetForm
from .models import ImprovementAction
from .suggestions import chosen_suggestions, plan_suggestions


def _cycle_from_param(slug: str) -> AssessmentCycle:
    # A query parameter is free text (NUL bytes included, which PostgreSQL refuses): only a slug is looked up.
    if not slug_re.fullmatch(slug):
        raise Http404("No such cycle.")
    return get_object_or_404(AssessmentCycle, slug=slug)


def _cycle(request, organization) -> AssessmentCycle | None:
    slug = request.GET.get("cycle") or request.POST.get("cycle")
    if slug:
        return _cycle_from_param(slug)
    return selectors.default_plan_cycle(organization)


def _plan_url(organization, cycle, anchor: str = "") -> str:
    url = reverse("reports:plan", args=[organization.slug])
    if cycle is not None:
        url += f"?cycle={cycle.slug}"
    return url + (f"#{anchor}" if anchor else "")


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def plan(request, slug):
    organization = organization_for(request, slug, Action.VIEW)
    cycle = _cycle(request, organization)
    filters = PlanFilterForm(request.GET, organization=organization)
    owner = status = None
    if filters.is_valid():
        owner, status = filters.cleaned_data["owner"], filters.cleaned_data["status"] or None
    context = {"organization": organization, "cycle": cycle, "filters": filters}
    if cycle is not None:
        previous = cycle.previous()
        context |= {
            "overview": selectors.plan_overview(
                organization=organization, cycle=cycle, owner=owner, status=status
            ),
            "review": selectors.target_review(organization=organization, cycle=previous)
            if previous
            else None,
            "cycles": selectors.plan_cycles(organization),
            "next_cycle": selectors.next_cycle_of(cycle),
            "statuses": ImprovementAction.Status.choices,
        }
    context["can_edit"] = can(request.user, Action.EDIT_PLAN, organization)
    context["can_export"] = can(request.user, Action.EXPORT, organization)
    return render(request, "reports/plans/plan.html", context)


@login_required
def plan_build(request, slug):
    """Build from results: the commitments with the biggest gaps, what the next level asks for."""
    organization = organization_for(request, slug, Action.EDIT_PLAN)
    cycle = _cycle(request, organization)
    assessment = selectors.submitted_assessment(organization=organization, cycle=cycle)
    peer_group = request.GET.get("peer_group") or PeerGroup.ALL
    suggestions = plan_suggestions(assessment=assessment, peer_group=peer_group) if assessment else None
    if request.method == "POST" and suggestions is not None:
        picked = chosen_suggestions(suggestions, slugs=request.POST.getlist("commitment"))
        if not picked:
            messages.error(request, "Tick at least one commitment to start the plan with.")
        else:
            result = services.plan_start_from_suggestions(
                organization=organization, cycle=cycle, user=request.user, suggestions=picked
            )
            messages.success(
                request,
                f"Plan started: {result.targets_set} target(s) set, "
                f"{result.actions_created} action(s) added. "
                "Next: give each action an owner and a due date.",
            )
            return redirect(_plan_url(organization, cycle))
    return render(
        request,
        "reports/plans/build.html",
        {
            "organization": organization,
            "cycle": cycle,
            "suggestions": suggestions,
            "peer_groups": PeerGroup.choices,
            "peer_group": suggestions.peer_group if suggestions else PeerGroup.ALL,
        },
    )


@login_required
@require_POST
def plan_target(request, slug):
    organization = organization_for(request, slug, Action.EDIT_PLAN)
    cycle = _cycle(request, organization)
    if cycle is None:
        raise Http404("No such cycle.")
    form = TargetForm(request.POST, cycle=cycle)
    if form.is_valid():
        commitment = form.cleaned_data["commitment"]
        level = form.cleaned_data["target_level"]
        try:
            services.target_set(
                organization=organization,
                cycle=cycle,
                commitment=commitment,
                target_level=level,
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = (
                f"Target for {commitment.name} set to {level}."
                if level
                else f"Target for {commitment.name} removed."
            )
            messages.success(request, done)
            return redirect(_back(request, _plan_url(organization, cycle, commitment.slug)))
    return render(
        request,
        "reports/plans/target_form.html",
        {"organization": organization, "cycle": cycle, "form": form, "next": _back(request, "")},
        status=400,
    )


@login_required
def plan_action_new(request, slug):
    organization = organization_for(request, slug, Action.EDIT_PLAN)
    cycle = _cycle(request, organization)
    if cycle is None:
        raise Http404("No such cycle.")
    if request.method == "POST":
        form = ActionForm(request.POST, organization=organization, cycle=cycle)
        if form.is_valid():
            try:
                action = services.action_create(
                    organization=organization, cycle=cycle, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Action “{action.title}” added to the plan.")
                return redirect(_back(request, _plan_url(organization, cycle, action.commitment.slug)))
    else:
        initial = {"status": ImprovementAction.Status.PLANNED}
        commitment = request.GET.get("commitment")
        if commitment and commitment.isdigit():
            initial["commitment"] = int(commitment)
        form = ActionForm(initial=initial, organization=organization, cycle=cycle)
    return render(
        request,
        "reports/plans/action_form.html",
        {
            "organization": organization,
            "cycle": cycle,
            "form": form,
            "action": None,
            "next": _back(request, ""),
        },
    )


def _action(organization, pk) -> ImprovementAction:
    return get_object_or_404(
        ImprovementAction.objects.filter(organization=organization).select_related(
            "cycle", "commitment", "owner"
        ),
        pk=pk,
    )


@login_required
def plan_action_edit(request, slug, pk):
    """An action: its details and progress notes; editors change it here, readers see it."""
    organization = organization_for(
        request, slug, Action.EDIT_PLAN if request.method == "POST" else Action.VIEW
    )
    action = _action(organization, pk)
    cycle = action.cycle
    can_edit = can(request.user, Action.EDIT_PLAN, organization)
    form = None
    if request.method == "POST":
        form = ActionForm(request.POST, organization=organization, cycle=cycle)
        if form.is_valid():
            try:
                services.action_update(
                    organization=organization, action=action, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Action “{action.title}” saved.")
                return redirect(_back(request, _plan_url(organization, cycle, action.commitment.slug)))
    elif can_edit:
        form = _saved_action_form(action, organization)
    return _render_action(
        request, organization, action, form=form, note_form=NoteForm() if can_edit else None
    )


def _saved_action_form(action, organization) -> ActionForm:
    """The action form filled with what is saved (the edit page, and behind a refused note)."""
    initial = {
        "commitment": action.commitment_id,
        "title": action.title,
        "description": action.description,
        "indicators": [i.pk for i in action.indicators.all()],
        "owner": action.owner_id,
        "due_date": action.due_date,
        "status": action.status,
    }
    return ActionForm(initial=initial, organization=organization, cycle=action.cycle)


def _render_action(request, organization, action, *, form, note_form, status=200):
    return render(
        request,
        "reports/plans/action_form.html",
        {
            "organization": organization,
            "cycle": action.cycle,
            "action": action,
            "form": form,
            "note_form": note_form,
            "notes": list(action.notes.select_related("author")),
            "can_edit": can(request.user, Action.EDIT_PLAN, organization),
            "next": _back(request, ""),
        },
        status=status,
    )


@login_required
@require_POST
def plan_action_note(request, slug, pk):
    organization = organization_for(request, slug, Action.EDIT_PLAN)
    action = _action(organization, pk)
    note_form = NoteForm(request.POST)
    if note_form.is_valid():
        try:
            services.note_add(
                organization=organization, action=action, user=request.user, **note_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(note_form, error)
        else:
            messages.success(request, "Progress note added.")
            return redirect(
                _back(request, reverse("reports:plan_action_edit", args=[organization.slug, action.pk]))
            )
    form = _saved_action_form(action, organization)
    return _render_action(request, organization, action, form=form, note_form=note_form, status=400)


@login_required
@require_POST
def plan_action_status(request, slug, pk):
    """The quick status change of the plan page (and its optional comment)."""
    organization = organization_for(request, slug, Action.EDIT_PLAN)
    action = _action(organization, pk)
    form = StatusForm(request.POST)
    back = _back(request, _plan_url(organization, action.cycle, action.commitment.slug))
    if not form.is_valid():
        messages.error(request, "Choose a status among planned, in progress, done and dropped.")
        return redirect(back)
    old = action.get_status_display()
    services.action_set_status(
        organization=organization, action=action, user=request.user, **form.cleaned_data
    )
    if old == action.get_status_display():
        messages.info(request, f"“{action.title}” is still {old.lower()}.")
    else:
        messages.success(request, f"“{action.title}”: {old} → {action.get_status_display()}.")
    return redirect(back)


@login_required
def plan_export(request, slug, fmt):
    organization = organization_for(request, slug, Action.EXPORT)
    cycle = _cycle(request, organization)
    if cycle is None or fmt not in tabular.CONTENT_TYPES:
        raise Http404("Nothing to export.")
    table = plan_table(organization=organization, cycle=cycle)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        organization=organization,
        detail=f"improvement plan {cycle.slug} as {fmt}",
    )
    return tabular.download(table, fmt, f"improvement-plan-{organization.slug}-{cycle.slug}")


def _nam_cycle(request) -> AssessmentCycle | None:
    slug = request.GET.get("cycle")
    if slug:
        return _cycle_from_param(slug)
    with_plans = AssessmentCycle.objects.filter(targets__isnull=False).order_by("-opens_on").first()
    return with_plans or AssessmentCycle.objects.exclude(status=AssessmentCycle.Status.UPCOMING).first()


@login_required
def nam_plans(request):
    require_nam_staff(request)
    cycle = _nam_cycle(request)
    summary = field_plan_summary(cycle=cycle) if cycle else None
    return render(
        request,
        "reports/plans/nam_plans.html",
        {"cycle": cycle, "summary": summary, "cycles": AssessmentCycle.objects.order_by("-opens_on")},
    )


@login_required
def nam_plans_export(request):
    require_nam_staff(request)
    cycle = _nam_cycle(request)
    if cycle is None:
        raise Http404("No cycle yet.")
    table = field_plan_table(summary=field_plan_summary(cycle=cycle))
    audit_record(
        kind=AuditEvent.Kind.EXPORT, request=request, detail=f"field improvement plans {cycle.slug} as csv"
    )
    return tabular.download(table, "csv", f"improvement-plans-field-{cycle.slug}")
