"""The streaming edge around `AnalyzeLogs`: the window gate (duplicates, late records), alerts and
Pub/Sub message decoding. May import every batch stage.
"""
