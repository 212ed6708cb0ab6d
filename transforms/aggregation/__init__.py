"""Stage 3, group and count: the per-chunk analyzer, anomaly groups and counts, and `AnalyzeLogs`,
the composite transform batch and cron share (the stream reuses the analyzer and the §8 facts). May
import the stages before it.
"""
