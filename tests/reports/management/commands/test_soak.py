"""reports/management/commands/soak.py: the rate a soak runs at, and its duration argument."""

import pytest
from django.core.management import CommandError

from reports.management.commands.soak import seconds, soak_rate


@pytest.mark.parametrize(
    ("capacity", "cores", "rendering", "rate"),
    [
        (38.4, 2, 1, 13.44),  # this machine: one core renders, the web keeps the other
        (38.4, 4, 1, 20.16),
        (40.0, 8, 2, 21.0),
    ],
)
def test_the_soak_runs_at_70_percent_of_what_the_web_keeps_beside_the_renders(
    capacity, cores, rendering, rate
):
    assert soak_rate(capacity, cores=cores, rendering=rendering) == pytest.approx(rate)


def test_a_worker_that_would_take_every_core_is_refused_with_what_to_do():
    with pytest.raises(CommandError) as refused:
        soak_rate(38.4, cores=2, rendering=2)
    assert str(refused.value) == (
        "The worker's 2 pool processes would take all 2 cores: none left for the load. "
        "Use a --worker-concurrency below the number of cores."
    )


@pytest.mark.parametrize(("text", "value"), [("20m", 1200), ("90s", 90), ("1h", 3600), (" 45 ", 45)])
def test_durations(text, value):
    assert seconds(text) == value


def test_a_duration_it_cannot_read_is_refused():
    with pytest.raises(CommandError, match=r"--duration takes 20m, 90s, 1h or seconds, not '20 minutes'"):
        seconds("20 minutes")
