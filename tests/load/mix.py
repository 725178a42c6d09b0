"""The mixed journey's arrivals, shared by the load generator (open_model.py) and cache_hits.py.

The old load test's 50 users (5 assessors: commitment page 3, save 2, overview 1; 3 executives: their
dashboard; 1 NAM staff: the field dashboard), as shares of the arrivals.
"""

MIX = [
    ("commitment page", 5 * 3 / 6),
    ("commitment save", 5 * 2 / 6),
    ("assessment overview", 5 * 1 / 6),
    ("org dashboard", 3),
    ("NAM dashboard", 1),
]
