import datetime
from pathlib import Path

import pytest

from assessments.terms.loader import parse_terms, parse_terms_file
from assessments.terms.services import terms_load

SHIPPED = Path(__file__).resolve().parents[3] / "fixtures" / "terms" / "2026.1.md"


def terms_text(version="2027.1", effective="2026-06-01", body="New terms.\n"):
    return f"---\nversion: {version}\ntitle: Participation terms\neffective: {effective}\n---\n{body}"


@pytest.fixture
def terms(db):
    """The shipped terms, loaded (in effect since 2026-01-01)."""
    return terms_load(spec=parse_terms_file(SHIPPED)).terms


@pytest.fixture
def load_version(db):
    def load(version="2027.1", effective=None, body="New terms.\n"):
        effective = effective or (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        return terms_load(spec=parse_terms(terms_text(version, effective, body))).terms

    return load
