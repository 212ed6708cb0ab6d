"""The analyzer's fast path: a line whose record only has to be counted, read without the plain path's work.

Most records of an API log are documented successes nothing writes: documented, unflagged, a code
`--annotated` does not write, and a verdict no request fact can change (every candidate row applies
to all requests, DOMAIN.md §5). Of such a record the outputs read only its time, code and verdict
(the summary's counts and timeline) and, for the causes (§8), its method and URL (consumer, path).
So, for a line of an nginx-style format, this path
- reads the time, request and status with the format's own regex, as `NginxParser.parse` reads
  them (`NginxParser.quick_fields`), and returns a RawRecord of those fields only;
- neither unescapes nor parses the body, nor judges the record: the outcome of each distinct
  (raw status, raw body) pair is remembered — its code when a record with it is only counted,
  PLAIN otherwise;
- makes no body text, BodyInfo, Judgement, flags list or annotated record.

Why it is safe: an outcome is the plain path's own judgement (`Annotator.judge` of the record
`NginxParser.parse` makes of the line) the first time its pair is seen, and it is kept only when
nothing else in a record can change it. The raw bytes fix the body's unescaped text, hence its
BodyInfo; code and flags come from the body and the status alone; the verdict from (code, sub_code,
message) when `Annotator.request_free`. Anything else returns None and takes the plain path: a
format with header fields (the gateway header joins the body), a line of a sibling format or one
`parse` would refuse, a body too long to remember. So the plain path alone still makes every dead
letter, written record, anomaly group and flag. The analyzer uses no fast path for `--annotated
all` (every record is written) or with --since/--until.

Not a yes/no "status document?" scan of the body, as issue 15 proposed: a body with no status
document is still flagged `body_unparseable` when it is not well-formed (a cut `<queue>`), so its
outcome needs the parse — once per distinct body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from statuslens.transforms.errors import RecordError
from statuslens.transforms.memo import FAST_OUTCOMES, BoundedMemo
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.nginx import NginxParser
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.classify import DOCUMENTED

__all__ = ["PLAIN", "FastLines", "fast_lines"]

PLAIN = -1  # the outcome of a pair whose records take the plain path


class FastLines:
    """`fast(line)`: the RawRecord (time, method, URL, code; no body) of a line whose record is only
    counted, else None (the plain path)."""

    __slots__ = ("_annotator", "_outcomes", "_parser", "_written")

    def __init__(self, parser: NginxParser, annotator: Annotator, written: Callable[[int], bool]) -> None:
        self._parser = parser
        self._annotator = annotator
        self._written = written  # whether --annotated writes a documented, unflagged record of a code
        self._outcomes: BoundedMemo[tuple[bytes | None, bytes | None], int] = BoundedMemo(FAST_OUTCOMES)

    def __call__(self, line: bytes) -> RawRecord | None:
        try:
            fields = self._parser.quick_fields(line)
        except RecordError:
            return None  # the plain path makes the dead letter
        if fields is None:
            return None
        time_ms, method, url, status, body = fields
        key = (status, body)
        code = self._outcomes.get(key)
        if code is None:
            size = len(status or b"") + len(body or b"")
            if size > self._outcomes.largest:
                return None
            code = self._outcome(line)
            if code is None:
                return None
            self._outcomes.put(key, code, size)
        return None if code == PLAIN else RawRecord(time_ms, method, url, code)

    def _outcome(self, line: bytes) -> int | None:
        """The plain path's judgement of the line's record, as an outcome (None: the line is refused)."""
        try:
            raw = self._parser.parse(line)
        except RecordError:
            return None
        annotator = self._annotator
        judged = annotator.judge(raw)
        if (
            judged.flags
            or judged.verdict.verdict != DOCUMENTED
            or self._written(judged.code)
            or not annotator.request_free(judged.code, judged.body.sub_code)
        ):
            return PLAIN
        return judged.code


def fast_lines(
    parse: Callable[[Any], RawRecord], annotator: Annotator, written: Callable[[int], bool]
) -> FastLines | None:
    """The fast path of a format's line parser (`formats.line_parser`), or None when it has none
    (JSON lines, HAR, unknown)."""
    parser = getattr(parse, "__self__", None)
    return FastLines(parser, annotator, written) if isinstance(parser, NginxParser) else None
