"""Coverage-guided fuzzing (atheris) of every parser and of the redactor, each for a bounded time.

    pip install '.[fuzz]'
    python benchmarks/fuzz.py --seconds 60            # every target, one after the other
    python benchmarks/fuzz.py --target nginx --seconds 300

A target feeds the fuzzer's bytes to one parser and accepts only the errors that parser documents
(RecordError for a line or entry that is not a record, HarError for a document that is not a HAR);
anything else — another exception, a secret that survives redaction, a call slower than
--slow-seconds — is a finding: atheris stops, prints the input and saves it as `crash-…`/`slow-…`
in --artifacts. Each target runs in its own process (atheris fuzzes once per process).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

TARGETS = ("jsonl", "nginx", "custom_format", "har", "body", "redact", "read_input")
CANARY = "CANARYsecret0123"


def _target(name: str, slow_seconds: float) -> Callable[[bytes], None]:
    """The one-input function of target `name`."""
    from statuslens.transforms.errors import RecordError
    from statuslens.transforms.readers.files import read_input
    from statuslens.transforms.readers.formats import JSONL, line_parser
    from statuslens.transforms.readers.har import HarError, har_entries, parse_har_entry
    from statuslens.transforms.redact import redact_text
    from statuslens.transforms.verdicts.body import parse_body

    parsers = {
        "jsonl": line_parser(JSONL),
        "nginx": line_parser("combined_body"),
        # A log_format string of one's own: combined with the request time after it.
        "custom_format": line_parser(_CUSTOM_FORMAT),
    }

    def timed(run: Callable[[bytes], None]) -> Callable[[bytes], None]:
        def one(data: bytes) -> None:
            started = time.perf_counter()
            run(data)
            spent = time.perf_counter() - started
            if spent > slow_seconds:
                raise AssertionError(f"slow input: {spent:.2f} s for {len(data)} bytes")

        return one

    def line(data: bytes) -> None:
        with contextlib.suppress(RecordError):
            parsers[name](data)

    def har(data: bytes) -> None:
        try:
            entries = har_entries(data)
        except HarError:
            return
        for entry in entries[:50]:
            with contextlib.suppress(RecordError):
                parse_har_entry(entry)

    def body(data: bytes) -> None:
        parse_body(data.decode("utf-8", "replace"))

    def redact(data: bytes) -> None:
        # The fuzzer's text around a canary under a §7 name: the canary must never survive.
        text = data.decode("utf-8", "replace")
        middle = len(text) // 2
        line = f"{text[:middle]}?oauth_token={CANARY}&{text[middle:]} echo {CANARY}"
        out = redact_text(line)
        if CANARY in out:
            raise AssertionError(f"canary survived in {out[:200]!r}")

    def whole_file(data: bytes) -> None:
        for _ in read_input("fuzz.log", opener=lambda _path: io.BytesIO(data)):
            pass

    runs = {"har": har, "body": body, "redact": redact, "read_input": whole_file}
    return timed(runs.get(name, line))


_CUSTOM_FORMAT = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" $request_time'
)
_SAMPLE = Path(__file__).resolve().parents[1] / "sample"
_SEEDS = {
    "jsonl": ("api-access.jsonl.gz",),
    "nginx": ("api-access.log",),
    "custom_format": ("api-access.log",),
    "body": ("api-access.jsonl.gz", "api-access.log"),
    "redact": ("api-access.log",),
    "har": ("capture.har",),
    "read_input": ("api-access.log", "api-access.jsonl.gz"),
}


def _seed_corpus(name: str, folder: Path) -> Path:
    """A corpus folder started from the bundled sample: lines for line targets, whole files otherwise
    (the fuzzer mutates real records instead of finding the format from nothing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for file_name in _SEEDS[name]:
        data = (_SAMPLE / file_name).read_bytes()
        if file_name.endswith(".gz"):
            data = gzip.decompress(data)
        if name in ("har", "read_input"):
            (folder / f"seed-{file_name}").write_bytes(data[: 1 << 16])
            continue
        for n, line in enumerate(data.splitlines()[:60]):
            if name == "custom_format":  # the sample's combined lines, cut to combined, plus a request time
                line = line.rsplit(b' "', 1)[0] + b" 0.005"
            (folder / f"seed-{file_name}-{n}").write_bytes(line)
    return folder


def _fuzz_one(name: str, seconds: int, slow_seconds: float, artifacts: Path) -> None:
    import atheris  # type: ignore[import-not-found, unused-ignore]  # the `fuzz` extra

    one = _target(name, slow_seconds)  # imports the parsers
    # Every loaded function, statuslens's included (an editable install's import finder escapes
    # atheris.instrument_imports, which then instruments nothing).
    atheris.instrument_all()
    corpus = _seed_corpus(name, artifacts / f"corpus-{name}")
    max_len = 1 << 16 if name in ("har", "read_input") else 4096
    argv = [sys.argv[0], f"-max_total_time={seconds}", f"-max_len={max_len}", f"-artifact_prefix={artifacts}/{name}-"]
    argv.append(str(corpus))
    atheris.Setup(argv, one)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", choices=TARGETS, help="one target (default: all, one process each)")
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target")
    parser.add_argument("--slow-seconds", type=float, default=1.0, help="an input slower than this is a finding")
    parser.add_argument("--artifacts", type=Path, default=Path("fuzz-artifacts"))
    args = parser.parse_args()
    if args.target:
        _fuzz_one(args.target, args.seconds, args.slow_seconds, args.artifacts)
        return 0
    failed = []
    for name in TARGETS:
        print(f"== {name}: {args.seconds} s", flush=True)
        command = [sys.executable, __file__, "--target", name, "--seconds", str(args.seconds)]
        command += ["--slow-seconds", str(args.slow_seconds), "--artifacts", str(args.artifacts)]
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(name)
    print(f"findings in: {', '.join(failed)}" if failed else "no findings", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
