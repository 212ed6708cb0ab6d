"""Lines that used to be read wrong: non-ASCII digits, a byte-order mark, a user-agent cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from statuslens.transforms.errors import RecordError
from statuslens.transforms.model.chunks import Chunk
from statuslens.transforms.readers.files import read_input
from statuslens.transforms.readers.formats import JSONL, detect_format, line_parser
from statuslens.transforms.verdicts.body import parse_body

ARABIC_401 = "\u0664\u0660\u0661"  # "٤٠١": int() and str.isdigit() take it for 401
FULLWIDTH_401 = "\uff14\uff10\uff11"


@pytest.mark.parametrize("digits", [ARABIC_401, FULLWIDTH_401])
def test_a_status_in_non_ascii_digits_is_not_a_status(digits: str) -> None:
    line = f'{{"time": 1, "method": "GET", "url": "/x", "status": "{digits}"}}'.encode()
    with pytest.raises(RecordError, match="status is not an HTTP status"):
        line_parser(JSONL)(line)


@pytest.mark.parametrize("digits", [ARABIC_401, FULLWIDTH_401])
def test_an_envelope_status_code_in_non_ascii_digits_is_no_code(digits: str) -> None:
    xml = parse_body(f"<status><status_code>{digits}</status_code><message>Hi</message></status>")
    js = parse_body(f'{{"status": {{"status_code": "{digits}", "message": "Hi"}}}}')
    assert xml.status_code is None and js.status_code is None
    sub = parse_body(f'{{"status": {{"status_code": 412, "sub_code": "{digits}", "message": "Hi"}}}}')
    assert sub.sub_code == digits  # kept as the text it is, not as the number 401


def test_a_json_lines_file_that_starts_with_a_bom_keeps_its_first_record(tmp_path: Path) -> None:
    path = tmp_path / "api.jsonl"
    first = b'{"time": 1, "method": "GET", "url": "/a", "status": 404}'
    path.write_bytes(b"\xef\xbb\xbf" + first + b"\n")  # one line: detection sees only it
    items = [item for chunk in read_input(str(path)) if isinstance(chunk, Chunk) for item in chunk.items]
    assert detect_format([b"\xef\xbb\xbf" + first]) == JSONL
    record = line_parser(JSONL)(items[0])  # type: ignore[arg-type]
    assert (record.url, record.http_status) == ("/a", 404)


def test_a_combined_line_with_a_bom_is_read() -> None:
    line = b'\xef\xbb\xbf1.2.3.4 - - [20/May/2015:12:05:17 +0000] "GET /a HTTP/1.1" 404 5 "-" "curl/8"'
    assert line_parser("combined")(line).http_status == 404


CUT = (
    b'46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 '
    b'"-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html'
)


def test_a_line_cut_inside_its_user_agent_is_read_as_goaccess_reads_it() -> None:
    record = line_parser("combined")(CUT)
    assert (record.method, record.url, record.http_status) == ("GET", "/scripts/grok-py-test/configlib.py", 200)
    assert line_parser("combined_body")(CUT).http_status == 200  # through its combined sibling


def test_a_line_cut_elsewhere_is_still_a_dead_letter() -> None:
    with pytest.raises(RecordError):
        line_parser("combined")(CUT[:60])  # inside the request
    with pytest.raises(RecordError):
        line_parser("combined")(b'1.2.3.4 - - [20/May/2015:12:05:17 +0000] "GET /a HTTP/1.1" 200 5 "http://ref')


def test_the_elastic_apache_corpus_reads_every_line() -> None:
    corpus = Path(__file__).parents[3] / ".." / "shared" / "corpora" / "elastic_examples" / "apache_logs"
    if not corpus.exists():
        pytest.skip(f"corpus not present: {corpus}")
    parse = line_parser(detect_format(corpus.read_bytes().splitlines()[:50]))
    lines = corpus.read_bytes().splitlines()
    assert sum(1 for line in lines if line.strip() and parse(line)) == 10000
