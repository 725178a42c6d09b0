"""manage.py load_terms and the terms file format."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from assessments.terms.loader import TermsFileError, parse_terms, text_sha256
from assessments.terms.models import TermsVersion

from .conftest import SHIPPED, terms_text

pytestmark = pytest.mark.django_db


def _rows():
    return list(TermsVersion.objects.values_list("version", "sha256", "title", "effective_on", "loaded_at"))


def test_load_terms_loads_the_shipped_file_once(capsys):
    call_command("load_terms", str(SHIPPED))
    assert "Participation terms 2026.1 loaded (in effect from 2026-01-01)." in capsys.readouterr().out
    terms = TermsVersion.objects.get()
    assert (terms.version, terms.effective_on) == ("2026.1", datetime.date(2026, 1, 1))
    assert terms.title == "Participation terms of the LHS Commitments Portal"
    assert terms.sha256 == text_sha256(terms.text)
    assert terms.text.startswith("> **Template for NAM's counsel to adapt.**")
    before = _rows()
    call_command("load_terms", str(SHIPPED))
    assert "are loaded already and unchanged: nothing to do." in capsys.readouterr().out
    assert _rows() == before


def test_a_changed_text_under_a_loaded_version_is_refused(tmp_path):
    call_command("load_terms", str(SHIPPED))
    before = _rows()
    changed = tmp_path / "changed.md"
    changed.write_text(SHIPPED.read_text().replace("72 hours", "48 hours"))
    with pytest.raises(CommandError) as error:
        call_command("load_terms", str(changed))
    assert "Participation terms 2026.1 were loaded on" in str(error.value)
    assert (
        "a loaded version never changes. Give the new text a new version number. Nothing was changed."
        in str(error.value)
    )
    assert _rows() == before


@pytest.mark.parametrize(
    "content, message",
    [
        ("no front matter", "The file must start with front matter"),
        ("---\nversion: 1\neffective: 2026-01-01\n", "The front matter is not closed by a line '---'."),
        ("---\neffective: 2026-01-01\n---\nText", "The front matter needs a version"),
        (
            "---\nversion: 2026.9\neffective: soon\n---\nText",
            "The front matter needs an effective date (YYYY-MM-DD).",
        ),
        (
            "---\nversion: 2026.9\neffective: 2026-01-01\n---\n  \n",
            "The terms have no text after the front matter.",
        ),
    ],
)
def test_bad_files_are_refused_with_a_message(content, message):
    with pytest.raises(TermsFileError) as error:
        parse_terms(content)
    assert message in str(error.value)


def test_the_same_text_under_another_version_is_refused(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(terms_text("2027.1"))
    call_command("load_terms", str(path))
    path.write_text(terms_text("2027.2"))
    with pytest.raises(
        CommandError, match=re.escape("This text is loaded already as version 2027.1. Nothing was changed.")
    ):
        call_command("load_terms", str(path))
    assert TermsVersion.objects.count() == 1


def test_the_shipped_terms_state_the_settings_they_describe():
    """The text is a file; these numbers must follow the settings' defaults (change both together)."""
    text = SHIPPED.read_text()
    assert f"at least **{settings.BENCHMARK_MIN_PEERS}** peers" in text
    assert f"percentile ranks need at least **{settings.BENCHMARK_MIN_PEERS_QUARTILES}** peers" in text
    assert f"at least **{settings.BENCHMARK_MIN_PEERS_TAILS}**" in text
    assert f"differ by at least **{settings.BENCHMARK_MIN_PEERS}** results" in text
    assert f"**{settings.WITHDRAWAL_RETENTION_DAYS} days** after the confirmation" in text
    assert f"({settings.AUDIT_RETENTION_DAYS:,} days)" in text
    assert f"expires after {settings.DATA_ARCHIVE_EXPIRY_HOURS} hours" in text
    for subject in (
        "Who sees your identified responses",
        "What NAM may publish",
        "Retention",
        "Withdrawal",
        "Contact",
    ):
        assert subject in text
    assert "Template for NAM's counsel to adapt" in text
