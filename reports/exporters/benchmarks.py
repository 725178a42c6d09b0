"""Tables of a cycle for NAM staff: peer-group benchmarks and identified responses (see tabular.py)."""

import io

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from assessments.models import Assessment, OrgType, Region, Response, SizeBand
from commitments.models import Commitment, level_label

from ..disclosure import current_rules, members_would_see
from ..peer_groups import PEER_GROUP_FIELD, PeerGroup
from ..releases import latest_releases
from ..scores import to_decimal
from ..selectors import OVERALL, organizations_filtered, release_statistics
from . import tabular
from .tabular import Table

BENCHMARK_HEADER = [
    "cycle",
    "release",
    "peer_group",
    "peer_group_value",
    "commitment",
    "n",
    "mean",
    "p10",
    "p25",
    "median",
    "p75",
    "p90",
    # What a member of this whole group would be shown at best (reports/disclosure.py): yes, "median only",
    # "no 10th/90th" or no. Identified figures for NAM staff: "no" must never be published.
    "shown_to_members",
]
# Each code (for analysts) is followed by the label people read.
RESPONSE_HEADER = [
    "organization",
    "org_type",
    "org_type_label",
    "size_band",
    "size_band_label",
    "region",
    "region_label",
    "teaching",
    "cycle",
    "status",
    "status_label",
    "commitment",
    "commitment_name",
    "indicator",
    "indicator_title",
    "level",
    "level_label",
    "na_reason",
    "evidence_summary",
    "evidence_links",
]


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "all" if value is None else str(value)


def benchmark_rows(*, cycle, filters: dict | None = None, release=None) -> list[list]:
    """One row per peer group value and commitment ("overall" last), from the cycle's latest release (or
    `release`, one of the cycle's: the API asks by release) with the statistics cached under it; no rows when
    nothing is published."""
    release = release or latest_releases([cycle.pk]).get(cycle.pk)
    if release is None:
        return []
    slugs = Commitment.objects.filter(rubric_id=cycle.rubric_id).order_by("order").values_list("slug")
    order = {slug: index for index, (slug,) in enumerate(slugs)}
    order[OVERALL] = len(order)
    rules = current_rules()
    rows = []
    for group in PeerGroup:
        field_name = PEER_GROUP_FIELD[group]
        stats = release_statistics(release=release, filters=filters, group_by=field_name)
        stats.sort(key=lambda r: (_value_text(r["grp"]), order.get(r["cid"], len(order))))
        for row in stats:
            rows.append(
                [
                    cycle.name,
                    release.number,
                    group.value,
                    _value_text(row["grp"]) if field_name else "all",
                    row["cid"],
                    row["n"],
                    *(to_decimal(row[key]) for key in ("mean", "p10", "p25", "median", "p75", "p90")),
                    members_would_see(row["n"], rules),
                ]
            )
    return rows


def benchmarks_table(*, cycle, filters: dict | None = None) -> Table:
    rows = benchmark_rows(cycle=cycle, filters=filters)
    return Table(header=BENCHMARK_HEADER, rows=rows, title="Benchmarks")


# The columns response_row() reads, in its order (the API pages through the same values).
RESPONSE_VALUES = (
    "assessment__organization__name",
    "assessment__organization__org_type",
    "assessment__organization__size_band",
    "assessment__organization__region",
    "assessment__organization__is_teaching",
    "assessment__status",
    "indicator__commitment__slug",
    "indicator__commitment__name",
    "indicator__code",
    "indicator__title",
    "level",
    "not_applicable",
    "na_justification",
    "evidence_summary",
    "evidence_links",
)


def cycle_responses(*, cycle, filters: dict | None = None):
    """The responses of the cycle's assessments (any status) of the organizations the filters select."""
    return Response.objects.filter(
        assessment__cycle=cycle, assessment__organization__in=organizations_filtered(filters)
    )


def response_rows(*, cycle, filters: dict | None = None):
    """Every response of the cycle's assessments (any status), streamed from one query."""
    queryset = (
        cycle_responses(cycle=cycle, filters=filters)
        .order_by(
            "assessment__organization__name",
            "assessment_id",
            "indicator__commitment__order",
            "indicator__order",
        )
        .values_list(*RESPONSE_VALUES)
    )
    labels = response_labels()
    for row in queryset.iterator(chunk_size=5000):
        yield response_row(row, cycle=cycle, labels=labels)


def response_labels() -> dict:
    return {
        "org_type": dict(OrgType.choices),
        "size_band": dict(SizeBand.choices),
        "region": dict(Region.choices),
        "status": dict(Assessment.Status.choices),
    }


def response_row(row, *, cycle, labels: dict) -> list:
    """One exported row (RESPONSE_HEADER) of a response's RESPONSE_VALUES."""
    name, org_type, size_band, region, teaching, status, commitment, commitment_name = row[:8]
    code, title, level, na, na_reason, summary, links = row[8:15]
    return [
        name,
        org_type,
        labels["org_type"].get(org_type, org_type),
        size_band,
        labels["size_band"].get(size_band, size_band),
        region,
        labels["region"].get(region, region),
        "yes" if teaching else "no",
        cycle.name,
        status,
        labels["status"].get(status, status),
        commitment,
        commitment_name,
        code,
        title,
        "N/A" if na else level,
        _level_text(level, na),
        na_reason,
        summary,
        " ".join(links.split()),  # one line: links are stored one per line
    ]


def _level_text(level, not_applicable) -> str:
    if not_applicable:
        return "Not applicable"
    return level_label(level) if level is not None else "Not answered"


def responses_table(*, cycle, filters: dict | None = None) -> Table:
    return Table(header=RESPONSE_HEADER, rows=response_rows(cycle=cycle, filters=filters), title="Responses")


def filename(what: str, cycle, filters: dict | None = None) -> str:
    suffix = "-".join(slugify(f"{k}-{v}") for k, v in (filters or {}).items())
    return f"lhs-{what}-{cycle.slug}" + (f"-{suffix}" if suffix else "")


def to_xlsx(table: Table) -> bytes:
    """Like tabular.to_xlsx, in openpyxl's write-only mode: rows stream to the file instead of building a
    cell object per value (180,000 responses take seconds and little memory instead of a minute)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"
    header = []
    for name in table.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([tabular._safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, fmt: str) -> bytes:
    return to_xlsx(table) if fmt == "xlsx" else tabular.render(table, fmt)


def download(table: Table, fmt: str, name: str) -> HttpResponse:
    """An attachment that no cache keeps (the exports hold identified scores)."""
    response = HttpResponse(render(table, fmt), content_type=tabular.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
