"""PDF scorecards: request (or reuse) one, render it in a worker, sweep the stuck ones, batches for NAM staff.

A scorecard is identified by the SHA-256 of everything its PDF shows. Asking again for unchanged data
returns the finished file; anything that changes what the PDF would show gives a new scorecard.

Rendering runs in Celery (reports.tasks.render_scorecard) and must survive a worker killed mid-render:
the task is acknowledged late, so the broker redelivers it, and the render below is idempotent: a ready
scorecard is never rendered again, a half-written file is overwritten, and only one run marks it ready.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import json
import logging
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Assessment, AssessmentCycle, Response
from commitments.models import Commitment, LevelDescriptor, MaturityLevel, level_label
from reports import charts
from reports.disclosure import method_context
from reports.exporters import chart_svg, pdf
from reports.models import Scorecard, ScorecardBatch
from reports.peer_groups import PeerGroup
from reports.plans.selectors import scorecard_plan_context
from reports.scores import to_decimal
from reports.selectors import org_benchmark

logger = logging.getLogger(__name__)

# Bump when the templates or the CSS change what a PDF looks like: every scorecard is then rendered afresh.
TEMPLATE_VERSION = "2026.12-1"
# A queued scorecard whose task never reached the broker is queued again after this long.
UNSENT_GRACE = datetime.timedelta(minutes=1)
RETRY_BASE_SECONDS = 5
BATCH_CHUNK = 200  # assessments loaded at a time while a batch is filled
NO_VALUE = "\u2013"  # an en dash: no score, or a peer figure not shown
STATIC_DIR = Path(settings.BASE_DIR) / "static"
PAGE_SIZES = {"letter": "letter", "a4": "A4"}
STYLESHEET = STATIC_DIR / "css" / "scorecard-pdf.css"


class ScorecardUnavailable(ValidationError):
    """No scorecard can be made for this assessment (not submitted, unknown peer group...)."""


class ScorecardRetry(Exception):
    """The render failed for a reason that may pass: the task should try again after `countdown` s."""

    def __init__(self, message: str, countdown: int):
        super().__init__(message)
        self.countdown = countdown


# ---------------------------------------------------------------------------------------------------------
# What the PDF shows


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    title: str
    level: int | None
    level_label: str
    not_applicable: bool
    current: str  # the descriptor of the level reached
    next_level_label: str  # "" at level 5, N/A or unanswered
    next_step: str  # the descriptor of the level above


@dataclass(frozen=True)
class ScorecardDocument:
    """Everything one scorecard PDF shows, and its hash."""

    assessment: Assessment
    peer_group: str
    benchmark: object  # reports.selectors.OrgBenchmark
    indicators: dict[str, list[IndicatorRow]]  # by commitment slug
    definitions: dict[str, str]  # commitment slug -> its definition
    plan_html: str  # the page "Our improvement plan" (reports.plans.selectors), rendered; "" without a plan
    rubric_version: str
    page_size: str
    inputs_hash: str


def page_size() -> str:
    return PAGE_SIZES.get(str(settings.SCORECARD_PAGE_SIZE).strip().lower(), "letter")


def _indicator_rows(assessment: Assessment) -> dict[str, list[IndicatorRow]]:
    """Each indicator's level and, as the next step, the descriptor of the level above (two queries)."""
    responses = list(
        Response.objects.filter(assessment=assessment)
        .select_related("indicator__commitment")
        .order_by("indicator__commitment__order", "indicator__order")
    )
    descriptors = {
        (indicator_id, level): text
        for indicator_id, level, text in LevelDescriptor.objects.filter(
            indicator__commitment__rubric_id=assessment.cycle.rubric_id
        ).values_list("indicator_id", "level", "text")
    }
    rows: dict[str, list[IndicatorRow]] = {}
    for response in responses:
        indicator = response.indicator
        level = response.level
        next_level = level + 1 if level is not None and level < MaturityLevel.LEARNING else None
        rows.setdefault(indicator.commitment.slug, []).append(
            IndicatorRow(
                code=indicator.code,
                title=indicator.title,
                level=level,
                level_label="Not applicable" if response.not_applicable else level_label(level),
                not_applicable=response.not_applicable,
                current=descriptors.get((indicator.pk, level), "") if level else "",
                next_level_label=level_label(next_level) if next_level else "",
                next_step=descriptors.get((indicator.pk, next_level), "") if next_level else "",
            )
        )
    return rows


def _plain(value):
    """A JSON-able, canonical form of selector output: dataclasses, models, numbers, dates."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


def scorecard_document(*, assessment: Assessment, peer_group: str, release=None) -> ScorecardDocument:
    """Read what the scorecard of this assessment against this peer group shows; its peer figures from
    `release` (the one a scorecard recorded) or the cycle's latest."""
    if assessment.status not in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED):
        raise ScorecardUnavailable(
            f"The {assessment.cycle} assessment of {assessment.organization} is not submitted: "
            "a scorecard is made from a submitted or validated assessment."
        )
    if peer_group not in PeerGroup.values:
        raise ScorecardUnavailable(f"Unknown peer group {peer_group!r}.")
    benchmark = org_benchmark(assessment=assessment, peer_group=peer_group, release=release)
    indicators = _indicator_rows(assessment)
    definitions = dict(
        Commitment.objects.filter(rubric_id=assessment.cycle.rubric_id).values_list("slug", "definition")
    )
    # The improvement plan's page belongs to the plans feature: its rendered HTML is both what the PDF
    # shows and what the hash covers (titles, owners, due dates, statuses). A cycle with neither a plan nor
    # last cycle's targets to review gets one line on the summary page instead of a page.
    plan_context = scorecard_plan_context(assessment=assessment)
    overview, review = plan_context.get("plan_overview"), plan_context.get("target_review")
    has_plan_page = bool(overview and overview.has_plan) or bool(review and not review.is_empty)
    plan_html = (
        render_to_string("reports/plans/snippets/scorecard_plan_page.html", plan_context)
        if has_plan_page
        else ""
    )
    rubric_version = assessment.cycle.rubric.version
    size = page_size()
    canonical = json.dumps(
        {
            "template_version": TEMPLATE_VERSION,
            "organization": assessment.organization.name,
            "cycle": assessment.cycle.name,
            "assessment_status": assessment.status,
            "rubric_version": rubric_version,
            "page_size": size,
            "peer_group": peer_group,
            "benchmark": _plain(benchmark),
            "indicators": _plain(indicators),
            "definitions": definitions,
            "plan": plan_html,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return ScorecardDocument(
        assessment=assessment,
        peer_group=peer_group,
        benchmark=benchmark,
        indicators=indicators,
        definitions=definitions,
        plan_html=plan_html,
        rubric_version=rubric_version,
        page_size=size,
        inputs_hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    )


# Chart sizes in CSS pixels (96 per inch): drawn at the size they are printed, so text stays legible.
CHART_SIZES = {"radar": (400, 320), "score_vs_iqr": (680, 390), "trend": (680, 270)}
# The peer median's line in print: the dashboards' orange (2.25:1 on white) darkened to 5:1.
PRINT_PEER_COLOR = "#9A5B00"


# Print adjustments to the dashboards' figures, merged into their layout as plotly's update_layout would:
# the PDF's own font; no numbers on the radar's rings (they sat on the markers of the first spokes: the
# caption says what the rings are).
_PRINT_FONT = {"font": {"family": "IBM Plex Sans, sans-serif"}}
_PRINT_LAYOUT = {
    "radar": {"polar": {"radialaxis": {"showticklabels": False}}},
    "trend": {
        "xaxis": {"title": {"text": ""}},
        "yaxis": {"range": [0.7, 5.4]},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
    },
}


def _merged(into: dict, changes: dict) -> dict:
    """`changes` merged into a copy of `into`, nested dicts key by key (as plotly's update_layout)."""
    merged = dict(into)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _print_trend(figure: dict, benchmark) -> None:
    """The trend as the PDF draws it: the overall score and the overall peer median only (the commitments
    are in the table below the chart), each value written beside its own marker on the side away from the
    other line's marker of the same cycle."""
    names = {c.name for c in benchmark.commitments}
    figure["data"] = [trace for trace in figure["data"] if trace.get("name") not in names]
    medians = {p.cycle_name: p.peer_median for p in benchmark.trend}
    for trace in figure["data"]:
        if trace.get("name") == "Overall":
            trace["textposition"] = [
                "bottom center"
                if medians.get(p.cycle_name) is not None and p.overall < medians[p.cycle_name]
                else "top center"
                for p in benchmark.trend
            ]
            trace["textfont"] = {**trace.get("textfont", {}), "size": 11}


def print_figures(benchmark) -> dict[str, dict]:
    """The charts of reports/charts.py that the PDF shows, as plain figure data with the print adjustments.

    The figures stay plain data (charts.*_spec) to the end: plotly's validated update_layout and to_dict
    took more time than building them."""
    figures = {"radar": charts.radar_spec(benchmark)}
    if not benchmark.suppressed:
        figures["score_vs_iqr"] = charts.score_vs_iqr_spec(benchmark)
        # The scores are in the table above the chart: no number beside each diamond (they sat on the
        # peer median's tick).
        for trace in figures["score_vs_iqr"]["data"]:
            if trace.get("mode") == "markers+text":
                trace["mode"] = "markers"
                trace.pop("text", None)
    if len(benchmark.trend) > 1:
        figures["trend"] = charts.trend_spec(benchmark)
        _print_trend(figures["trend"], benchmark)
    if benchmark.suppressed:  # the page says why peers are missing, in words: no note over the chart
        figures["radar"]["layout"]["annotations"] = []
    for name, figure in figures.items():
        for trace in figure["data"]:
            # The legend names the organization's trace "Your organization": a long name would be cut off.
            if trace.get("name") == benchmark.organization.name:
                trace["name"] = "Your organization"
            if trace.get("line", {}).get("color") == charts.ORANGE:  # the peer median, darker on paper
                trace["line"] = {**trace["line"], "color": PRINT_PEER_COLOR}
                trace["marker"] = {**trace.get("marker", {}), "color": PRINT_PEER_COLOR}
        # No legend in the drawing: each figure's caption names what its lines and marks are, in the
        # page's text (WeasyPrint draws an SVG's text a letter at a time: the legends were a third of it).
        figure["layout"] = _merged(
            figure["layout"], {**_PRINT_LAYOUT.get(name, {}), **_PRINT_FONT, "showlegend": False}
        )
    return figures


def _charts(document: ScorecardDocument) -> tuple[dict[str, str], dict[str, pdf.Resource]]:
    """The PDF's charts: their URLs in the HTML, and the resources that give their SVG. Chromium starts
    drawing them at once; WeasyPrint lays the pages out around an image of each chart's size and asks for
    the drawing only when it paints (pdf.painted_later), so Chromium draws while the pages are laid out."""
    figures = print_figures(document.benchmark)
    specs = [
        chart_svg.ChartSpec(figure=charts.export_data(figure), width=width, height=height)
        for (width, height), figure in ((CHART_SIZES[name], figure) for name, figure in figures.items())
    ]
    pending = chart_svg.draw_soon(specs)

    def drawing(index: int) -> pdf.Resource:
        return lambda: (pending.svgs()[index].encode("utf-8"), "image/svg+xml")

    urls, resources = {}, {}
    for index, (name, spec) in enumerate(zip(figures, specs, strict=True)):
        urls[name] = f"scorecard-chart:{name}"
        resources[urls[name]] = pdf.painted_later(f"scorecard-chart-drawing:{name}", spec.width, spec.height)
        resources[f"scorecard-chart-drawing:{name}"] = drawing(index)
    return urls, resources


def _number(value) -> str:
    return NO_VALUE if value is None else f"{value:.2f}"


def _signed(value) -> str:
    """A difference as printed: "+0.33", "\u22120.33" (a minus sign), "\u00b10.00", an en dash for none."""
    if value is None:
        return NO_VALUE
    if value == 0:
        return "\u00b10.00"
    return f"{value:+.2f}".replace("-", "\u2212")


def _percentile(rank) -> str:
    return NO_VALUE if rank is None else f"{ordinal(int(rank))}"


def _commitment_view(c, *, indicators=(), definition="") -> dict:
    """One commitment's figures as the PDF prints them."""
    peer = c.peer
    return {
        "order": c.order,
        "slug": c.slug,
        "name": c.name,
        "score": _number(c.score),
        "has_score": c.score is not None,
        "level_label": c.level_label,
        "median": _number(peer.median) if peer else NO_VALUE,
        "iqr": f"{_number(peer.p25)}{NO_VALUE}{_number(peer.p75)}"
        if peer and peer.p25 is not None
        else NO_VALUE,
        "percentile": _percentile(c.percentile_rank) if peer else NO_VALUE,
        "difference": _signed(c.difference),
        "above": c.difference is not None and c.difference > 0,
        "indicators": list(indicators),
        "definition": definition,
    }


def _peer_phrase(benchmark) -> str:
    """The peer group's value inside a sentence: "hospital", "100-299 beds", but "Midwest census region"."""
    value = benchmark.peer_group_value
    if benchmark.peer_group == PeerGroup.REGION or not value:
        return value
    return value[0].lower() + value[1:]


def _by_cycle(benchmark) -> dict | None:
    """The trend chart's figures as a table: each commitment, the overall score and the overall peer median
    in every cycle (None with a single cycle: there is no trend to show)."""
    trend = benchmark.trend
    if len(trend) < 2:
        return None
    return {
        "cycles": [p.cycle_name for p in trend],
        "commitments": [
            {"order": c.order, "name": c.name, "scores": [_number(p.commitments.get(c.slug)) for p in trend]}
            for c in benchmark.commitments
        ],
        "overall": [_number(p.overall) for p in trend],
        "peer_median": [_number(p.peer_median) for p in trend],
        "has_peers": any(p.peer_median is not None for p in trend),
        "peers_missing": any(p.peer_median is None for p in trend),
    }


def scorecard_html(
    document: ScorecardDocument, *, chart_uris: dict[str, str], produced_on: datetime.date
) -> str:
    b = document.benchmark
    views = {
        c.slug: _commitment_view(
            c, indicators=document.indicators.get(c.slug, []), definition=document.definitions.get(c.slug, "")
        )
        for c in b.commitments
    }
    previous = b.trend[-2] if len(b.trend) > 1 else None
    change = None
    if previous is not None and b.overall.score is not None and previous.overall is not None:
        # From the exact scores, rounded once (as every difference the scorecard prints).
        exact_now, exact_before = b.trend[-1].overall_exact, previous.overall_exact
        if exact_now is not None and exact_before is not None:
            change = to_decimal(exact_now - exact_before)
        else:
            change = b.overall.score - previous.overall
    return render_to_string(
        "reports/scorecard/scorecard.html",
        {
            "doc": document,
            "b": b,
            "organization": document.assessment.organization,
            "cycle": document.assessment.cycle,
            "peer_phrase": _peer_phrase(b),
            "overall": _commitment_view(b.overall),
            "commitments": [views[c.slug] for c in b.commitments],
            # A strength is above the basis and a gap below it: a zero difference is neither.
            "strongest": [views[c.slug] for c in b.strongest if c.difference > 0],
            "gaps": [views[c.slug] for c in b.gaps if c.difference < 0],
            "previous": previous,
            "change": _signed(change) if change is not None else None,
            "change_up": change is not None and change > 0,
            "change_down": change is not None and change < 0,
            "by_cycle": _by_cycle(b),
            "charts": chart_uris,
            "produced_on": produced_on,
            "page_size": document.page_size,
            "levels": [(level.value, level.label, level.meaning) for level in MaturityLevel],
            **method_context(b.release),
        },
    )


def scorecard_pdf(document: ScorecardDocument, *, produced_on: datetime.date | None = None) -> bytes:
    """The PDF bytes of a scorecard document (charts drawn by Chromium, pages by WeasyPrint)."""
    chart_urls, chart_resources = _charts(document)
    html = scorecard_html(document, chart_uris=chart_urls, produced_on=produced_on or timezone.localdate())
    return pdf.html_to_pdf(html, base_dir=STATIC_DIR, resources=chart_resources, stylesheets=(STYLESHEET,))


# ---------------------------------------------------------------------------------------------------------
# Requesting, queueing, retrying


@dataclass(frozen=True)
class ScorecardRequest:
    scorecard: Scorecard
    reused: bool  # a finished PDF of exactly this data already existed


def _file_exists(scorecard: Scorecard) -> bool:
    return bool(scorecard.file) and default_storage.exists(scorecard.file.name)


def scorecard_enqueue(scorecard_id: int) -> bool:
    """Hand the render to the broker; False (and the scorecard stays queued for the sweep) if it is down."""
    from reports.tasks import render_scorecard  # the tasks module imports this one

    # queued_at is set before publishing, while no worker can be touching the row, and cleared on failure.
    Scorecard.objects.filter(pk=scorecard_id, queued_at__isnull=True).update(queued_at=timezone.now())
    try:
        render_scorecard.apply_async(kwargs={"scorecard_id": scorecard_id}, retry=True)
    except Exception:  # kombu OperationalError, redis ConnectionError, socket errors...
        logger.warning(
            "Broker unreachable: scorecard %s stays queued for the sweep", scorecard_id, exc_info=True
        )
        Scorecard.objects.filter(pk=scorecard_id, status=Scorecard.Status.QUEUED).update(queued_at=None)
        return False
    return True


def _queue_on_commit(scorecard: Scorecard) -> None:
    scorecard_id = scorecard.pk
    transaction.on_commit(lambda: scorecard_enqueue(scorecard_id))


def _reset_to_queued(scorecard: Scorecard, *, user=None) -> None:
    scorecard.status = Scorecard.Status.QUEUED
    scorecard.attempts = 0
    scorecard.error_message = ""
    scorecard.queued_at = None  # set once the broker has the task
    scorecard.started_at = None
    scorecard.finished_at = None
    if user is not None:
        scorecard.requested_by = user
    scorecard.save()


@transaction.atomic
def scorecard_request(
    *, assessment: Assessment, peer_group: str, user=None, batch: ScorecardBatch | None = None
) -> ScorecardRequest:
    """Reuse the finished scorecard of unchanged data, or create (or reset a failed) one and queue it."""
    document = scorecard_document(assessment=assessment, peer_group=peer_group)
    scorecard, created = Scorecard.objects.select_for_update().get_or_create(
        assessment=assessment,
        peer_group=peer_group,
        inputs_hash=document.inputs_hash,
        defaults={"requested_by": user, "release": document.benchmark.release},
    )
    if batch is not None:
        scorecard.batches.add(batch)
    if created:
        _queue_on_commit(scorecard)
        return ScorecardRequest(scorecard, reused=False)
    if scorecard.status == Scorecard.Status.READY and _file_exists(scorecard):
        return ScorecardRequest(scorecard, reused=True)
    if scorecard.status in (Scorecard.Status.FAILED, Scorecard.Status.READY):  # failed, or its file is gone
        _reset_to_queued(scorecard, user=user)
        _queue_on_commit(scorecard)
    # queued or rendering: already on its way.
    return ScorecardRequest(scorecard, reused=False)


@transaction.atomic
def scorecard_retry(*, scorecard: Scorecard, user) -> Scorecard:
    """Queue a failed scorecard again, from a fresh count of attempts."""
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.status != Scorecard.Status.FAILED:
        raise ValidationError("Only a scorecard that failed can be tried again.")
    _reset_to_queued(scorecard, user=user)
    _queue_on_commit(scorecard)
    return scorecard


# ---------------------------------------------------------------------------------------------------------
# Rendering (called by the Celery task)


def storage_name(scorecard: Scorecard) -> str:
    assessment = scorecard.assessment
    return (
        f"scorecards/{assessment.organization.slug}-{slugify(assessment.cycle.slug)}-"
        f"{scorecard.peer_group}-{scorecard.inputs_hash[:12]}.pdf"
    )


def download_filename(scorecard: Scorecard) -> str:
    """A name a person can read: 'Alpha Regional Hospital - 2026 scorecard (All participants).pdf'."""
    assessment = scorecard.assessment
    group = scorecard.get_peer_group_display()
    name = f"{assessment.organization.name} - {assessment.cycle.name} scorecard ({group})"
    safe = "".join(ch if ch.isalnum() or ch in " -_.,()&'" else "_" for ch in name)
    return f"{safe.strip()[:150]}.pdf"


def _fail(scorecard_id: int, message: str) -> Scorecard:
    with transaction.atomic():
        scorecard = Scorecard.objects.select_for_update().get(pk=scorecard_id)
        if scorecard.status != Scorecard.Status.READY:
            scorecard.status = Scorecard.Status.FAILED
            scorecard.error_message = message[:2000]
            scorecard.finished_at = timezone.now()
            scorecard.save()
    return scorecard


@transaction.atomic
def _claim(scorecard_id: int, *, redelivered: bool = False) -> Scorecard | None:
    """Mark the scorecard rendering and count the attempt, unless it is gone (None), failed, already done,
    or being rendered right now by another process (None: a second message for it, the sweep's or a copy)."""
    scorecard = (
        Scorecard.objects.select_for_update()
        .select_related("assessment__organization", "assessment__cycle__rubric")
        .filter(pk=scorecard_id)
        .first()
    )
    if scorecard is None:
        logger.info("Scorecard %s is gone: nothing to render", scorecard_id)
        return None
    if scorecard.status == Scorecard.Status.FAILED:
        return scorecard
    if scorecard.status == Scorecard.Status.READY and _file_exists(scorecard):
        return scorecard  # a redelivered or duplicate task: the PDF exists
    if scorecard.status == Scorecard.Status.RENDERING and not redelivered and not _render_over(scorecard):
        logger.info("Scorecard %s is being rendered by another process: not twice", scorecard_id)
        return None  # nothing for this run to do
    scorecard.status = Scorecard.Status.RENDERING
    scorecard.attempts += 1
    scorecard.started_at = timezone.now()
    scorecard.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    return scorecard


def _render_over(scorecard: Scorecard) -> bool:
    # No render outlives the task's hard time limit: one started longer ago was killed or its worker lost.
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return scorecard.started_at is None or scorecard.started_at < timezone.now() - limit


def scorecard_render(*, scorecard_id: int, redelivered: bool = False) -> Scorecard | None:
    """Render a queued scorecard to its PDF and mark it ready; a ready or failed one is left as it is.

    `redelivered`: the broker hands out again a message whose worker died (or whose pool process was
    killed), so the "rendering" the row shows is that dead run's and this one takes over.

    Raises ScorecardRetry for a failure that may pass while attempts remain; after the last attempt, or for
    a failure no retry can fix (no Chromium, assessment no longer submitted), the scorecard is failed.
    """
    try:
        scorecard = _claim(scorecard_id, redelivered=redelivered)
    except DatabaseError as exc:  # the database is unreachable or busy: nothing was counted, try later
        raise ScorecardRetry(f"The database did not answer ({exc})", countdown=RETRY_BASE_SECONDS) from exc
    if scorecard is None or scorecard.status != Scorecard.Status.RENDERING:
        return scorecard

    try:
        document = scorecard_document(
            assessment=scorecard.assessment, peer_group=scorecard.peer_group, release=scorecard.release
        )
        return _store(scorecard_id, document, scorecard_pdf(document))
    except (chart_svg.ChromiumNotFound, ScorecardUnavailable) as exc:
        return _fail(scorecard_id, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    except Exception as exc:
        logger.warning("Scorecard %s: attempt %s failed", scorecard_id, scorecard.attempts, exc_info=True)
        message = f"The scorecard could not be produced ({type(exc).__name__}: {exc})"
        if scorecard.attempts >= settings.SCORECARD_MAX_ATTEMPTS:
            return _fail(scorecard_id, f"{message}. We tried {scorecard.attempts} times.")
        Scorecard.objects.filter(pk=scorecard_id, status=Scorecard.Status.RENDERING).update(
            status=Scorecard.Status.QUEUED, error_message=message[:2000], queued_at=timezone.now()
        )
        raise ScorecardRetry(message, countdown=RETRY_BASE_SECONDS * 2 ** (scorecard.attempts - 1)) from exc


@transaction.atomic
def _store(scorecard_id: int, document: ScorecardDocument, content: bytes) -> Scorecard:
    """Save the PDF under its deterministic name and mark the scorecard ready, unless another run did."""
    scorecard = (
        Scorecard.objects.select_for_update().select_related("assessment__organization").get(pk=scorecard_id)
    )
    if scorecard.status == Scorecard.Status.READY and _file_exists(scorecard):
        return scorecard  # another run finished first: keep its file
    # The data may have moved on since the request: the hash names what this PDF shows.
    if (
        document.inputs_hash != scorecard.inputs_hash
        and not Scorecard.objects.filter(
            assessment_id=scorecard.assessment_id,
            peer_group=scorecard.peer_group,
            inputs_hash=document.inputs_hash,
        ).exists()
    ):
        scorecard.inputs_hash = document.inputs_hash
    name = storage_name(scorecard)
    if default_storage.exists(name):
        default_storage.delete(name)  # a partial file of a killed run, or a stale one
    scorecard.file.name = default_storage.save(name, ContentFile(content))
    scorecard.status = Scorecard.Status.READY
    scorecard.error_message = ""
    scorecard.finished_at = timezone.now()
    scorecard.save()
    return scorecard


# ---------------------------------------------------------------------------------------------------------
# The sweep (periodic task) and batches


def scorecards_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the scorecards whose task was lost; fail those out of attempts. Returns the ids queued."""
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES)
    # A message can be lost after the broker handed it out: kombu's Redis transport pops it (BRPOP) before it
    # records it as unacknowledged, so a worker killed in between takes it along, beyond the visibility
    # timeout's reach. A scorecard merely waiting its turn in a long batch must not be queued twice, though.
    # The queue is first in, first out: a scorecard still queued after one queued later was taken is lost;
    # so is one still queued while nothing renders at all.
    taken_later = Scorecard.objects.filter(
        queued_at__gt=models.OuterRef("queued_at"), started_at__gte=models.F("queued_at")
    )
    rendering = Scorecard.objects.filter(status=Scorecard.Status.RENDERING).exists()
    lost = models.Q(models.Exists(taken_later)) if rendering else models.Q()
    candidates = Scorecard.objects.filter(
        models.Q(status=Scorecard.Status.QUEUED, queued_at__isnull=True, updated_at__lt=now - UNSENT_GRACE)
        | (models.Q(status=Scorecard.Status.QUEUED, queued_at__lt=stuck_before) & lost)
        | models.Q(status=Scorecard.Status.RENDERING, started_at__lt=stuck_before)
    ).values_list("pk", "status", "attempts")
    requeued = []
    for scorecard_id, status, attempts in candidates:
        if status == Scorecard.Status.RENDERING and attempts >= settings.SCORECARD_MAX_ATTEMPTS:
            _fail(scorecard_id, f"The render did not finish after {attempts} attempts.")
            continue
        # scorecard_enqueue stamps queued_at afresh, and clears it again if the broker is still down.
        Scorecard.objects.filter(pk=scorecard_id).update(queued_at=None)
        if scorecard_enqueue(scorecard_id):
            requeued.append(scorecard_id)
    if requeued:
        logger.info("Sweep queued scorecards %s again", requeued)
    return requeued


def scorecard_batch_enqueue(batch_id: int) -> bool:
    """Hand the filling of a batch to the broker; False (the sweep tries again later) if it is down."""
    from reports.tasks import fill_scorecard_batch  # the tasks module imports this one

    try:
        fill_scorecard_batch.apply_async(kwargs={"batch_id": batch_id}, retry=True)
    except Exception:  # kombu OperationalError, redis ConnectionError, socket errors...
        logger.warning("Broker unreachable: batch %s stays preparing for the sweep", batch_id, exc_info=True)
        return False
    return True


@transaction.atomic
def scorecard_batch_create(*, cycle: AssessmentCycle, peer_group: str, user) -> ScorecardBatch:
    """Record a batch of the cycle's scorecards and queue its filling (reports.fill_scorecard_batch).

    Building every organization's benchmark takes minutes at thousands of organizations: not in a request.
    """
    if peer_group not in PeerGroup.values:
        raise ValidationError({"peer_group": "Choose one of the peer groups."})
    if not _batch_assessments(cycle).exists():
        raise ValidationError({"cycle": f"No assessment of {cycle} has been submitted yet."})
    batch = ScorecardBatch.objects.create(cycle=cycle, peer_group=peer_group, requested_by=user)
    batch_id = batch.pk
    transaction.on_commit(lambda: scorecard_batch_enqueue(batch_id))
    return batch


def _batch_assessments(cycle: AssessmentCycle):
    return Assessment.objects.submitted().filter(cycle=cycle, organization__is_active=True)


def scorecard_batch_fill(*, batch_id: int) -> ScorecardBatch | None:
    """Create (or reuse) one scorecard per submitted or validated assessment of the batch's cycle, queue
    their renders, then mark the batch filled. Safe to run again (a redelivered task): a scorecard is
    requested once per assessment, and each request commits on its own, so a long fill holds no lock.
    """
    batch = ScorecardBatch.objects.select_related("cycle", "requested_by").filter(pk=batch_id).first()
    if batch is None or batch.filled_at is not None:
        return batch
    ids = list(_batch_assessments(batch.cycle).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_CHUNK):
        chunk = Assessment.objects.select_related("organization", "cycle__rubric").in_bulk(
            ids[start : start + BATCH_CHUNK]
        )
        for assessment in chunk.values():
            try:
                scorecard_request(
                    assessment=assessment, peer_group=batch.peer_group, user=batch.requested_by, batch=batch
                )
            except ScorecardUnavailable:  # no longer submitted since the query: nothing to show
                logger.info("Batch %s: assessment %s skipped", batch_id, assessment.pk)
    ScorecardBatch.objects.filter(pk=batch_id, filled_at__isnull=True).update(filled_at=timezone.now())
    batch.refresh_from_db()
    return batch


def scorecard_batches_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the filling of batches still preparing long after they were made (task lost, broker
    down at the time). A fill still running is only repeated, never doubled: it is idempotent."""
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES)
    stuck = ScorecardBatch.objects.filter(filled_at__isnull=True, created_at__lt=stuck_before)
    return [pk for pk in stuck.values_list("pk", flat=True) if scorecard_batch_enqueue(pk)]
