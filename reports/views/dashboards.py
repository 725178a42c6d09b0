"""Dashboards: an organization against its anonymous peers, the field for NAM staff, how scores work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import render
from django.urls import reverse

from assessments import permissions
from assessments.models import Assessment, AssessmentCycle, OrgType, Region, SizeBand
from commitments.models import Commitment, Indicator

from .. import charts, disclosure, releases, score_notes, selectors
from ..peer_groups import PeerGroup
from ..perception import perception_gap
from ..plans.selectors import target_review


def how_scores_work(request):
    return render(request, "reports/how_scores_work.html", disclosure.method_context())


@login_required
def org_dashboard(request, slug):
    organization = permissions.organization_for(request, slug, permissions.Action.VIEW)
    assessments = selectors.org_assessments(organization)
    results = selectors.org_results(organization, assessments)
    in_progress = next(
        (
            a
            for a in assessments
            if a.is_editable and (not results or a.cycle.opens_on > results[0].cycle.opens_on)
        ),
        None,
    )
    context = {
        "organization": organization,
        "results": results,
        "in_progress": in_progress,
        "min_peers": disclosure.current_rules().min_peers,
    }
    if not results:
        return render(request, "reports/dashboards/org_empty.html", context)
    assessment = _pick(request, results)
    peer_group = request.GET.get("peer_group") or PeerGroup.ALL
    if peer_group not in PeerGroup.values:
        messages.warning(request, "That peer group does not exist: showing all participants.")
        peer_group = PeerGroup.ALL
    benchmark = selectors.org_benchmark(assessment=assessment, peer_group=peer_group, org_assessments=results)
    # No cache of the rendered page: the organization's own scores are live. Peer figures are cached under
    # their release (reports/releases.py), which never changes.
    context.update(
        **_summary(benchmark),
        **disclosure.method_context(benchmark.release),
        benchmark=benchmark,
        peer_group_options=[
            (key, label, key in benchmark.group_decisions and not benchmark.group_decisions[key].shown)
            for key, label in PeerGroup.choices
        ],
        radar_script=charts.figure_script(charts.radar_spec(benchmark), "chart-radar"),
        iqr_script=charts.figure_script(charts.score_vs_iqr_spec(benchmark), "chart-iqr"),
        trend_script=(
            charts.figure_script(charts.trend_spec(benchmark), "chart-trend")
            if len(benchmark.trend) > 1
            else None
        ),
        target_review=_target_review(
            organization, assessment, results, {c.slug: c.score for c in benchmark.commitments}
        ),
        perception=perception_gap(assessment) if assessment.has_rating_round else None,
    )
    return render(request, "reports/dashboards/org.html", context)


def _summary(benchmark) -> dict:
    """Counts and rows the dashboard's tables show beside the benchmark: each commitment with its levels,
    its lowest indicator and its change since the previous cycle in indicator levels (issue 19)."""
    counts = {c.slug: c for c in benchmark.scores.commitments}
    before = benchmark.previous_scores.by_slug() if benchmark.previous_scores else {}
    lowest = score_notes.lowest_indicators(benchmark.assessment)
    rows = []
    for c in benchmark.commitments:
        score = counts[c.slug]
        counts_row = {
            "applicable": score.applicable,
            "total": score.total,
            "not_applicable": score.answered - score.applicable,
            "levels": score_notes.levels_text(score.levels),
            "lowest": lowest.get(c.slug),
        }
        rows.append((c, counts_row))
    total = sum(s.total for s in counts.values())
    answered = sum(s.answered for s in counts.values())
    applicable = sum(s.applicable for s in counts.values())
    trend_rows = [
        {
            "name": c.name,
            "values": [point.commitments.get(c.slug) for point in benchmark.trend],
            "change": score_notes.commitment_change(counts[c.slug], before.get(c.slug)),
        }
        for c in benchmark.commitments
    ]
    return {
        "overall_change": score_notes.overall_change(benchmark.scores, benchmark.previous_scores),
        "previous_cycle": benchmark.trend[-2].cycle_name if len(benchmark.trend) > 1 else None,
        "commitment_rows": rows,
        "total": total,
        "answered": answered,
        "applicable": applicable,
        "not_applicable": answered - applicable,
        "completeness_percent": round(benchmark.scores.completeness * 100),
        "trend_rows": trend_rows,
        "trend_has_peer": any(p.peer_median is not None for p in benchmark.trend),
    }


def _pick(request, results):
    wanted = request.GET.get("cycle")
    if wanted:
        match = next((a for a in results if a.cycle.slug == wanted), None)
        if match is not None:
            return match
        messages.warning(
            request, "Your organization has no submitted results for that cycle: showing the latest."
        )
    return results[0]


# ---------------------------------------------------------------------------------------------------------
# NAM staff


TEACHING_CHOICES = [("", "Any"), ("yes", "Teaching"), ("no", "Non-teaching")]
RESULT_STATUSES = (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED)


class FieldFilterForm(forms.Form):
    cycle = forms.ChoiceField(required=False)
    org_type = forms.ChoiceField(
        label="Organization type", choices=[("", "Any"), *OrgType.choices], required=False
    )
    size_band = forms.ChoiceField(label="Size", choices=[("", "Any"), *SizeBand.choices], required=False)
    region = forms.ChoiceField(label="Census region", choices=[("", "Any"), *Region.choices], required=False)
    teaching = forms.ChoiceField(label="Teaching status", choices=TEACHING_CHOICES, required=False)
    q = forms.CharField(label="Organization name contains", max_length=100, required=False)

    def org_filters(self) -> dict:
        data = self.cleaned_data
        filters = {name: data[name] for name in ("org_type", "size_band", "region") if data.get(name)}
        if data.get("teaching"):
            filters["is_teaching"] = data["teaching"] == "yes"
        if data.get("q", "").strip():
            filters[selectors.NAME_CONTAINS] = data["q"].strip()
        return filters

    def in_effect(self) -> list[str]:
        """The filters applied, as the page says them ("Organization type: Health system")."""
        described = []
        for name in ("org_type", "size_band", "region", "teaching"):
            value = self.cleaned_data.get(name)
            if value:
                described.append(f"{self.fields[name].label}: {dict(self.fields[name].choices)[value]}")
        if self.cleaned_data.get("q", "").strip():
            described.append(f"Organization name contains “{self.cleaned_data['q'].strip()}”")
        return described


def field_filters(request, cycles):
    """The validated filters of the field dashboard and its exports: (form, cycle, org filters)."""
    form = FieldFilterForm(request.GET or None)
    form.fields["cycle"].choices = [(c.slug, c.name) for c in cycles]
    by_slug = {c.slug: c for c in cycles}
    # By default the latest cycle that has opened: an upcoming one has no data yet.
    default = next((c for c in cycles if c.status != AssessmentCycle.Status.UPCOMING), None)
    default = default or (cycles[0] if cycles else None)
    if form.is_bound and form.is_valid():
        cycle = by_slug.get(form.cleaned_data["cycle"]) or default
        return form, cycle, form.org_filters(), form.cleaned_data.get("q") or ""
    if form.is_bound:
        messages.error(request, "Some filters were not valid and were ignored: see below.")
    return form, default, {}, ""


def latest_cycles():
    return list(AssessmentCycle.objects.select_related("rubric").order_by("-opens_on"))


@login_required
def nam_dashboard(request):
    permissions.require_nam_staff(request)
    cycles = latest_cycles()
    form, cycle, filters, _ = field_filters(request, cycles)
    context = {"form": form, "cycle": cycle, "cycles": cycles, "filters": filters}
    context["filters_in_effect"] = form.in_effect() if filters else []
    if cycle is None:
        return render(request, "reports/dashboards/nam.html", context)
    organizations = selectors.organizations_filtered(filters).order_by("name")
    page = Paginator(organizations.only("name", "slug", "org_type", "region", "state"), 25).get_page(
        request.GET.get("page")
    )
    page_ids = [o.pk for o in page.object_list]
    # A result (submitted or validated) shows its score; a draft or a returned assessment its progress.
    progress = {
        org_id: (status, answered, total)
        for org_id, status, answered, total in cycle.assessments.filter(organization_id__in=page_ids)
        .order_by()
        .annotate(
            answered=Count(
                "responses", filter=Q(responses__level__isnull=False) | Q(responses__not_applicable=True)
            ),
            total=Subquery(
                Indicator.objects.filter(commitment__rubric_id=OuterRef("cycle__rubric_id"))
                .order_by()
                .values("commitment__rubric_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
        )
        .values_list("organization_id", "status", "answered", "total")
    }
    overall = selectors.overall_scores(cycle=cycle, organization_ids=page_ids)
    query = request.GET.copy()
    query.pop("page", None)
    participation = selectors.participation(cycles=cycles, cycle=cycle, filters=filters)
    context.update(
        participation=participation,
        participation_tables=[
            ("By organization type", participation["by_type"]),
            ("By census region", participation["by_region"]),
        ],
        **_field_statistics(cycle, filters),
        page=page,
        org_rows=[_org_row(o, progress.get(o.pk, (None, 0, 0)), overall.get(o.pk)) for o in page.object_list],
        query_string=query.urlencode(),
    )
    return render(request, "reports/dashboards/nam.html", context)


def _org_row(organization, progress, overall):
    """(organization, its dashboard's address, status, score of a result or None, (answered, total))."""
    status, answered, total = progress
    score = overall if status in RESULT_STATUSES else None  # a draft's score is not a result
    # reverse() here rather than {% url %} in the loop: a third cheaper, for 25 rows.
    return (
        organization,
        reverse("reports:org_dashboard", args=[organization.slug]),
        status,
        score,
        (answered, total),
    )


def _field_statistics(cycle, filters) -> dict:
    """The score distributions and heatmaps of the field dashboard, from the cycle's latest release
    (statistics cached under it), each figure marked when members would not see it."""
    release = releases.latest_releases([cycle.pk]).get(cycle.pk)

    names = dict(
        Commitment.objects.filter(rubric_id=cycle.rubric_id).order_by("order").values_list("slug", "name")
    )
    names[selectors.OVERALL] = "Overall"
    by_group = selectors.field_statistics_by(
        cycle=cycle, filters=filters, group_bys=[None, "org_type", "region"], release=release
    )
    rules = disclosure.current_rules()
    stats = {slug: s for (_, slug), s in by_group[None].items()}
    return {
        "cycle": cycle,
        "release": release,
        "stats_rows": [
            (
                slug,
                name,
                stats.get(slug),
                disclosure.members_would_see(stats[slug].n, rules) if slug in stats else "",
            )
            for slug, name in names.items()
        ],
        "boxes_script": (
            charts.figure_script(charts.distribution_boxes_spec(stats, names), "chart-boxes")
            if stats
            else None
        ),
        "heatmaps": [
            _heatmap(by_group["org_type"], "org_type", dict(OrgType.choices), names, "by organization type"),
            _heatmap(by_group["region"], "region", dict(Region.choices), names, "by census region"),
        ],
    }


def _target_review(organization, assessment, results, achieved):
    """Targets the plan set on the organization's previous results, against the results shown here."""
    earlier = [r for r in results if r.cycle.opens_on < assessment.cycle.opens_on]
    if not earlier:
        return None
    plan_cycle = max(earlier, key=lambda r: r.cycle.opens_on).cycle
    return target_review(
        organization=organization, cycle=plan_cycle, next_cycle=assessment.cycle, achieved=achieved
    )


def _heatmap(stats, field_name, labels, names, title):
    rules = disclosure.current_rules()
    groups = [key for key in labels if any((key, slug) in stats for slug in names)]
    slugs = list(names)
    means = [[stats[(g, s)].mean if (g, s) in stats else None for s in slugs] for g in groups]
    counts = [[stats[(g, s)].n if (g, s) in stats else 0 for s in slugs] for g in groups]
    row_labels = [labels[g] for g in groups]
    chart_id = f"chart-heatmap-{field_name}"
    figure = charts.heatmap_spec(row_labels, [names[s] for s in slugs], means, counts) if groups else None
    return {
        "title": title,
        "field": field_name,
        "columns": [names[s] for s in slugs],
        "rows": [
            # Each cell: mean, n, and whether members would see a figure of that group (disclosure).
            (
                label,
                [
                    (m, n, disclosure.members_would_see(n, rules) != "no")
                    for m, n in zip(mean_row, count_row, strict=True)
                ],
            )
            for label, mean_row, count_row in zip(row_labels, means, counts, strict=True)
        ],
        "script": charts.figure_script(figure, chart_id) if figure else None,
        "id": chart_id,
    }
