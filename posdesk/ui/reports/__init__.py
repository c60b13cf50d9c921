"""The Reports tab: a list of reports, the chosen one's filters, KPI cards, a chart and a
table of the same numbers, CSV export, print and PDF (see docs/architecture.md, "Reports tab")."""
