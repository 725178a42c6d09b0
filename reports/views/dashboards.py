"""Dashboards: an organization against its anonymous peers, the field for NAM staff, how scores work."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from assessments import permissions
from assessments.models import Assessment, AssessmentCycle, OrgType, Region, SizeBand
from commitments.models import Commitment, Indicator

from .. import benchmark_scores, charts, plans, selectors
from ..peer_groups import PeerGroup


def how_scores_work(request):
    return render(
        request,
        "reports/how_scores_work.html",
        {
            "min_peers": settings.BENCHMARK_MIN_PEERS,
            "include_submitted": settings.BENCHMARK_INCLUDE_SUBMITTED,
            "peer_groups": PeerGroup.choices,
        },
    )


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
        "min_peers": settings.BENCHMARK_MIN_PEERS,
    }
    if not results:
        return render(request, "reports/dashboards/org_empty.html", context)
    assessment = _pick(request, results)
    peer_group = request.GET.get("peer_group") or PeerGroup.ALL
    if peer_group not in PeerGroup.values:
        messages.warning(request, "That peer group does not exist: showing all participants.")
        peer_group = PeerGroup.ALL
    parts = _org_parts(organization, assessments, results, assessment, peer_group, context)
    context.update(
        parts=parts,
        target_review=_target_review(organization, assessment, results, parts["achieved"]),
    )
    return render(request, "reports/dashboards/org.html", context)


def _org_parts(organization, assessments, results, assessment, peer_group, context) -> dict:
    """The dashboard's two halves as HTML, and the scores its plan targets are checked against.

    Why kept: executives reopen the same dashboard with the same peer groups, and its benchmark, charts and
    tables took three quarters of the page's CPU. They derive only from the organization and its assessments
    (statuses; a submitted assessment's answers change only after a return, which changes its status), the
    cycles' benchmark tokens (a refresh of peer scores retires the entry at once) and the settings that decide
    who counts, all of which are in the key; the commitments' names come from the cycle's rubric, published
    (cycle_create refuses a draft) and so never changing. What the viewer may do is not part of them: both
    halves are the same for everyone who may see the dashboard."""
    tokens = benchmark_scores.versions({a.cycle_id for a in assessments})
    key = _org_parts_key(organization, assessments, assessment, peer_group, tokens)
    parts = cache.get(key) if key is not None else None
    if parts is not None:
        return parts
    benchmark = selectors.org_benchmark(
        assessment=assessment, peer_group=peer_group, org_assessments=results, tokens=tokens
    )
    context = {
        **context,
        **_summary(benchmark),
        "benchmark": benchmark,
        "peer_groups": PeerGroup.choices,
        "radar_script": charts.figure_script(charts.radar_spec(benchmark), "chart-radar"),
        "iqr_script": charts.figure_script(charts.score_vs_iqr_spec(benchmark), "chart-iqr"),
        "trend_script": (
            charts.figure_script(charts.trend_spec(benchmark), "chart-trend")
            if len(benchmark.trend) > 1
            else None
        ),
    }
    parts = {
        "top": render_to_string("reports/dashboards/_org_top.html", context),
        "bottom": render_to_string("reports/dashboards/_org_bottom.html", context),
        "achieved": {c.slug: c.score for c in benchmark.commitments},
    }
    if key is not None:
        cache.set(key, parts, benchmark_scores.CACHE_SECONDS)
    return parts


# What the cached halves show of the organization (its peer groups follow from the last four) and of each of
# its assessments; tests/reports/test_views_dashboards.py changes each one and expects a fresh dashboard.
ORG_FIELDS_SHOWN = ("pk", "name", "slug", "org_type", "size_band", "region", "is_teaching")
ASSESSMENT_FIELDS_SHOWN = ("pk", "status", "submitted_at", "updated_at", "cycle_id")
CYCLE_FIELDS = ("name", "slug", "status", "opens_on", "rubric_id")


def _org_parts_key(organization, assessments, assessment, peer_group, tokens) -> str | None:
    """None while the shown cycle has no benchmark token (never refreshed): nothing to key an entry on."""
    if assessment.cycle_id not in tokens:
        return None
    return benchmark_scores.cache_key(
        "org-html",
        assessment.cycle_id,
        tokens[assessment.cycle_id],
        sorted(tokens.items()),
        [getattr(organization, name) for name in ORG_FIELDS_SHOWN],
        [
            [*(getattr(a, f) for f in ASSESSMENT_FIELDS_SHOWN), *(getattr(a.cycle, f) for f in CYCLE_FIELDS)]
            for a in assessments
        ],
        assessment.pk,
        peer_group,
        settings.BENCHMARK_MIN_PEERS,
    )


def _summary(benchmark) -> dict:
    """Counts and rows the dashboard's tables show beside the benchmark."""
    counts = {c.slug: c for c in benchmark.scores.commitments}
    rows = []
    for c in benchmark.commitments:
        score = counts[c.slug]
        not_applicable = score.answered - score.applicable
        counts_row = {"applicable": score.applicable, "total": score.total, "not_applicable": not_applicable}
        rows.append((c, counts_row))
    total = sum(s.total for s in counts.values())
    answered = sum(s.answered for s in counts.values())
    applicable = sum(s.applicable for s in counts.values())
    trend_rows = [
        {"name": c.name, "values": [point.commitments.get(c.slug) for point in benchmark.trend]}
        for c in benchmark.commitments
    ]
    change = None
    if benchmark.previous_overall is not None and benchmark.overall.score is not None:
        change = benchmark.overall.score - benchmark.previous_overall
    return {
        "overall_change": change,
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
        statistics=_field_statistics(cycle, filters),
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


def _field_statistics(cycle, filters) -> str:
    """The score distributions and heatmaps of the field dashboard, as HTML.

    They derive only from the cycle's statistics under these filters (no viewer's data), so they are rendered
    once and cached under the benchmark version (see reports/benchmark_scores.py): a refresh of the cycle's
    scores gives a new key at once. The cycle's name and its rubric's commitment names are shown too: the
    name is in the key, and a locked rubric never changes (a draft one's section is never cached). The key
    does not name the code's version: fine for the default per-process cache, which a deploy empties."""
    tokens = benchmark_scores.versions([cycle.pk])
    key = None
    if cycle.pk in tokens and cycle.rubric.is_locked:
        key = benchmark_scores.cache_key(
            "field-html", cycle.pk, tokens[cycle.pk], sorted(filters.items()), cycle.name, cycle.rubric_id
        )
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)  # noqa: S308 (our own template's output)
    names = dict(
        Commitment.objects.filter(rubric_id=cycle.rubric_id).order_by("order").values_list("slug", "name")
    )
    names[selectors.OVERALL] = "Overall"
    # The three groupings in one call: no statistics query while their own cache entries live.
    by_group = selectors.field_statistics_by(
        cycle=cycle, filters=filters, group_bys=[None, "org_type", "region"], tokens=tokens
    )
    stats = {slug: s for (_, slug), s in by_group[None].items()}
    html = render_to_string(
        "reports/dashboards/_nam_statistics.html",
        {
            "cycle": cycle,
            "include_submitted": settings.BENCHMARK_INCLUDE_SUBMITTED,
            "stats_rows": [(slug, name, stats.get(slug)) for slug, name in names.items()],
            "boxes_script": (
                charts.figure_script(charts.distribution_boxes_spec(stats, names), "chart-boxes")
                if stats
                else None
            ),
            "heatmaps": [
                _heatmap(
                    by_group["org_type"], "org_type", dict(OrgType.choices), names, "by organization type"
                ),
                _heatmap(by_group["region"], "region", dict(Region.choices), names, "by census region"),
            ],
        },
    )
    if key is not None:
        cache.set(key, html, benchmark_scores.CACHE_SECONDS)
    return html


def _target_review(organization, assessment, results, achieved):
    """Targets the plan set on the organization's previous results, against the results shown here."""
    earlier = [r for r in results if r.cycle.opens_on < assessment.cycle.opens_on]
    if not earlier:
        return None
    plan_cycle = max(earlier, key=lambda r: r.cycle.opens_on).cycle
    return plans.target_review(
        organization=organization, cycle=plan_cycle, next_cycle=assessment.cycle, achieved=achieved
    )


def _heatmap(stats, field_name, labels, names, title):
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
            (label, list(zip(mean_row, count_row, strict=True)))
            for label, mean_row, count_row in zip(row_labels, means, counts, strict=True)
        ],
        "script": charts.figure_script(figure, chart_id) if figure else None,
        "id": chart_id,
    }
