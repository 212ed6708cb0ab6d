"""BoundedMemo: the hot path's memos stay within their entry and size budgets on hostile input."""

from __future__ import annotations

from statuslens.transforms.memo import BoundedMemo
from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.readers.nginx import _BODIES, _TIMES, compile_log_format
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog


def test_a_memo_is_emptied_before_it_passes_its_entry_or_size_budget() -> None:
    memo: BoundedMemo[str, int] = BoundedMemo(max_entries=3, max_size=100)
    for i in range(10):
        memo.put(f"k{i}", i, 5)
        assert len(memo) <= 3 and memo.size <= 100
    assert memo.get("k9") == 9
    memo.clear()
    for i in range(10):
        memo.put(f"big{i}", i, 9)  # small enough to keep; eleven of them would pass the size budget
        assert memo.size <= 100
    assert memo.put("huge", 1, 11) == 1 and "huge" not in memo  # over a tenth of the budget: not kept


def test_distinct_megabyte_messages_do_not_pile_up_in_the_verdict_memo() -> None:
    """HTTP 200 with a different 100 kB gateway message each time: documented, and not all remembered."""
    annotator = Annotator(load_catalog())
    for i in range(200):
        body = f"<h1>{i:06d}{'x' * 100_000}</h1>"
        judged = annotator.judge(RawRecord(0, "GET", "/catalog/titles", 200, body))
        assert judged.verdict.verdict == "documented"
    memo = annotator._request_free
    assert memo.size <= memo.max_size and len(memo) < 200


def test_padded_times_and_long_bodies_are_parsed_but_not_remembered() -> None:
    fmt = compile_log_format("combined_body")
    body = b"<queue>" + b"y" * 5000 + b"</queue>"
    line = (
        b"1.2.3.4 - - [10/Dec/2009:21:40:10 +0000" + b" " * 3000 + b'] "GET /users/current HTTP/1.1" 200 9 '
        b'"-" "curl" "' + body + b'"'
    )
    record = fmt.parse(line)
    assert record.time_ms == 1_260_481_210_000 and record.body is not None and len(record.body) == len(body)
    assert all(len(key) <= 64 for key in _TIMES) and all(len(key) <= 2048 for key in _BODIES)
