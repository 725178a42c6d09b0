"""reports/management/commands/bench.py: each figure beside its multiple of the floor page.

The measurements themselves (a throwaway database seeded at several scales, minutes) run with `make bench`.
"""

import io

from django.core.management.base import OutputWrapper

from reports.management.commands.bench import MEASUREMENTS, Command


def test_the_floor_page_is_measured_first():
    assert MEASUREMENTS[0] == "floor"


def test_each_measurement_is_printed_as_a_multiple_of_the_floor():
    out = io.StringIO()
    command = Command(stdout=OutputWrapper(out))
    measured = {
        "floor": {"p50_ms": 4.0, "p95_ms": 5.0, "queries": 3},
        "org_dashboard": {"p50_ms": 30.0, "p95_ms": 42.5, "queries": 9},
    }
    command._print_table(60, 3, measured)
    lines = out.getvalue().splitlines()
    assert lines[2].split() == [
        "measurement",
        "p50",
        "ms",
        "x",
        "floor",
        "p95",
        "ms",
        "x",
        "floor",
        "queries",
    ]
    assert lines[3].split() == ["floor", "4.0", "1.0", "5.0", "1.0", "3"]
    assert lines[4].split() == ["org_dashboard", "30.0", "7.5", "42.5", "8.5", "9"]
    assert (measured["org_dashboard"]["p50_x_floor"], measured["org_dashboard"]["p95_x_floor"]) == (7.5, 8.5)
