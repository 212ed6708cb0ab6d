"""What flows between the stages: raw records, group keys and accumulators, counts, source references
and dead letters. Pure: imports nothing of the stages and never `apache_beam`.
"""
