"""Counts: the parts of a run merge in any grouping and order to the same totals."""

from __future__ import annotations

from statuslens.transforms.model.counts import Counts, InputCounts


def part(path: str, records: int, dead: int, verdict: str, code: int, flag: str | None = None) -> Counts:
    return Counts(
        records_in=records + dead,
        records_annotated=records,
        dead_letter=dead,
        blank_lines=1,
        verdicts={verdict: records},
        flags={flag: 1} if flag else {},
        status_codes={code: records},
        inputs={path: InputCounts(records, dead)},
    )


def parts() -> list[Counts]:
    return [
        part("a.log", 3, 1, "documented", 200),
        part("a.log", 2, 0, "undocumented_code", 405, "body_unparseable"),
        part("b.har", 4, 2, "documented", 200, "http_status_mismatch"),
    ]


def test_merge_is_associative_and_commutative() -> None:
    a, b, c = parts()
    left = Counts().merge(a).merge(b).merge(c)
    a, b, c = parts()
    right = Counts().merge(c).merge(Counts().merge(b).merge(a))
    assert left == right == Counts.merged(parts())


def test_merged_totals_add_up_and_keep_the_invariant() -> None:
    total = Counts.merged(parts())
    assert (total.records_in, total.records_annotated, total.dead_letter, total.blank_lines) == (12, 9, 3, 3)
    assert total.records_in == total.records_annotated + total.dead_letter
    assert total.verdicts == {"documented": 7, "undocumented_code": 2}
    assert total.flags == {"body_unparseable": 1, "http_status_mismatch": 1}
    assert total.status_codes == {200: 7, 405: 2}
    assert total.inputs == {"a.log": InputCounts(5, 1), "b.har": InputCounts(4, 2)}


def test_merge_never_shares_the_parts_it_adds() -> None:
    one = part("a.log", 1, 0, "documented", 200)
    total = Counts().merge(one)
    total.merge(part("a.log", 1, 0, "documented", 200))
    assert one.inputs["a.log"] == InputCounts(1, 0) and one.verdicts == {"documented": 1}


def test_dead_letters_by_reason_add_up_when_merged() -> None:
    a = Counts(records_in=2, dead_letter=2, dead_letter_reasons={"missing time": 1, "not valid JSON": 1})
    b = Counts(records_in=3, dead_letter=3, dead_letter_reasons={"missing time": 3})
    total = Counts.merged([a, b])
    assert total.dead_letter_reasons == {"missing time": 4, "not valid JSON": 1}
    assert sum(total.dead_letter_reasons.values()) == total.dead_letter
