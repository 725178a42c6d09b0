"""reports/services/scorecards.py and reports/exporters/scorecard.py: the inputs hash, request and reuse,
the render and its faults, the sweep when the broker is down, the PDF's content and format, the URL fetcher,
and the render_scorecard command.

Renders here call the service synchronously (no broker); tests/reports/test_tasks.py runs a real worker.
"""

import ast
import datetime
import gc
import io
import re
import shutil
import subprocess
from pathlib import Path

import plotly.graph_objects as go
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

from assessments.models import Assessment, Response
from reports import score_notes
from reports.exporters import chart_svg, pdf
from reports.exporters import scorecard as exporter
from reports.models import Scorecard
from reports.plans.models import ImprovementAction
from reports.scores import assessment_scores
from reports.selectors import org_benchmark
from reports.services import scorecards as service
from tests import factories as f

from .conftest import publish, submitted

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "static"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def render(scorecard) -> Scorecard:
    service.scorecard_render(scorecard_id=scorecard.pk)
    scorecard.refresh_from_db()
    return scorecard


# ---------------------------------------------------------------------------------------------------------
# The inputs hash


def test_hash_is_stable_and_follows_everything_the_pdf_shows(scored, settings):
    first = exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash
    assert first == exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash
    assert re.fullmatch(r"[0-9a-f]{64}", first)

    settings.SCORECARD_PAGE_SIZE = "A4"
    a4 = exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash
    settings.SCORECARD_PAGE_SIZE = "letter"

    response = Response.objects.filter(assessment=scored, level__isnull=False).first()
    response.level = 1 if response.level != 1 else 2
    response.save()
    changed_level = exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash

    scored.organization.name = "Alpha Regional Health"
    scored.organization.save()
    renamed = exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash

    other_group = exporter.scorecard_document(assessment=scored, peer_group="region").inputs_hash
    assert len({first, a4, changed_level, renamed, other_group}) == 5


def test_hash_changes_with_a_new_release_not_with_a_peer_submitting(scored, org_b):
    before = exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash
    submitted(org_b, scored.cycle, [5] * 30)
    # Peer figures are those of the release: a new result changes nothing until the next one.
    assert exporter.scorecard_document(assessment=scored, peer_group="all").inputs_hash == before
    for index in range(4):  # with four more results, a release may be published
        submitted(f.OrganizationFactory(slug=f"late-{index}"), scored.cycle, [4] * 30)
    release = publish(scored.cycle)
    after = exporter.scorecard_document(assessment=scored, peer_group="all")
    assert (after.benchmark.release, after.inputs_hash != before) == (release, True)


def test_hash_and_pdf_follow_the_improvement_plan(scored):
    before = exporter.scorecard_document(assessment=scored, peer_group="all")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(exporter.scorecard_pdf(before))).pages]
    # Without a plan: one line on the summary page, no page of its own (issue 17 item 21).
    assert "Improvement plan: none recorded for 2026 yet." in pages[1].replace("\n", " ")
    assert not any("Our improvement plan" in page for page in pages)
    ImprovementAction.objects.create(
        organization=scored.organization,
        cycle=scored.cycle,
        commitment=scored.cycle.rubric.commitments.get(slug="fair"),
        title="Stratify readmissions by language",
    )
    after = exporter.scorecard_document(assessment=scored, peer_group="all")
    assert after.inputs_hash != before.inputs_hash
    text = pdf_text(exporter.scorecard_pdf(after))
    assert "Our improvement plan" in text and "Stratify readmissions by language" in text
    assert "Improvement plan: none recorded" not in text


@pytest.mark.parametrize("status", [Assessment.Status.DRAFT, Assessment.Status.RETURNED])
def test_no_scorecard_for_an_assessment_not_submitted(org_a, cycle, status):
    assessment = f.answer_all(f.AssessmentFactory(organization=org_a, cycle=cycle, status=status), 3)
    with pytest.raises(exporter.ScorecardUnavailable, match="is not submitted"):
        service.scorecard_request(assessment=assessment, peer_group="all")
    assert Scorecard.objects.count() == 0


# ---------------------------------------------------------------------------------------------------------
# Request, reuse, render


def test_request_queues_then_reuses_the_finished_pdf(scored, assessor_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        result = service.scorecard_request(assessment=scored, peer_group="all", user=assessor_a)
    assert result.reused is False
    assert len(callbacks) == 1  # the task is queued once the transaction commits
    scorecard = result.scorecard
    assert (scorecard.status, scorecard.attempts, scorecard.requested_by) == ("queued", 0, assessor_a)

    scorecard = render(scorecard)
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("ready", 1, "")
    assert scorecard.file.name == (f"scorecards/alpha-2026-all-{scorecard.inputs_hash[:12]}.pdf")
    path = Path(default_storage.path(scorecard.file.name))
    mtime = path.stat().st_mtime_ns

    with django_capture_on_commit_callbacks() as callbacks:
        again = service.scorecard_request(assessment=scored, peer_group="all", user=assessor_a)
    assert again.reused is True
    assert again.scorecard.pk == scorecard.pk
    assert callbacks == []  # nothing queued, nothing rendered
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.attempts) == ("ready", 1)
    assert path.stat().st_mtime_ns == mtime
    assert Scorecard.objects.count() == 1


def test_render_twice_renders_once(scored):
    """A redelivered task (the worker died after finishing) finds the PDF and leaves it alone."""
    scorecard = render(service.scorecard_request(assessment=scored, peer_group="all").scorecard)
    mtime = Path(default_storage.path(scorecard.file.name)).stat().st_mtime_ns
    scorecard = render(scorecard)
    assert (scorecard.status, scorecard.attempts) == ("ready", 1)
    assert Path(default_storage.path(scorecard.file.name)).stat().st_mtime_ns == mtime
    assert sorted(p.name for p in Path(default_storage.path("scorecards")).iterdir()) == [
        Path(scorecard.file.name).name
    ]


def test_a_partial_file_of_a_killed_render_is_overwritten(scored):
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    name = service.storage_name(scorecard)
    default_storage.save(name, io.BytesIO(b"%PDF-1.7 half a file"))
    # The worker was killed mid-render: the status says so, and the broker redelivers the task.
    Scorecard.objects.filter(pk=scorecard.pk).update(status="rendering", attempts=1)

    scorecard = render(scorecard)
    assert (scorecard.status, scorecard.attempts, scorecard.file.name) == ("ready", 2, name)
    with default_storage.open(name) as stored:
        assert len(PdfReader(stored).pages) >= 6
    assert len(list(Path(default_storage.path("scorecards")).iterdir())) == 1


def test_ready_scorecard_whose_file_is_gone_is_queued_again(scored, django_capture_on_commit_callbacks):
    scorecard = render(service.scorecard_request(assessment=scored, peer_group="all").scorecard)
    default_storage.delete(scorecard.file.name)
    with django_capture_on_commit_callbacks() as callbacks:
        result = service.scorecard_request(assessment=scored, peer_group="all")
    assert (result.reused, result.scorecard.pk, result.scorecard.status, len(callbacks)) == (
        False,
        scorecard.pk,
        "queued",
        1,
    )


def test_no_chromium_fails_with_what_to_install_then_try_again_works(scored, settings, assessor_a):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    scorecard = render(service.scorecard_request(assessment=scored, peer_group="all").scorecard)
    assert scorecard.status == "failed"
    assert scorecard.error_message == (
        "Chromium is needed to draw the charts: install Debian's 'chromium' package "
        "(apt-get install chromium) or set CHROMIUM_PATH "
        "(CHROMIUM_PATH='/nonexistent/chromium' is not an executable file)."
    )
    assert scorecard.attempts == 1  # a missing browser is not worth retrying
    assert not scorecard.file

    settings.CHROMIUM_PATH = ""
    scorecard = service.scorecard_retry(scorecard=scorecard, user=assessor_a)
    assert (scorecard.status, scorecard.attempts, scorecard.error_message) == ("queued", 0, "")
    scorecard = render(scorecard)
    assert (scorecard.status, scorecard.attempts) == ("ready", 1)


def test_only_a_failed_scorecard_can_be_tried_again(scored, assessor_a):
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    with pytest.raises(service.ValidationError, match="Only a scorecard that failed"):
        service.scorecard_retry(scorecard=scorecard, user=assessor_a)


def test_transient_errors_retry_with_backoff_then_fail(scored, settings, tmp_path):
    # Storage that cannot be written (MEDIA_ROOT is a file): an error a later try might not meet.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked
    settings.SCORECARD_MAX_ATTEMPTS = 3
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    countdowns = []
    for attempt in (1, 2):
        with pytest.raises(service.ScorecardRetry) as retry:
            service.scorecard_render(scorecard_id=scorecard.pk)
        countdowns.append(retry.value.countdown)
        scorecard.refresh_from_db()
        assert (scorecard.status, scorecard.attempts) == ("queued", attempt)
        assert scorecard.error_message.startswith("The scorecard could not be produced (")
    assert countdowns == [5, 10]
    scorecard = render(scorecard)  # the last attempt
    assert (scorecard.status, scorecard.attempts) == ("failed", 3)
    assert scorecard.error_message.endswith("We tried 3 times.")


def test_render_of_an_assessment_returned_meanwhile_fails_with_the_reason(scored):
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    Assessment.objects.filter(pk=scored.pk).update(status=Assessment.Status.RETURNED)
    scorecard = render(scorecard)
    assert scorecard.status == "failed"
    assert scorecard.error_message == (
        "The 2026 assessment of Alpha Regional Hospital is not submitted: "
        "a scorecard is made from a submitted or validated assessment."
    )


def test_broker_down_leaves_it_queued_for_the_sweep(scored, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.queued_at) == ("queued", None)
    # The sweep finds it (never handed to the broker, more than a minute ago) but the broker is still down.
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert service.scorecards_sweep(now=later) == []
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.queued_at) == ("queued", None)


def test_sweep_fails_a_stuck_render_out_of_attempts(scored, broker_down, settings):
    scorecard = service.scorecard_request(assessment=scored, peer_group="all").scorecard
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.SCORECARD_STUCK_MINUTES + 1)
    Scorecard.objects.filter(pk=scorecard.pk).update(
        status="rendering", attempts=settings.SCORECARD_MAX_ATTEMPTS, started_at=long_ago
    )
    assert service.scorecards_sweep() == []
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.error_message) == (
        "failed",
        "The render did not finish after 3 attempts.",
    )


# ---------------------------------------------------------------------------------------------------------
# What the PDF shows


def test_pdf_shows_the_scores_and_peer_figures_of_the_database(scored):
    scorecard = render(service.scorecard_request(assessment=scored, peer_group="all").scorecard)
    with scorecard.file.open("rb") as stored:
        content = stored.read()
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    benchmark = org_benchmark(assessment=scored, peer_group="all")
    scores = assessment_scores(scored)
    assert not benchmark.suppressed and benchmark.n_peers == 5
    assert "Alpha Regional Hospital" in reader.pages[0].extract_text()
    for commitment, score in zip(benchmark.commitments, scores.commitments, strict=True):
        # The level reached, then the levels it averages (issue 19 item 10), then the peer figures.
        expected = (
            f"{commitment.order} {commitment.name} {score.score:.2f} {commitment.level_label} "
            f"Levels {score_notes.levels_text(score.levels)}"
        )
        row = r"\s+".join(re.escape(word) for word in expected.split()) + (
            rf".*?\s{commitment.peer.median:.2f} {commitment.peer.p25:.2f}\u2013{commitment.peer.p75:.2f} "
        )
        assert re.search(row, text, re.S), row
    assert f"Overall {scores.overall:.2f}" in text
    assert "Page 2 of" in text and "CONFIDENTIAL" in text
    # Next steps: the descriptor of the level above each indicator's level.
    first = Response.objects.filter(assessment=scored, level__lt=5).select_related("indicator").first()
    assert f"{first.indicator.code} at level {first.level + 1}." in text
    # A tagged PDF (PDF/UA-1) with its title and language, and only our own embedded font.
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert reader.metadata.title == "Alpha Regional Hospital: LHS Shared Commitments scorecard 2026"
    fonts = {
        font["/BaseFont"].split("+", 1)[-1]
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        for font in [font.get_object()]
    }
    assert fonts <= {"IBM-Plex-Sans", "IBM-Plex-Sans-Semi-Bold", "IBM-Plex-Sans-Bold", "IBM-Plex-Sans-Italic"}
    assert PdfReader(io.BytesIO(content)).pages[0].mediabox.upper_right == (612, 792)  # US Letter


def test_suppressed_peer_group_shows_nothing_derived(rubric, cycle, org_a, org_b):
    assessment = submitted(org_a, cycle, [3] * 30)
    submitted(org_b, cycle, [4] * 30)  # one peer: fewer than 5
    for index in range(3):  # three more organizations in other groups make a first release possible
        submitted(f.OrganizationFactory(slug=f"other-{index}", org_type="academic"), cycle, [4] * 30)
    publish(cycle)
    document = exporter.scorecard_document(assessment=assessment, peer_group="org_type")
    text = pdf_text(exporter.scorecard_pdf(document))
    assert "Fewer than 5 organizations besides yours and your affiliates" in " ".join(text.split())
    for derived in ("Peer median", "Percentile rank", "Peer middle half", "4.00"):
        assert derived not in text


def test_a4_by_setting(scored, settings):
    settings.SCORECARD_PAGE_SIZE = "A4"
    content = exporter.scorecard_pdf(exporter.scorecard_document(assessment=scored, peer_group="all"))
    box = PdfReader(io.BytesIO(content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


# ---------------------------------------------------------------------------------------------------------
# The URL fetcher: our files and data: URIs, nothing else


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://example.org/style.css",
        "ftp://example.org/file",
        "file:///etc/passwd",
        f"file://{STATIC}/../pyproject.toml",
        "file://example.org/static/css/portal.css",
    ],
)
def test_url_fetcher_refuses(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.LocalOnlyFetcher().fetch(url)


def test_url_fetcher_reads_our_static_files_and_data_uris():
    fetcher = pdf.LocalOnlyFetcher()
    font = fetcher.fetch((STATIC / "fonts/ibm-plex-sans/IBMPlexSans-Regular.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"


def test_a_remote_image_stops_the_render():
    html = '<html lang="en"><title>t</title><body><img src="http://example.org/x.png" alt="x"></body></html>'
    with pytest.raises(pdf.RefusedURL, match=re.escape("may not load 'http://example.org/x.png'")):
        pdf.html_to_pdf(html, base_dir=STATIC)


def test_document_resources_are_served_and_their_errors_raised():
    html = '<html lang="en"><title>t</title><body><img src="scorecard-chart:x" alt="x"></body></html>'
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    )
    content = pdf.html_to_pdf(
        html, base_dir=STATIC, resources={"scorecard-chart:x": lambda: (svg, "image/svg+xml")}
    )
    assert content.startswith(b"%PDF-")

    def broken():
        raise chart_svg.ChartRenderError("Chromium did not draw the charts")

    with pytest.raises(chart_svg.ChartRenderError):
        pdf.html_to_pdf(html, base_dir=STATIC, resources={"scorecard-chart:x": broken})


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_a_drawing_painted_later_is_asked_for_after_the_layout_and_gives_the_same_page(tmp_path):
    html = '<html lang="en"><title>t</title><body><p>A chart</p><img src="scorecard-chart:x" alt="x"></body>'
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
        b'<rect width="120" height="60" fill="#12355b"/><text x="10" y="30" fill="#fff">Label</text></svg>'
    )
    asked = []

    def drawing():
        asked.append("drawing")
        return svg, "image/svg+xml"

    later = {"scorecard-chart:x": pdf.painted_later("chart-drawing:x", 120, 60), "chart-drawing:x": drawing}
    document = HTML(
        string=html, base_url=STATIC.as_uri() + "/", url_fetcher=pdf.LocalOnlyFetcher(resources=later)
    )
    pages = document.render()
    assert asked == []  # laid out without the drawing
    pages.write_pdf()
    assert asked == ["drawing"]  # fetched once, when painted

    def page(resources, name: str) -> bytes:
        content = pdf.html_to_pdf(html, base_dir=STATIC, resources=resources)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-", str(tmp_path / name)], input=content, check=True)
        return (tmp_path / f"{name}-1.png").read_bytes()

    assert page(later, "later") == page({"scorecard-chart:x": lambda: (svg, "image/svg+xml")}, "at-once")

    def broken():
        raise chart_svg.ChartRenderError("Chromium did not draw the charts")

    with pytest.raises(chart_svg.ChartRenderError):
        pdf.html_to_pdf(html, base_dir=STATIC, resources={**later, "chart-drawing:x": broken})


@pytest.mark.parametrize("enabled", [True, False])
def test_a_render_leaves_the_collector_as_it_found_it(enabled):
    html = '<html lang="en"><head><title>t</title></head><body><p>Text</p></body></html>'
    was = gc.isenabled()
    if not enabled:
        gc.disable()
    try:
        assert pdf.html_to_pdf(html, base_dir=STATIC).startswith(b"%PDF")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_the_exporters_use_only_what_weasyprint_pydyf_and_plotly_document():
    """No module of reports/exporters/ reaches into a library below its documented API: the names imported
    from WeasyPrint, pydyf, Plotly and kaleido are those their documentation shows, and nothing private
    (a name with a leading underscore) of any library is imported or overridden."""
    documented = {
        "weasyprint": {"CSS", "HTML"},
        "weasyprint.text.fonts": {"FontConfiguration"},
        "weasyprint.urls": {"FatalURLFetchingError", "URLFetcher", "URLFetcherResponse"},
        "plotly.graph_objects": None,  # imported as a module (go.Figure)
        "kaleido": None,
    }
    exporters = Path(pdf.__file__).parent
    for module in sorted(exporters.glob("*.py")):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                root = node.module.split(".")[0]
                if root in ("weasyprint", "pydyf", "plotly", "kaleido", "choreographer", "tinyhtml5"):
                    allowed = documented.get(node.module, set())
                    names = {alias.name for alias in node.names}
                    assert allowed is not None and names <= allowed, (module.name, node.module, names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    root = alias.name.split(".")[0]
                    if root in ("weasyprint", "pydyf", "plotly", "kaleido", "choreographer", "tinyhtml5"):
                        assert alias.name in documented, (module.name, alias.name)
            elif (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                # Our own private names (self._lock, _server._start) are ours; a library's are not.
                assert not (
                    isinstance(base, ast.Name) and base.id in ("weasyprint", "pydyf", "kaleido", "go")
                ), (
                    module.name,
                    ast.unparse(node),
                )
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).split(".")[0] in ("weasyprint", "pydyf", "kaleido", "choreographer")
                for base in node.bases
            ):
                overridden = [
                    item.name
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and item.name.startswith("_")
                    and not item.name.startswith("__")
                ]
                assert not overridden, (module.name, node.name, overridden)
        assert "weasyprint_fast_paths" not in module.read_text()
    assert not (exporters / "weasyprint_fast_paths.py").exists()


def test_stylesheets_are_parsed_once_and_applied_to_every_render():
    html = '<html lang="en"><title>t</title><body><p class="lead">Hello</p></body></html>'
    sheet = STATIC / "css" / "scorecard-pdf.css"
    first = PdfReader(io.BytesIO(pdf.html_to_pdf(html, base_dir=STATIC, stylesheets=(sheet,))))
    parsed = pdf._stylesheets.get((sheet,))
    second = PdfReader(io.BytesIO(pdf.html_to_pdf(html, base_dir=STATIC, stylesheets=(sheet,))))
    assert pdf._stylesheets.get((sheet,)) == parsed  # the same CSS and FontConfiguration objects
    for reader in (first, second):
        fonts = {font["/BaseFont"].split("+")[-1] for font in reader.pages[0]["/Resources"]["/Font"].values()}
        # The stylesheet's @font-face fonts (the page headers are semi-bold), not a system font.
        assert fonts == {"IBM-Plex-Sans", "IBM-Plex-Sans-Semi-Bold"}


def test_a_stylesheet_outside_our_folders_is_refused(tmp_path):
    outside = tmp_path / "evil.css"
    outside.write_text("body { background: url(file:///etc/passwd); }")
    with pytest.raises(pdf.RefusedURL, match="outside the portal's static files"):
        pdf.html_to_pdf("<p>x</p>", base_dir=STATIC, stylesheets=(outside,))


def test_print_adjustments_merge_into_a_layout_as_plotly_update_layout_does():
    layout = {"legend": {"orientation": "v", "x": 1.02, "font": {"size": 12}}, "height": 440}
    changes = {"legend": {"x": 0, "font": {"size": 10}}, "xaxis": {"title": {"text": ""}}}
    merged = exporter._merged(layout, changes)
    plotly = go.Figure({"data": [], "layout": layout}).update_layout(changes).to_dict()["layout"]
    del plotly["template"]
    expected = {
        "legend": {"orientation": "v", "x": 0, "font": {"size": 10}},
        "height": 440,
        "xaxis": {"title": {"text": ""}},
    }
    assert merged == plotly == expected
    assert layout["legend"] == {"orientation": "v", "x": 1.02, "font": {"size": 12}}  # a copy was changed


# ---------------------------------------------------------------------------------------------------------
# manage.py render_scorecard


def test_command_writes_a_valid_pdf(scored, tmp_path):
    out = tmp_path / "alpha.pdf"
    stdout = io.StringIO()
    call_command("render_scorecard", org="alpha", cycle="2026", out=str(out), stdout=stdout)
    reader = PdfReader(out)
    assert "Alpha Regional Hospital" in reader.pages[0].extract_text()
    assert stdout.getvalue().startswith(f"Wrote {out} (")
    assert Scorecard.objects.count() == 0  # operators' renders are not stored


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"org": "nobody", "cycle": "2026"}, "No organization with the slug 'nobody'."),
        ({"org": "alpha", "cycle": "1999"}, "No cycle named '1999' (cycles: 2026)."),
        ({"org": "bravo", "cycle": "2026"}, "Bravo Community Clinic has no assessment in the 2026 cycle."),
    ],
)
def test_command_errors(scored, org_b, tmp_path, options, message):
    with pytest.raises(CommandError) as error:
        call_command("render_scorecard", out=str(tmp_path / "x.pdf"), **options)
    assert str(error.value) == message


def test_command_refuses_a_draft(org_a, cycle, tmp_path):
    f.AssessmentFactory(organization=org_a, cycle=cycle)
    with pytest.raises(CommandError, match="The 2026 assessment of Alpha Regional Hospital is not submitted"):
        call_command("render_scorecard", org="alpha", cycle="2026", out=str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
