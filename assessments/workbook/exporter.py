"""An assessment as an Excel workbook to fill in offline: one sheet per commitment, one row per indicator.

The level is a drop-down whose entries carry each level's descriptor ("3 - <descriptor>", with an en
dash). The indicator id and the version of each answer sit in hidden columns; the owner's ids, the rubric
version and a signature of all hidden cells sit on a hidden sheet (reader.py checks them all on upload).
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Assessment, Response
from ..selectors import assessment_outline
from .signature import HiddenCells, sign

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_APPLICABLE = "Not applicable"
DASH = "\u2013"  # an en dash, as in "3 \u2013 descriptor"
HEADER = ["Indicator", "Title", "Level", "Why not applicable", "Evidence summary", "Evidence links"]
INDICATOR_ID_COLUMN, VERSION_COLUMN = 7, 8  # G and H: hidden
FIRST_ROW = 2
META_SHEET, LEVELS_SHEET, GUIDE_SHEET = "_meta", "_levels", "How to fill in"
META_KEYS = ("organization_id", "cycle_id", "assessment_id", "rubric_version", "signature")
WIDTHS = {"A": 11, "B": 40, "C": 48, "D": 36, "E": 60, "F": 40}


def level_entry(level: int, descriptor: str) -> str:
    return f"{level} {DASH} {descriptor}" if descriptor else str(level)


def _level_cell(response: Response | None, descriptors: dict[int, str]) -> str:
    if response is None:
        return ""
    if response.not_applicable:
        return NOT_APPLICABLE
    if response.level is None:
        return ""
    return level_entry(response.level, descriptors.get(response.level, ""))


def sheet_title(order: int, name: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    cleaned = "".join(ch for ch in name if ch not in "[]:*?/\\")
    return f"{order}. {cleaned}"[:31]


def assessment_workbook(assessment: Assessment) -> bytes:
    """The .xlsx bytes of the assessment (its answers as saved now)."""
    outline = assessment_outline(assessment)
    responses = {r.indicator_id: r for r in Response.objects.filter(assessment=assessment)}
    book = Workbook()
    guide = book.active
    guide.title = GUIDE_SHEET
    guide.append([f"{assessment.organization.name}: {assessment.cycle.name} self-assessment"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in (
        "One sheet per commitment, one row per indicator.",
        "Level: choose from the drop-down (the descriptor of each level is shown), or Not applicable.",
        "Not applicable needs a reason in the column Why not applicable.",
        "Evidence links: one web address per line (http:// or https://).",
        "Do not add, remove or reorder rows, and do not change hidden columns or sheets: "
        "the portal checks them.",
        "Upload the file on the assessment's page: you see every change before anything is saved.",
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 110

    levels = book.create_sheet(LEVELS_SHEET)
    levels.sheet_state = "hidden"
    hidden_rows: list[tuple[int, int]] = []
    level_row = 0
    for commitment in outline.commitments:
        sheet = book.create_sheet(sheet_title(commitment.order, commitment.name))
        sheet.append([*HEADER, "indicator_id", "version"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column, width in WIDTHS.items():
            sheet.column_dimensions[column].width = width
        sheet.column_dimensions["G"].hidden = True
        sheet.column_dimensions["H"].hidden = True
        sheet.freeze_panes = "C2"
        for indicator in commitment.indicators.all():
            descriptors = {d.level: d.text for d in indicator.descriptors.all()}
            level_row += 1
            levels.append(
                [level_entry(level, descriptors.get(level, "")) for level in range(1, 6)] + [NOT_APPLICABLE]
            )
            response = responses.get(indicator.pk)
            version = response.version if response is not None else 0
            sheet.append(
                [
                    indicator.code,
                    indicator.title,
                    _level_cell(response, descriptors),
                    response.na_justification if response else "",
                    response.evidence_summary if response else "",
                    response.evidence_links if response else "",
                    indicator.pk,
                    version,
                ]
            )
            row = sheet.max_row
            validation = DataValidation(
                type="list",
                formula1=f"'{LEVELS_SHEET}'!$A${level_row}:$F${level_row}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Level",
                error="Choose a level from the list, or Not applicable.",
            )
            sheet.add_data_validation(validation)
            validation.add(f"C{row}")
            for cell in sheet[row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            hidden_rows.append((indicator.pk, version))

    hidden = HiddenCells(
        organization_id=assessment.organization_id,
        cycle_id=assessment.cycle_id,
        assessment_id=assessment.pk,
        rubric_version=assessment.cycle.rubric.version,
        rows=tuple(hidden_rows),
    )
    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for key, value in zip(
        META_KEYS,
        (hidden.organization_id, hidden.cycle_id, hidden.assessment_id, hidden.rubric_version, sign(hidden)),
        strict=True,
    ):
        meta.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_filename(assessment: Assessment) -> str:
    return f"{assessment.organization.slug}-{assessment.cycle.slug}-assessment.xlsx"
