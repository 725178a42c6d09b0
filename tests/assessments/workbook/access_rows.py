"""The workbook's rows of the access matrix (the format of tests/test_access_matrix.py, which skips these
names and leaves them to test_access_matrix_workbook.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

LOGIN = "login"
ALPHA = {"slug": "alpha", "cycle_slug": "2026"}


def _upload(world):
    from assessments.workbook.exporter import assessment_workbook

    return {"workbook": SimpleUploadedFile("alpha.xlsx", assessment_workbook(world.assessment_a))}


def _to_upload(world):
    return "/orgs/alpha/assessments/2026/workbook/upload/"


REFUSED_WRITES = {"anonymous": LOGIN, "executive_a": 403, "assessor_b": 404, "nam_staff": 403}

ROWS: dict[str, dict] = {
    "assessments:workbook_download": {
        "kwargs": ALPHA,
        "expect": {"anonymous": LOGIN, "assessor_a": 200, "executive_a": 200, "admin_a": 200,
                   "assessor_b": 404, "nam_staff": 200},
    },
    "assessments:workbook_upload": {
        "kwargs": ALPHA,
        "expect": {"anonymous": LOGIN, "assessor_a": 200, "executive_a": 403, "admin_a": 200,
                   "assessor_b": 404, "nam_staff": 403},
        "post": REFUSED_WRITES,
        "data": _upload,
    },
    "assessments:workbook_preview": {
        "kwargs": ALPHA,
        "expect": {"anonymous": LOGIN, "assessor_a": ("redirect", _to_upload), "executive_a": 403,
                   "admin_a": ("redirect", _to_upload), "assessor_b": 404, "nam_staff": 403},
        "post": REFUSED_WRITES,
        "data": {"confirm": "1"},
    },
}  # fmt: skip
