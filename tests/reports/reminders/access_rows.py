"""The reminders' rows of the access matrix (the format of tests/test_access_matrix.py, which skips these
names and leaves them to test_access_matrix_reminders.py)."""

LOGIN = "login"


def _token(world):
    from reports.reminders.services import unsubscribe_token

    return unsubscribe_token(user_id=world.users["assessor_a"].pk, kind="deadline")


ROWS: dict[str, dict] = {
    # Each person's own settings: everyone signed in has a page of their own.
    "reports:reminder_settings": {
        "expect": {"anonymous": LOGIN, "assessor_a": 200, "executive_a": 200, "admin_a": 200,
                   "assessor_b": 200, "nam_staff": 200},
        "post": {"anonymous": LOGIN},
        "data": {"time_zone": "Europe/Paris"},
    },
    # The signed token is the permission: the e-mail's link works for whoever holds it, signed in or not;
    # GET only asks (tests/reports/reminders/test_views.py checks that it writes nothing).
    "reports:reminder_unsubscribe": {
        "kwargs": {"token": _token},
        "expect": {"anonymous": 200, "assessor_a": 200, "executive_a": 200, "admin_a": 200,
                   "assessor_b": 200, "nam_staff": 200},
    },
}  # fmt: skip
