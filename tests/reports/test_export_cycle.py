"""Cycle exports: the export_cycle command and the NAM staff downloads (reports:nam_export)."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Assessment, AuditEvent, OrgType, Response
from reports.exporters.benchmarks import BENCHMARK_HEADER, RESPONSE_HEADER
from tests import factories as f
from tests.reports.conftest import publish


def make_org(cycle, levels, *, status=Assessment.Status.VALIDATED, **fields):
    organization = f.OrganizationFactory(**fields)
    assessment = f.AssessmentFactory(organization=organization, cycle=cycle)
    f.answer_all(assessment, levels, status=status)
    return assessment


@pytest.fixture
def field(cycle, settings):
    """Two hospitals and an academic center (teaching) with results, one draft with 30 answers; published as
    a release (of any size: the release rule is tested in test_releases.py)."""
    settings.BENCHMARK_MIN_PEERS = 1
    settings.BENCHMARK_MIN_PEERS_QUARTILES = settings.BENCHMARK_MIN_PEERS_TAILS = 1
    make_org(cycle, [2] * 30, state="OH")
    levels = [4] * 30
    levels[2] = None  # one N/A
    make_org(cycle, levels, state="TX", name="Zeta Hospital")
    make_org(cycle, [3] * 30, org_type=OrgType.ACADEMIC, is_teaching=True, state="OH")
    make_org(cycle, [5] * 30, status=Assessment.Status.DRAFT)
    publish(cycle)


def read_csv(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_benchmarks_csv_header_and_rows(field, cycle, tmp_path):
    out = tmp_path / "benchmarks.csv"
    stdout = io.StringIO()

    call_command("export_cycle", cycle="2026", what="benchmarks", format="csv", out=str(out), stdout=stdout)

    rows = read_csv(out)
    assert rows[0] == BENCHMARK_HEADER
    # 11 rows (10 commitments + overall) per group value: all, 2 types, 1 size band, 2 regions, 2 teaching,
    # 1 ownership, 1 rural status.
    assert len(rows) - 1 == 11 * (1 + 2 + 1 + 2 + 2 + 1 + 1)
    assert stdout.getvalue() == f"Wrote 110 benchmarks rows of cycle 2026 to {out}.\n"
    by_key = {(r[2], r[3], r[4]): r for r in rows[1:]}
    # Overall scores 2, 4, 3 (the draft does not count); release 1; members see groups of 2+ (1 peer min).
    assert by_key[("all", "all", "overall")] == [
        "2026",
        "1",
        "all",
        "all",
        "overall",
        "3",
        "3.00",
        "2.20",
        "2.50",
        "3.00",
        "3.50",
        "3.80",
        "yes",
    ]
    assert by_key[("org_type", "hospital", "engaged")][5:] == [
        "2", "3.00", "2.20", "2.50", "3.00", "3.50", "3.80", "yes"
    ]  # fmt: skip
    assert by_key[("teaching", "yes", "overall")][5:] == [
        "1", "3.00", "3.00", "3.00", "3.00", "3.00", "3.00", "no"
    ]  # fmt: skip
    assert by_key[("region", "midwest", "overall")][5:7] == ["2", "2.50"]
    assert [r[4] for r in rows[1:12]] == [s for s, _, _ in f.COMMITMENT_NAMES] + ["overall"]


def test_responses_xlsx_header_and_rows(field, cycle, tmp_path):
    zeta = Response.objects.filter(assessment__organization__name="Zeta Hospital")
    zeta.filter(indicator__code="ENG-1").update(
        evidence_summary="Patient council minutes, monthly.",
        evidence_links="https://intranet.zeta.org/council\nhttps://intranet.zeta.org/minutes",
    )
    out = tmp_path / "responses.xlsx"
    call_command(
        "export_cycle", cycle="2026", what="responses", format="xlsx", out=str(out), stdout=io.StringIO()
    )

    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == RESPONSE_HEADER
    assert len(rows) - 1 == 4 * 30  # every response of the cycle, drafts included (status column)
    zeta = [r for r in rows[1:] if r[0] == "Zeta Hospital"]
    # Each code for analysts, the label people read beside it; then the evidence and N/A reasons.
    assert dict(zip(RESPONSE_HEADER, zeta[0], strict=True)) == {
        "organization": "Zeta Hospital",
        "org_type": "hospital",
        "org_type_label": "Hospital",
        "size_band": "100_299",
        "size_band_label": "100-299 beds",
        "region": "south",
        "region_label": "South",
        "teaching": "no",
        "cycle": "2026",
        "status": "validated",
        "status_label": "Validated",
        "commitment": "engaged",
        "commitment_name": "Engaged",
        "indicator": "ENG-1",
        "indicator_title": "Engaged indicator 1",
        "level": 4,
        "level_label": "4 Managed",
        "na_reason": None,
        "evidence_summary": "Patient council minutes, monthly.",
        "evidence_links": "https://intranet.zeta.org/council https://intranet.zeta.org/minutes",
    }
    assert zeta[2][RESPONSE_HEADER.index("level") :] == (
        "N/A",
        "Not applicable",
        "We provide no such service.",
        None,
        None,
    )
    assert sheet.freeze_panes == "A2"


def test_responses_csv(field, cycle, tmp_path):
    out = tmp_path / "responses.csv"
    call_command(
        "export_cycle", cycle="2026", what="responses", format="csv", out=str(out), stdout=io.StringIO()
    )
    rows = read_csv(out)
    assert rows[0] == RESPONSE_HEADER
    assert len(rows) == 121
    assert {r[RESPONSE_HEADER.index("status")] for r in rows[1:]} == {"validated", "draft"}


def test_unknown_cycle_and_folder(field, tmp_path):
    with pytest.raises(CommandError, match=r"No cycle named '1999'\. Cycles: 2026\."):
        call_command(
            "export_cycle", cycle="1999", what="responses", format="csv", out=str(tmp_path / "x.csv")
        )
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_cycle", cycle="2026", what="responses", format="csv", out="/nonexistent/dir/x.csv"
        )


def test_command_is_audited(field, tmp_path):
    call_command(
        "export_cycle",
        cycle="2026",
        what="benchmarks",
        format="csv",
        out=str(tmp_path / "b.csv"),
        stdout=io.StringIO(),
    )
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (event.actor_label, event.detail) == (
        "manage.py export_cycle",
        f"benchmarks of cycle 2026 as CSV to {tmp_path / 'b.csv'}",
    )


# ---------------------------------------------------------------------------------------------------------
# Downloads from the NAM dashboard


def test_nam_export_matches_the_page(client, nam_staff, field, cycle):
    client.force_login(nam_staff)
    page = client.get(reverse("reports:nam_dashboard")).content.decode()
    overall = re.search(
        r'<th scope="row">Overall</th>(.*?)</tr>', page.split("Commitment scores of")[1], re.S
    )
    page_numbers = re.findall(r'<td class="num">([\d.]+)</td>', overall.group(1))

    response = client.get(reverse("reports:nam_export", args=["benchmarks", "csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lhs-benchmarks-2026.csv"'
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    exported = next(r for r in rows if r[2:5] == ["all", "all", "overall"])
    # Page and export: n, mean, p10, p25, median, p75, p90 (the export has the release before them).
    assert exported[5:12] == page_numbers
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert (event.actor, event.detail) == (nam_staff, "benchmarks of cycle 2026 as CSV (all organizations)")


def test_nam_export_with_filters_and_xlsx(client, nam_staff, field, cycle):
    client.force_login(nam_staff)
    response = client.get(
        reverse("reports:nam_export", args=["responses", "xlsx"]), {"cycle": "2026", "org_type": "academic"}
    )
    assert (
        response["Content-Disposition"] == 'attachment; filename="lhs-responses-2026-org_type-academic.xlsx"'
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 31 and {r[1] for r in rows[1:]} == {"academic"}
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT).detail == (
        "responses of cycle 2026 as XLSX (org_type=academic)"
    )


def test_nam_export_refuses_others_and_unknown_exports(client, executive_a, nam_staff, field):
    client.force_login(executive_a)
    assert client.get(reverse("reports:nam_export", args=["responses", "csv"])).status_code == 403
    client.force_login(nam_staff)
    assert client.get(reverse("reports:nam_export", args=["everything", "csv"])).status_code == 404
    assert client.get(reverse("reports:nam_export", args=["responses", "pdf"])).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


@pytest.mark.parametrize("size", [3, 30])
def test_nam_export_query_count_is_constant(client, nam_staff, cycle, size, django_assert_num_queries):
    for i in range(max(size, 5)):
        make_org(cycle, [1 + i % 5] * 30, org_type=[OrgType.HOSPITAL, OrgType.ACADEMIC][i % 2])
    publish(cycle)
    client.force_login(nam_staff)
    # session, user (with the NAM staff flag), cycles, the cycle's latest release, commitments, 7 peer group
    # statistics (not cached yet), audit insert
    with django_assert_num_queries(13):
        response = client.get(reverse("reports:nam_export", args=["benchmarks", "csv"]))
    assert len(response.content.decode("utf-8-sig").splitlines()) > 11
    with django_assert_num_queries(6):  # the release's statistics come from the cache
        again = client.get(reverse("reports:nam_export", args=["benchmarks", "csv"]))
    assert again.content == response.content
    with django_assert_num_queries(5):  # session, user and NAM flag, cycles, the responses, audit insert
        response = client.get(reverse("reports:nam_export", args=["responses", "csv"]))
    assert len(response.content.decode("utf-8-sig").splitlines()) == 1 + 30 * max(size, 5)


def test_percentile_values_are_decimals(field, cycle):
    from reports.exporters.benchmarks import benchmark_rows

    row = benchmark_rows(cycle=cycle)[0]
    assert row[:6] == ["2026", 1, "all", "all", "engaged", 3]
    assert all(isinstance(v, Decimal) for v in row[6:12])
