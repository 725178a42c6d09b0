"""Reading an uploaded workbook back, refusing anything it cannot trust, with a message that says why.

Order matters: size and the zip's entries are checked before openpyxl reads a byte of XML (a zip bomb
declares its unpacked sizes, and zipfile never unpacks more than declared); openpyxl then reads in
read_only mode, row by row, and stops at the row limit.
"""

import io
import re
import zipfile
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from ..models import Response
from ..services.workflow import (
    MAX_EVIDENCE_SUMMARY,
    MAX_NA_JUSTIFICATION,
    Answer,
    clean_evidence_links,
)
from .exporter import (
    INDICATOR_ID_COLUMN,
    LEVELS_SHEET,
    META_KEYS,
    META_SHEET,
    NOT_APPLICABLE,
    VERSION_COLUMN,
)
from .signature import HiddenCells, is_valid

MAX_ZIP_ENTRIES = 500
LEVEL_AT_START = re.compile("^\\s*(-?\\d+)(?:\\s*(?:[\u2013\u2014-].*)?)?$", re.DOTALL)
NA_WORDS = {NOT_APPLICABLE.lower(), "n/a", "na"}


class WorkbookRefused(ValidationError):
    """The upload cannot be used; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class ParsedWorkbook:
    hidden: HiddenCells
    answers: tuple[Answer, ...]
    codes: dict[int, str]  # indicator id -> code as written in the sheet (for messages)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_container(data: bytes) -> None:
    """Refuse a file too large, not a zip (so not .xlsx), or whose parts unpack to too much."""
    if len(data) > settings.WORKBOOK_MAX_UPLOAD_BYTES:
        raise WorkbookRefused(
            f"The file is too large ({_megabytes(len(data))}); a workbook of the portal is at most "
            f"{_megabytes(settings.WORKBOOK_MAX_UPLOAD_BYTES)}. Nothing was changed."
        )
    stream = io.BytesIO(data)
    if not zipfile.is_zipfile(stream):
        raise WorkbookRefused(
            "This is not an Excel workbook (.xlsx). Upload the file downloaded from this page, saved as "
            "Excel Workbook (.xlsx). Nothing was changed."
        )
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise WorkbookRefused(f"The file is damaged ({error}). Nothing was changed.") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise WorkbookRefused(
            f"The file has {len(entries)} parts, more than a workbook of the portal can have. "
            "Nothing was changed."
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES:
        raise WorkbookRefused(
            f"The file unpacks to {_megabytes(unpacked)}, more than the "
            f"{_megabytes(settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES)} allowed. Nothing was changed."
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise WorkbookRefused(
            "This is not an Excel workbook (.xlsx): it has no workbook part. Nothing was changed."
        )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _level(value, code: str) -> tuple[int | None, bool]:
    """(level, not applicable) from the Level cell; raises WorkbookRefused for anything else."""
    text = _text(value)
    if not text:
        return None, False
    if text.lower() in NA_WORDS:
        return None, True
    match = LEVEL_AT_START.match(text)
    if match is None:
        raise WorkbookRefused(
            f"{code}: the level “{text[:60]}” is not one of the list: choose a level from 1 to 5, or "
            "Not applicable. Nothing was changed."
        )
    level = int(match.group(1))
    if level not in range(1, 6):
        raise WorkbookRefused(
            f"{code}: the level must be between 1 and 5 (the workbook says {level}). Nothing was changed."
        )
    return level, False


def _answer(row, code: str) -> Answer:
    level, not_applicable = _level(row[2], code)
    na_justification, evidence_summary, evidence_links = (_text(v) for v in row[3:6])
    if Response.na_reason_missing(not_applicable=not_applicable, na_justification=na_justification):
        raise WorkbookRefused(f"{code}: {Response.NA_REASON_MISSING} Nothing was changed.")
    for label, text, limit in (
        ("Why not applicable", na_justification, MAX_NA_JUSTIFICATION),
        ("Evidence summary", evidence_summary, MAX_EVIDENCE_SUMMARY),
    ):
        if len(text) > limit:
            raise WorkbookRefused(
                f"{code}: {label} has {len(text):,} characters, at most {limit:,} are allowed. "
                "Nothing was changed."
            )
    try:
        clean_evidence_links(evidence_links)
    except ValidationError as error:
        raise WorkbookRefused(f"{code}: {error.messages[0]} Nothing was changed.") from None
    return Answer(
        indicator_id=0,  # set by the caller from the hidden column
        level=level,
        not_applicable=not_applicable,
        na_justification=na_justification,
        evidence_summary=evidence_summary,
        evidence_links=evidence_links,
    )


TAMPERED = (
    "The workbook's hidden cells were changed (or rows were added, removed or moved), so its answers cannot "
    "be matched to the saved ones. Download a fresh workbook and copy your answers into it. "
    "Nothing was changed."
)


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise WorkbookRefused(TAMPERED) from None
    if number != value and str(number) != str(value).strip():
        raise WorkbookRefused(TAMPERED)
    return number


def read_workbook(data: bytes) -> ParsedWorkbook:
    """The workbook's answers and hidden cells, its signature checked; raises WorkbookRefused."""
    check_container(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken part; all mean the same to the user
        raise WorkbookRefused(
            "The file could not be read as an Excel workbook (.xlsx). Nothing was changed."
        ) from None
    try:
        return _read(book)
    finally:
        book.close()


def _read(book) -> ParsedWorkbook:
    if META_SHEET not in book.sheetnames:
        raise WorkbookRefused(
            "This workbook was not downloaded from the portal's assessment page (it has no portal "
            "details). Nothing was changed."
        )
    meta = {}
    for row in book[META_SHEET].iter_rows(min_row=1, max_row=len(META_KEYS), max_col=2, values_only=True):
        if row and row[0] in META_KEYS:
            meta[row[0]] = row[1] if len(row) > 1 else None
    if set(meta) != set(META_KEYS):
        raise WorkbookRefused(TAMPERED)
    rows_seen = 0
    raw, hidden_rows, answers, codes = [], [], [], {}
    for name in book.sheetnames:
        if name in (META_SHEET, LEVELS_SHEET) or name == book.sheetnames[0]:
            continue
        for row in book[name].iter_rows(min_row=2, max_col=VERSION_COLUMN, values_only=True):
            rows_seen += 1
            if rows_seen > settings.WORKBOOK_MAX_ROWS:
                raise WorkbookRefused(
                    f"The workbook has more than {settings.WORKBOOK_MAX_ROWS:,} rows; a workbook of the "
                    "portal has one row per indicator. Nothing was changed."
                )
            row = tuple(row) + (None,) * (VERSION_COLUMN - len(row))
            if any(value is not None for value in row):
                raw.append((name, row))
    # Only once every row is in (and the row limit held): a damaged row says so, not the limit.
    for name, row in raw:
        indicator_id = _int(row[INDICATOR_ID_COLUMN - 1])
        version = _int(row[VERSION_COLUMN - 1])
        code = _text(row[0]) or f"A row of {name}"
        hidden_rows.append((indicator_id, version))
        codes[indicator_id] = code
        answers.append((indicator_id, version, row, code))
    hidden = HiddenCells(
        organization_id=_int(meta["organization_id"]),
        cycle_id=_int(meta["cycle_id"]),
        assessment_id=_int(meta["assessment_id"]),
        rubric_version=_text(meta["rubric_version"]),
        rows=tuple(hidden_rows),
    )
    if not is_valid(hidden, _text(meta["signature"])):
        raise WorkbookRefused(TAMPERED)
    parsed = []
    for indicator_id, version, row, code in answers:
        answer = _answer(row, code)
        parsed.append(replace(answer, indicator_id=indicator_id, version=version))
    return ParsedWorkbook(hidden=hidden, answers=tuple(parsed), codes=codes)
