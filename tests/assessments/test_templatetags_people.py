import datetime

import pytest

from assessments.templatetags.people import duration


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (30, "30 minutes"),
        (1, "1 minute"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (120, "2 hours"),
        (0, "0 minutes"),
    ],
)
def test_duration(minutes, words):
    assert duration(datetime.timedelta(minutes=minutes)) == words


def test_duration_of_something_else_is_empty():
    assert duration("PT30M") == ""
