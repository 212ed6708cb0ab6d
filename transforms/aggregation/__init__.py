"""Stage 3, group and count: the per-chunk analyzer, anomaly groups and counts, and `AnalyzeLogs`, the
one composite transform batch, cron and stream share. May import the stages before it.
"""
