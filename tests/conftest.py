"""Shared test helpers: the corpora folder beside the repo, and a pinned Beam runner."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
# Every TestPipeline names its runner: the default DirectRunner first tries to download Prism.
TEST_RUNNER = "FnApiRunner"


def corpus_path(*parts: str) -> Path:
    """A file under ../shared/corpora, or a clean skip where the folder is absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"../shared/corpora not found at {CORPORA}: real-log tests need it beside the repo")
    return CORPORA.joinpath(*parts)


SEEDS = REPO.parent / "shared" / "seeds"


def seed_path(name: str) -> Path:
    """A file under ../shared/seeds (the documented page), or a clean skip where it is absent."""
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"../shared/seeds/{name} not found at {SEEDS}: the transcription check needs it")
    return path
