"""Stage 4, write: summary, anomalies, reports, proposed rows and the sinks (batch shards, stream
append files). May import every stage before it; `beam_*` modules are the Beam shells.
"""
