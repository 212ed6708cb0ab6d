"""Log format names, per-file detection, and the line parser each format uses.

Detection looks at a file's first non-blank lines: JSON objects make it JSON lines, otherwise the
named nginx format that matches the most lines wins (`combined_body` before `combined` before
`common` on ties). A file nothing matches is `unknown`: its lines become dead letters, not guesses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import orjson

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.apache import is_apache_format
from statuslens.transforms.readers.fields import BOM
from statuslens.transforms.readers.jsonlines import DEFAULT_FIELD_MAP, FieldMap, JsonLineParser
from statuslens.transforms.readers.nginx import NAMED_FORMATS, NginxParser, compile_log_format

__all__ = ["HAR", "JSONL", "UNKNOWN", "detect_format", "is_har_name", "line_parser", "validate_log_format"]

HAR = "har"
JSONL = "jsonl"
UNKNOWN = "unknown"
_HAR_SUFFIXES = (".har", ".harp", ".har.gz", ".har.bz2", ".har.xz", ".harp.gz")
_DETECT_ORDER = ("combined_body", "combined", "common")
_COMPILED = {name: compile_log_format(name) for name in NAMED_FORMATS}

LineParser = Callable[[bytes], RawRecord]


def is_har_name(path: str) -> bool:
    return path.lower().endswith(_HAR_SUFFIXES)


def detect_format(lines: Sequence[bytes]) -> str:
    """The format name of a file, from a sample of its first lines."""
    sample = [line.strip().removeprefix(BOM) for line in lines[:1]] + [line.strip() for line in lines[1:]]
    sample = [line for line in sample if line]
    if not sample:
        return UNKNOWN
    json_objects = sum(1 for line in sample if line[:1] == b"{" and _is_json_object(line))
    if json_objects * 2 >= len(sample):
        return JSONL
    best, best_count = UNKNOWN, 0
    for name in _DETECT_ORDER:
        count = sum(1 for line in sample if _COMPILED[name].matches(line))
        if count > best_count:
            best, best_count = name, count
    return best


def validate_log_format(spec: str) -> str:
    """A `--log-format` value as given, or ValueError saying why it cannot be used."""
    if spec in (JSONL, *NAMED_FORMATS):
        return spec
    if spec == HAR:
        raise ValueError("HAR files are detected by themselves; --log-format applies to line formats")
    if "$" not in spec and not is_apache_format(spec):
        raise ValueError(
            f"unknown log format {spec!r}: use jsonl, {', '.join(NAMED_FORMATS)}, an nginx log_format string "
            "or an Apache LogFormat string"
        )
    compile_log_format(spec)
    return spec


def line_parser(fmt: str, fields: FieldMap = DEFAULT_FIELD_MAP) -> LineParser:
    """The function that parses one line of a file in format `fmt`, with memos of its own: make one
    per reader (a DoFn's `setup()`), not one per line.

    A named format's parser also reads the odd line of a sibling format: files mix them (a `common`
    line among `combined` ones, `combined` among `combined_body`), detection picks one format per
    file, and a well-formed line of its sibling is still a record.
    """
    if fmt == JSONL:
        return JsonLineParser(fields).parse
    if fmt == UNKNOWN:
        return _unknown
    if fmt in _COMPILED:
        return NginxParser(_COMPILED[fmt], [_COMPILED[name] for name in _DETECT_ORDER if name != fmt]).parse
    return NginxParser(compile_log_format(fmt)).parse


def _unknown(line: bytes) -> RawRecord:
    raise RecordError("line matches no known log format")


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False
