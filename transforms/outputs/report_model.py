"""The report as data: built once from a run's results, then rendered as `report.md` and `report.html`.

`build_report` turns the summary, the sorted anomaly groups, the flagged records and the proposed
rows into a `Report`: the page's sections in order, then an appendix of group lists a caller adds
(cron's "New in this run"). Nothing here is escaped: every text that came from a log stays as it
was read, and each renderer (render_markdown.py, render_html.py) escapes for its own format.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from statuslens.transforms.model.groups import AnomalyGroup, GroupStats
from statuslens.transforms.model.records import AnnotatedRecord
from statuslens.transforms.model.timeline import Timeline
from statuslens.transforms.outputs.cause_words import cause_sentence, consumers_sentence
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.report_charts import Charts, build_charts
from statuslens.transforms.outputs.report_pick import ReportPick, pick_of
from statuslens.transforms.outputs.report_text import cut_text, shown
from statuslens.transforms.outputs.summary import time_filtered

__all__ = [
    "BASELINE_TITLE",
    "MAX_ANOMALIES",
    "NEW_TITLE",
    "Anomalies",
    "CountTable",
    "DamagedInputs",
    "ExpectedGroups",
    "FlagSamples",
    "FlaggedRecords",
    "GroupList",
    "Header",
    "ProposedRows",
    "Report",
    "Section",
    "Totals",
    "build_report",
    "cause_notes",
    "group_line",
    "group_notes",
    "message_text",
    "new_groups_section",
    "report_of_pick",
    "short_url",
    "subcode_text",
]

MAX_ANOMALIES = 100  # ranked in the report; anomalies.jsonl has them all
MAX_LISTED = 100  # proposed rows, expected and new groups shown in a report; the rest are counted
URL_SHOWN = 200
NEW_TITLE = "New in this run"
BASELINE_TITLE = "Baseline: groups recorded"


@dataclass(frozen=True)
class Header:
    """The catalog the run judged against and when it ran."""

    catalog_name: str
    catalog_sha256: str
    started_at: str
    finished_at: str


@dataclass(frozen=True)
class CountTable:
    """Names and counts; `column` None for the record totals, whose names are row headers."""

    column: str | None
    rows: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Totals:
    """The record totals, then a count per verdict and per flag (every one, zeros included), then the
    dead letters by reason when there are any."""

    records: CountTable
    verdicts: CountTable
    flags: CountTable
    dead_letter_reasons: CountTable | None = None
    title: ClassVar[str] = "Totals"

    @property
    def tables(self) -> tuple[CountTable, ...]:
        """The tables in the order the reports show them."""
        tables = (self.records, self.verdicts, self.flags)
        return tables if self.dead_letter_reasons is None else (*tables, self.dead_letter_reasons)


@dataclass(frozen=True)
class DamagedInputs:
    """(path, what was wrong) of each damaged input; the section exists only when one is."""

    inputs: tuple[tuple[str, str], ...]
    intro: ClassVar[str] = "Damaged inputs:"


@dataclass(frozen=True)
class Anomalies:
    """The first MAX_ANOMALIES groups in anomalies.jsonl's order, and how many more there are."""

    groups: tuple[AnomalyGroup, ...]
    more: int = 0
    title: ClassVar[str] = "Anomalies, by count"
    empty: ClassVar[str] = "No anomalies: every record matched the documented table."


@dataclass(frozen=True)
class ExpectedGroups:
    """The groups an --expect file names (DOMAIN.md §10), with the reason of each, in anomalies.jsonl's
    order; left out of Anomalies and of the proposed rows. The section exists only with --expect."""

    groups: tuple[tuple[AnomalyGroup, str], ...]
    more: int = 0  # expected groups past MAX_LISTED, only counted
    title: ClassVar[str] = "Expected anomalies"
    intro: ClassVar[str] = "Known groups, named in the --expect file with a reason:"
    empty: ClassVar[str] = "No group matched an --expect entry."


@dataclass(frozen=True)
class FlagSamples:
    """One flag: how many records carry it and its earliest ones."""

    flag: str
    count: int
    samples: tuple[AnnotatedRecord, ...]


@dataclass(frozen=True)
class FlaggedRecords:
    flags: tuple[FlagSamples, ...]
    title: ClassVar[str] = "Flagged records"
    empty: ClassVar[str] = "No record was flagged."


@dataclass(frozen=True)
class ProposedRows:
    rows: tuple[ProposedRow, ...]
    more: int = 0  # rows past MAX_LISTED, only counted
    title: ClassVar[str] = "Proposed table rows"
    empty: ClassVar[str] = "Nothing to add: the table covers every response seen."
    intro: ClassVar[str] = "Paste into the documented table:"


@dataclass(frozen=True)
class GroupList:
    """A titled list of groups, one `group_line` each; `empty` is the one item of an empty list."""

    title: str
    groups: tuple[AnomalyGroup, ...]
    empty: str = "nothing new"
    more: int = 0  # groups past MAX_LISTED, only counted (the JSON lines file has them all)

    def capped(self) -> GroupList:
        """The list as a report shows it: the first MAX_LISTED groups and how many more."""
        shown = self.groups[:MAX_LISTED]
        return GroupList(self.title, shown, self.empty, self.more + len(self.groups) - len(shown))


Section = Header | Totals | Charts | DamagedInputs | Anomalies | ExpectedGroups | FlaggedRecords | ProposedRows


@dataclass(frozen=True)
class Report:
    """The page's sections in order, then the appendix (sections a caller adds after them)."""

    sections: tuple[Section, ...]
    appendix: tuple[GroupList, ...] = ()


_RECORD_TOTALS = (
    ("records in", "records_in"),
    ("records annotated", "records_annotated"),
    ("dead letters", "dead_letter"),
    ("filtered out", "filtered_out"),  # shown only for a run with --since/--until (DOMAIN.md §10)
    ("blank lines", "blank_lines"),
)


def build_report(
    summary: Mapping[str, Any],
    groups: Sequence[AnomalyGroup],
    flagged: Iterable[tuple[str, GroupStats]],
    proposed: Iterable[ProposedRow],
    appendix: Iterable[GroupList] = (),
    expected: Mapping[str, str] | None = None,
    timeline: Timeline | None = None,
) -> Report:
    """The report of a run from every group (`groups` in anomalies.jsonl's order, `flagged` as (flag,
    stats)); `expected` (id -> reason, --expect) moves those to their section; `timeline` adds the charts."""
    pick = pick_of(groups, expected or {}, None, MAX_ANOMALIES, MAX_LISTED)
    rows = list(proposed)
    return report_of_pick(
        summary, pick, flagged, rows[:MAX_LISTED], len(rows), appendix, expected is not None, timeline
    )


def report_of_pick(
    summary: Mapping[str, Any],
    pick: ReportPick,
    flagged: Iterable[tuple[str, GroupStats]],
    rows: Sequence[ProposedRow],
    row_count: int,
    appendix: Iterable[GroupList] = (),
    with_expected: bool = False,
    timeline: Timeline | None = None,
) -> Report:
    """The report from what it shows of the groups (`pick`) and the first `rows` of `row_count`."""
    catalog = summary["catalog"]
    reasons = summary.get("dead_letter_reasons") or {}
    sections: list[Section] = [
        Header(catalog["name"], catalog["sha256"], summary["started_at"], summary["finished_at"]),
        Totals(
            CountTable(
                None,
                tuple(
                    (label, summary[key])
                    for label, key in _RECORD_TOTALS
                    if key != "filtered_out" or time_filtered(summary)
                ),
            ),
            CountTable("verdict", tuple(summary["verdicts"].items())),
            CountTable("flag", tuple(summary["flags"].items())),
            CountTable("dead-letter reason", tuple(reasons.items())) if reasons else None,
        ),
    ]
    charts = build_charts(timeline, pick.marks) if timeline is not None else None
    if charts is not None:
        sections.append(charts)
    damaged = tuple((i["path"], i["damaged"]) for i in summary["inputs"] if i["damaged"])
    if damaged:
        sections.append(DamagedInputs(damaged))
    ranked = tuple(shown(g) for g in pick.ranked_groups[:MAX_ANOMALIES])
    sections.append(Anomalies(ranked, max(0, pick.ranked_count - MAX_ANOMALIES)))
    if with_expected:
        known = [(shown(g), cut_text(reason)) for g, reason in pick.expected_groups]
        sections.append(ExpectedGroups(tuple(known[:MAX_LISTED]), max(0, pick.expected_count - MAX_LISTED)))
    sections += [
        FlaggedRecords(
            tuple(
                FlagSamples(flag, stats.count, tuple(stats.records))
                for flag, stats in sorted(flagged, key=lambda pair: pair[0])
            )
        ),
        ProposedRows(
            tuple(replace(r, message=cut_text(r.message)) for r in rows[:MAX_LISTED]), max(0, row_count - MAX_LISTED)
        ),
    ]
    lists = tuple(replace(c, groups=tuple(shown(g) for g in c.groups)) for c in (a.capped() for a in appendix))
    return Report(tuple(sections), lists)


def new_groups_section(groups: Iterable[AnomalyGroup], known: Collection[str], baseline: bool) -> GroupList:
    """The groups whose id is not in `known`, in the order given: "New in this run", or with
    `baseline` (the first run, which records what exists) "Baseline: groups recorded"."""
    return GroupList(BASELINE_TITLE if baseline else NEW_TITLE, tuple(g for g in groups if g.id not in known))


def group_line(group: AnomalyGroup) -> str:
    """A group in one line of plain text: `412/710 "Title already in queue" on POST users/{user_token}/queues/instant
    (undocumented_code, 3)`."""
    key = group.key
    sub = f"/{key.sub_code}" if key.sub_code is not None else ""
    return (
        f'{key.status_code}{sub} "{group.message or ""}" on {key.method} {key.resource} ({key.verdict}, {group.count})'
    )


def cause_notes(group: AnomalyGroup) -> tuple[str, ...]:
    """One sentence per cause of the group, in the causes' order (none for a group without causes)."""
    return tuple(cause_sentence(cause, group.count) for cause in group.causes)


def group_notes(group: AnomalyGroup) -> tuple[str, ...]:
    """What the reports say next to a group's explanation: its causes, then who sent it (when known)."""
    who = consumers_sentence(group.top_consumers, group.consumers, group.count)
    return cause_notes(group) + ((who,) if who is not None else ())


def short_url(url: str | None) -> str:
    """A URL cut for reading (the full one is in the sample in anomalies.jsonl)."""
    text = url or ""
    return text if len(text) <= URL_SHOWN else text[:URL_SHOWN] + "…"


def subcode_text(row: ProposedRow) -> str:
    return "" if row.subcode is None else str(row.subcode)


def message_text(row: ProposedRow) -> str:
    """The Status Message cell: the message, then the row's note in parentheses (as the seed's table
    writes one: "n/a. The resource's representation is returned…")."""
    if not row.note:
        return row.message
    return f"{row.message} ({row.note})" if row.message else f"({row.note})"
