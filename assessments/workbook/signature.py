"""The signature of a workbook's hidden cells: whose it is and the version of each answer it was made at.

Signed with django.core.signing (SECRET_KEY), so an edit of any hidden cell (an id, a version, the rubric
version) is detected on upload rather than trusted.
"""

from dataclasses import dataclass

from django.core import signing

SALT = "assessments.workbook"


@dataclass(frozen=True)
class HiddenCells:
    organization_id: int
    cycle_id: int
    assessment_id: int
    rubric_version: str
    rows: tuple[tuple[int, int], ...]  # (indicator id, version) in sheet order

    def canonical(self) -> str:
        rows = ",".join(f"{indicator}:{version}" for indicator, version in self.rows)
        return f"o{self.organization_id}|c{self.cycle_id}|a{self.assessment_id}|r{self.rubric_version}|{rows}"


def sign(hidden: HiddenCells) -> str:
    """The signature alone (the signed text is the hidden cells themselves)."""
    return signing.Signer(salt=SALT).sign(hidden.canonical()).rsplit(":", 1)[1]


def is_valid(hidden: HiddenCells, signature: str) -> bool:
    try:
        signing.Signer(salt=SALT).unsign(f"{hidden.canonical()}:{signature}")
    except signing.BadSignature:
        return False
    return True
