"""Entry points and pipeline assembly for statuslens."""
