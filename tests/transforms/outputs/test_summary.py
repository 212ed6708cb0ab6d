"""summary.json from Counts: contract order, zeros included, and its counting part read back."""

from __future__ import annotations

from statuslens.transforms.model.chunks import InputInfo
from statuslens.transforms.model.counts import Counts, InputCounts
from statuslens.transforms.outputs.summary import build_summary, counts_from_summary, summary_counts
from statuslens.transforms.verdicts.catalog import load_catalog
from tests.contract import SUMMARY_KEYS

COUNTS = Counts(
    records_in=7,
    records_annotated=5,
    dead_letter=2,
    blank_lines=1,
    verdicts={"undocumented_code": 2, "documented": 3},
    flags={"http_status_mismatch": 1},
    status_codes={405: 2, 200: 3},
    inputs={"a.jsonl": InputCounts(5, 1), "b.log.gz": InputCounts(0, 1)},
)


def test_the_summary_has_every_key_in_contract_order() -> None:
    inputs = [InputInfo("b.log.gz", "combined", "gzip", "truncated"), InputInfo("a.jsonl", "jsonl", "none", None)]
    summary = build_summary(COUNTS, inputs, load_catalog(), "t0", "t1")
    assert list(summary) == SUMMARY_KEYS
    assert summary["verdicts"] == {
        "documented": 3,
        "undocumented_code": 2,
        "undocumented_subcode": 0,
        "undocumented_message": 0,
        "out_of_scope": 0,
    }
    assert summary["flags"] == {"body_unparseable": 0, "http_status_mismatch": 1}
    assert list(summary["status_codes"].items()) == [("200", 3), ("405", 2)]
    assert [(i["path"], i["records"], i["dead_letter"], i["damaged"]) for i in summary["inputs"]] == [
        ("a.jsonl", 5, 1, None),
        ("b.log.gz", 0, 1, "truncated"),
    ]


def test_the_counting_part_reads_back_into_the_same_counts() -> None:
    summary = build_summary(
        COUNTS, [InputInfo(p, "jsonl", "none", None) for p in COUNTS.inputs], load_catalog(), "", ""
    )
    back = counts_from_summary(summary)
    assert summary_counts(back) == summary_counts(COUNTS)
    assert back.inputs == COUNTS.inputs
    assert counts_from_summary({}) == Counts()
