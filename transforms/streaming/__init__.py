"""The stream around the batch's per-record analysis: the window gate (duplicates, late records),
per-window panes with their causes, alerts and Pub/Sub message decoding. May import every batch stage.
"""
