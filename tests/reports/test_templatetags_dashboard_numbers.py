from decimal import Decimal

import pytest
from django.template import Context, Template

from reports.templatetags.dashboard_numbers import ordinal_rank, signed

# What the organization dashboard wrote before these filters, to be written identically.
SIGNED_INCLUDE = (
    "{% if value is None %}\u2013{% elif value > 0 %}+{{ value }}{% elif value < 0 %}\u2212"
    '{{ value|stringformat:".2f"|slice:"1:" }}{% else %}\u00b10.00{% endif %}'
)
ORDINAL = "{% load humanize %}{{ value|floatformat:0|ordinal }}"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\u2013"),
        (Decimal("0.50"), "+0.50"),
        (Decimal("1.25"), "+1.25"),
        (Decimal("-0.50"), "\u22120.50"),
        (Decimal("-3.17"), "\u22123.17"),
        (Decimal("0.00"), "\u00b10.00"),
        (Decimal("-0.00"), "\u00b10.00"),
    ],
)
def test_signed(value, text):
    assert signed(value) == text
    assert Template(SIGNED_INCLUDE).render(Context({"value": value})) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("0"), "0th"), (Decimal("1"), "1st"), (Decimal("12"), "12th"), (Decimal("33"), "33rd")],
)
def test_ordinal_rank(value, text):
    assert ordinal_rank(value) == text


def test_ordinal_rank_writes_what_floatformat_and_ordinal_wrote():
    ranks = [Decimal(n) for n in range(101)] + [Decimal("22.5"), Decimal("41.49"), Decimal("99.5")]
    for rank in ranks * 2:  # the second time from the cache
        assert ordinal_rank(rank) == Template(ORDINAL).render(Context({"value": rank}))
