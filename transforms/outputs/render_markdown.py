"""`report.md`: the report model as Markdown.

Text from logs goes through one escaper, `escape`: a cell or list item keeps to one line and cannot
break its table (pipes escaped), its code span (backticks replaced) or turn into HTML (`<` escaped),
and control characters are shown escaped. Every field that comes from a record (codes, sub-codes,
methods too: a JSON `sub_code` may be any text) goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statuslens.transforms.model.times import format_time
from statuslens.transforms.outputs.printable import one_line
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.report_charts import ANOMALOUS, Charts
from statuslens.transforms.outputs.report_model import (
    Anomalies,
    CountTable,
    DamagedInputs,
    ExpectedGroups,
    FlaggedRecords,
    GroupList,
    Header,
    ProposedRows,
    Report,
    Section,
    Totals,
    cause_notes,
    group_line,
    group_notes,
    message_text,
    short_url,
    subcode_text,
)

__all__ = ["escape", "proposed_table", "render_markdown"]


def render_markdown(report: Report) -> str:
    lines = ["# statuslens report"]
    for section in report.sections:
        lines += _section(section)
    for extra in report.appendix:
        lines += _group_list(extra)
    return "\n".join(lines) + "\n"


def escape(value: Any) -> str:
    """One line of Markdown-safe text: whitespace runs (line breaks too) become one space."""
    text = one_line(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("<", "&lt;")


def _section(section: Section) -> list[str]:
    """The section's lines, each section after the title starting with a blank line."""
    if isinstance(section, Header):
        return [
            "",
            f"Catalog: `{escape(section.catalog_name)}` (sha256 {section.catalog_sha256[:12]}…), "
            f"run {section.started_at} → {section.finished_at}.",
        ]
    if isinstance(section, Totals):
        lines = ["", f"## {section.title}"]
        for table in section.tables:
            lines += _count_table(table)
        return lines
    if isinstance(section, Charts):
        return _over_time(section)
    if isinstance(section, DamagedInputs):
        return ["", section.intro, "", *(f"- `{escape(path)}`: {escape(damage)}" for path, damage in section.inputs)]
    if isinstance(section, Anomalies):
        return _anomalies(section)
    if isinstance(section, ExpectedGroups):
        return _expected(section)
    if isinstance(section, FlaggedRecords):
        return _flagged(section)
    return _proposed(section)  # the last kind: mypy says so when a new one is added


def _over_time(section: Charts) -> list[str]:
    """The run over time as a table (report.html draws it): one row per period with records, at most
    TABLE_ROWS periods, then the share of each frequent status code."""
    table = section.table or section
    anomalous = [(name, counts) for name, counts in table.verdicts if name in ANOMALOUS]
    lines = [
        "",
        f"## {section.title}",
        "",
        f"Records per {_period(table.width_ms)} (UTC; periods without records left out):",
        "",
        "| from | records | " + " | ".join(name for name, _ in anomalous) + " | over the rate limit | burst |",
        "|---|---:|" + "---:|" * len(anomalous) + "---:|---|",
    ]
    for i in range(table.buckets):
        records = sum(counts[i] for _, counts in table.verdicts)
        if not records:
            continue
        cells = " | ".join(str(counts[i]) for _, counts in anomalous)
        burst = "yes" if table.bursts[i] else ""
        lines.append(f"| {_stamp(table.bucket_ms(i))} | {records} | {cells} | {table.over_limit[i]} | {burst} |")
    everything = sum(sum(counts) for _, counts in table.codes) or 1
    codes = ", ".join(f"{escape(name)} {sum(counts) / everything:.1%}" for name, counts in table.codes)
    return [*lines, "", f"Status codes: {codes}."]


def _period(ms: int) -> str:
    for unit, size in (("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000), ("second", 1000)):
        if ms % size == 0:
            n = ms // size
            return unit if n == 1 else f"{n} {unit}s"
    return f"{ms} ms"


def _stamp(ms: int) -> str:
    return format_time(ms)[:19].replace("T", " ")


def _count_table(table: CountTable) -> list[str]:
    head = f"| {table.column} | count |" if table.column else "| | count |"
    return ["", head, "|---|---:|", *(f"| {escape(name)} | {count} |" for name, count in table.rows)]


def _anomalies(section: Anomalies) -> list[str]:
    lines = ["", f"## {section.title}", ""]
    if not section.groups:
        lines.append(section.empty)
    for rank, group in enumerate(section.groups, start=1):
        key = group.key
        sub = f"/{escape(key.sub_code)}" if key.sub_code is not None else ""
        message = f' "{escape(group.message)}"' if group.message else ""
        lines.append(
            f"{rank}. **{escape(key.status_code)}{sub}{message}** on `{escape(key.method)} {escape(key.resource)}` — "
            f"{escape(key.verdict)}, "
            f"{_plural(group.count, 'record')}, {_plural(group.consumers, 'consumer')}, "
            f"{group.first_seen} → {group.last_seen}"
        )
        lines.append(f"   - {escape(group.explanation)}")
        lines += [f"   - {escape(note)}" for note in group_notes(group)]
        for sample in group.samples[:1]:
            lines.append(f"   - example: `{escape(short_url(sample.url))}` ({escape(sample.source)})")
    if section.more:
        lines += ["", f"… and {section.more} more groups in anomalies.jsonl."]
    return lines


def _expected(section: ExpectedGroups) -> list[str]:
    """One item per expected group: what it is, then the reason the --expect file gives."""
    lines = ["", f"## {section.title}", ""]
    if not section.groups:
        return [*lines, section.empty]
    lines += [section.intro, ""]
    for group, reason in section.groups:
        lines.append(f"- {escape(group_line(group))}")
        lines.append(f"  - expected: {escape(reason)}")
    return [*lines, *_more(section.more, "expected groups in anomalies.jsonl")]


def _flagged(section: FlaggedRecords) -> list[str]:
    lines = ["", f"## {section.title}", ""]
    if not section.flags:
        lines.append(section.empty)
    for flag in section.flags:
        lines += [f"### {escape(flag.flag)} ({flag.count})", ""]
        lines += [
            f"- `{escape(s.method)} {escape(short_url(s.url))}` HTTP {escape(s.http_status)}, "
            f"body code {escape(s.status_code)}, body {escape(s.body_format)} ({escape(s.source)})"
            for s in flag.samples
        ]
        lines.append("")
    return lines


def _proposed(section: ProposedRows) -> list[str]:
    lines = ["", f"## {section.title}", ""]
    rows = section.rows
    if not rows:
        return [*lines, section.empty]
    lines += [section.intro, "", *proposed_table(rows)]
    evidence = "; ".join(
        f"{escape(r.code)}{'/' + escape(subcode_text(r)) if subcode_text(r) else ''} seen {_plural(r.count, 'time')} "
        f"({escape(', '.join(r.verdicts))})"
        for r in rows
    )
    return [*lines, "", f"Evidence: {evidence}.", *_more(section.more, "rows, from the groups in anomalies.jsonl")]


def proposed_table(rows: Iterable[ProposedRow]) -> list[str]:
    """The proposed rows as a Markdown table in the seed table's columns (report.html copies these lines)."""
    return [
        "| Code | Subcode | Applies to… | Status Message |",
        "|---|---|---|---|",
        *(
            f"| {escape(r.code)} | {escape(subcode_text(r))} | {escape(r.applies_to)} | {escape(message_text(r))} |"
            for r in rows
        ),
    ]


def _group_list(section: GroupList) -> list[str]:
    """One item per group, its causes (when it has any) as items nested under it."""
    lines = ["", f"## {escape(section.title)}", ""]
    if not section.groups:
        return [*lines, f"- {escape(section.empty)}"]
    for group in section.groups:
        lines.append(f"- {escape(group_line(group))}")
        lines += [f"  - {escape(note)}" for note in cause_notes(group)]
    return [*lines, *_more(section.more, "groups in the JSON lines file")]


def _more(count: int, what: str) -> list[str]:
    """The line that closes a capped list (report_model.MAX_LISTED): nothing when nothing was left out."""
    return ["", f"… and {count} more {what}."] if count else []


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
