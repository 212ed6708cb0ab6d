"""Every group's causes on a generated corpus with incidents equal an independent oracle (DOMAIN.md §8).

The oracle reads the generated JSON lines itself (time, method, URL, consumer) and applies the rules
in the plainest way: counters and list scans, exact decimals. From the pipeline it takes only what
§5 decides per record (each record's group and effective code, from `annotated/` with `--annotated
all`), never anything about causes. The same corpus through 1 and 2 workers gives the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from statuslens.pipelines.cli import main

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "benchmarks" / "generate_corpus.py"
LIMIT = 4  # the bundled catalog's rate_limit.calls_per_second


def _key(doc: dict[str, Any]) -> tuple[Any, ...]:
    message = " ".join((doc["message"] or "").split()).casefold()
    message = message[:-1].rstrip() if message.endswith(".") else message
    return (doc["verdict"], doc["status_code"], json.dumps(doc["sub_code"]), message, doc["method"], doc["resource"])


def _ms(text: str) -> int:
    stamp = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(stamp.timestamp()) * 1000 + stamp.microsecond // 1000


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def _round(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN))


def _consumer(url: str) -> str | None:
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if name == "oauth_consumer_key" and value:
            return value
    return None


def oracle(corpus: Path, annotated: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[list[Any], list[Any]]]:
    by_line = {int(doc["source"].rsplit(":", 1)[1]): doc for doc in annotated}
    calls: Counter[tuple[str, int]] = Counter()
    successes: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    groups: dict[tuple[Any, ...], list[tuple[int, str | None, str, str]]] = defaultdict(list)
    for number, line in enumerate(corpus.read_text(encoding="utf-8").splitlines(), start=1):
        raw = json.loads(line)
        time_ms, method, url = _ms(raw["time"]), raw["method"], raw["url"]
        consumer, path, doc = _consumer(url), urlsplit(url).path, by_line[number]
        if consumer:
            calls[consumer, time_ms // 1000] += 1
            if doc["status_code"] < 400:
                successes[consumer, method, path].append(time_ms)
        if doc["verdict"] != "documented":
            groups[_key(doc)].append((time_ms, consumer, method, path))
    truth = {}
    for key, records in groups.items():
        count = len(records)
        causes: list[Any] = []
        with_consumer = [r for r in records if r[1]]
        if with_consumer:
            over = [calls[r[1], r[0] // 1000] for r in with_consumer if calls[r[1], r[0] // 1000] > LIMIT]
            if 2 * len(over) >= len(with_consumer):
                share = _round(Decimal(len(over)) / count)
                causes.append(
                    {"cause": "rate_limit", "limit": LIMIT, "records": len(over), "share": share,
                     "peak_calls_per_second": max(over)}
                )  # fmt: skip
            delays = []
            for t, c, m, p in with_consumer:
                later = [u for u in successes.get((c, m, p), []) if t < u <= t + 60_000]
                if later:
                    delays.append(min(later) - t)
            if delays and 2 * len(delays) >= len(with_consumer):
                delays.sort()
                half = len(delays) // 2
                median = Decimal(delays[half]) if len(delays) % 2 else Decimal(delays[half - 1] + delays[half]) / 2
                causes.append(
                    {"cause": "transient", "records": len(delays), "share": _round(Decimal(len(delays)) / count),
                     "median_retry_seconds": _round(median / 1000)}
                )  # fmt: skip
        times = sorted(r[0] for r in records)
        episodes = [[times[0]]]
        for t in times[1:]:
            if t - episodes[-1][-1] > 300_000:
                episodes.append([])
            episodes[-1].append(t)
        large = sorted((e for e in episodes if len(e) >= 5), key=lambda e: (-len(e), e[0]))
        if 5 * sum(len(e) for e in large) >= 4 * count:
            listed = [{"start": _iso(e[0]), "end": _iso(e[-1]), "records": len(e)} for e in large[:10]]
            causes.append({"cause": "burst", "episodes": listed})
        senders = Counter(r[1] for r in records if r[1])
        top = sorted(senders.items(), key=lambda item: (-item[1], item[0]))[:5]
        shares = [{"consumer": c, "records": n, "share": _round(Decimal(n) / count)} for c, n in top]
        truth[key] = (causes, shares)
    return truth


def _lines(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for part in sorted(folder.glob("*.jsonl")) for line in part.read_text().splitlines()]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("incidents")
    corpus = folder / "incidents.jsonl"
    args = ["--records", "30000", "--format", "jsonl", "--seed", "5", "--incidents", "--out", str(corpus)]
    subprocess.run([sys.executable, str(GENERATOR), *args], check=True)
    out = folder / "out"
    assert main(["batch", "--input", str(corpus), "--output", str(out), "--annotated", "all"]) == 0
    return corpus, out


def test_every_groups_causes_and_top_consumers_equal_the_oracle(run: tuple[Path, Path]) -> None:
    corpus, out = run
    truth = oracle(corpus, _lines(out / "annotated"))
    groups = [json.loads(line) for line in (out / "anomalies.jsonl").read_text().splitlines()]
    assert sorted(_key(g) for g in groups) == sorted(truth)
    for group in groups:
        assert (group["causes"], group["top_consumers"]) == truth[_key(group)], _key(group)
    found = Counter(cause["cause"] for group in groups for cause in group["causes"])
    assert found["rate_limit"] and found["transient"] and found["burst"]  # the incidents show every cause


def test_causes_are_the_same_bytes_with_two_workers(run: tuple[Path, Path], tmp_path: Path) -> None:
    corpus, out = run
    two = tmp_path / "two"
    argv = ["batch", "--input", str(corpus), "--output", str(two), "--annotated", "none"]
    assert main([*argv, "--direct_running_mode", "multi_processing", "--direct_num_workers", "2"]) == 0
    assert (two / "anomalies.jsonl").read_bytes() == (out / "anomalies.jsonl").read_bytes()
