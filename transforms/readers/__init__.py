"""Stage 1, read: files, compression, lines, format detection and the parsers of each log format
(JSON lines, nginx/Apache, HAR) into `RawRecord`s. May import `model`; `beam_*` modules are the
Beam shells, everything else is pure.
"""
