"""Improvement plans, in one package: targets and actions for the next cycle, built from a cycle's results
(peer gaps and scores, hence their place in reports) and judged by the next cycle's results.

models (the tables kept from their first home in assessments), forms, services (every write), selectors (the
plan page and the review of last cycle's targets), suggestions (build from results), field_summary (NAM
staff), views, exporters (CSV/XLSX tables); templates in templates/reports/plans/.
"""
