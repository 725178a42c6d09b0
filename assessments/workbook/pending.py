"""The parsed upload between preview and confirmation, kept server-side in the session (never re-uploaded).

The session is stored in the database; the file's bytes are not kept, only the answers read from it."""

import secrets
from dataclasses import asdict

from ..models import Assessment
from ..services.workflow import Answer
from .reader import ParsedWorkbook

SESSION_KEY = "assessment_workbook_upload"


def pending_put(session, *, assessment: Assessment, parsed: ParsedWorkbook, filename: str) -> str:
    token = secrets.token_urlsafe(12)
    session[SESSION_KEY] = {
        "assessment_id": assessment.pk,
        "token": token,
        "filename": filename[:200],
        "answers": [asdict(answer) for answer in parsed.answers],
    }
    return token


def pending_get(session, *, assessment: Assessment) -> tuple[str, str, list[Answer]] | None:
    """(token, file name, answers) of the upload waiting for this assessment, if any."""
    stored = session.get(SESSION_KEY)
    if not stored or stored.get("assessment_id") != assessment.pk:
        return None
    return stored["token"], stored["filename"], [Answer(**answer) for answer in stored["answers"]]


def pending_clear(session) -> None:
    session.pop(SESSION_KEY, None)
