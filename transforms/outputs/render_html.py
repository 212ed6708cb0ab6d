"""`report.html`: the report model as one self-contained page: inline CSS, inline SVG charts
(html_charts.py), one small inline script for sorting, filtering and copying (html_assets.py), no
external asset and no request of any kind (its Content-Security-Policy says so to the browser).

Text from logs goes through one escaper, `escape` (`html.escape`, quotes included, control characters
shown escaped), in cells, attributes, tooltips and the Markdown copy of the proposed rows alike.
Tables stay tables (sortable, and one card a row on a narrow screen by CSS alone); long URLs and
messages wrap anywhere, so nothing is wider than the window.
"""

from __future__ import annotations

import html
from typing import Any

from statuslens.transforms.model.groups import AnomalyGroup
from statuslens.transforms.outputs.html_assets import CSP, CSS, SCRIPT
from statuslens.transforms.outputs.html_charts import (
    codes_chart,
    consumers_chart,
    group_timeline,
    share_bar,
    timeline_chart,
    verdict_class,
)
from statuslens.transforms.outputs.printable import show_controls
from statuslens.transforms.outputs.render_markdown import proposed_table
from statuslens.transforms.outputs.report_charts import Charts, group_chart
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

__all__ = ["escape", "render_html"]

_HEAD = (
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>statuslens report</title>",
    f"<style>{CSS}</style>",
    f"<script id=report-script>{SCRIPT}</script></head><body>",
    "<h1>statuslens report</h1>",
)


def render_html(report: Report) -> str:
    lines = list(_HEAD)
    charts = next((s for s in report.sections if isinstance(s, Charts)), None)
    for section in report.sections:
        lines += _section(section, charts)
    # The appendix shares the closing line (where cron's section has always been).
    lines.append("".join(_group_list(extra) for extra in report.appendix) + "</body></html>")
    return "\n".join(lines) + "\n"


def escape(value: Any) -> str:
    return "" if value is None else html.escape(show_controls(str(value), multiline=True), quote=True)


def _section(section: Section, charts: Charts | None) -> list[str]:
    e = escape
    if isinstance(section, Header):
        return [
            f"<p>Catalog <code>{e(section.catalog_name)}</code>, run {e(section.started_at)} → "
            f"{e(section.finished_at)}.</p>"
        ]
    if isinstance(section, Totals):
        return _totals(section)
    if isinstance(section, Charts):
        return _charts(section)
    if isinstance(section, DamagedInputs):
        items = [f"<li><code>{e(path)}</code>: {e(damage)}</li>" for path, damage in section.inputs]
        return [f"<p>{section.intro}</p><ul>", *items, "</ul>"]
    if isinstance(section, Anomalies):
        return _anomalies(section, charts)
    if isinstance(section, ExpectedGroups):
        return _expected(section)
    if isinstance(section, FlaggedRecords):
        return _flagged(section)
    return _proposed(section)  # the last kind: mypy says so when a new one is added


def _totals(section: Totals) -> list[str]:
    """The totals tables under one heading, each closing on the line that opens the next."""
    lines = []
    opening = f"<h2>{section.title}</h2>"
    for table in section.tables:
        lines.append(opening + "<table class=totals>" + _count_head(table))
        lines += [_count_row(table, name, count) for name, count in table.rows]
        opening = "</table>"
    lines.append("</table>")
    return lines


def _count_head(table: CountTable) -> str:
    return f"<tr><th>{escape(table.column)}</th><th>count</th></tr>" if table.column else ""


def _count_row(table: CountTable, name: str, count: int) -> str:
    cell = "td" if table.column else "th"  # the totals' names are row headers
    return f"<tr><{cell}>{escape(name)}</{cell}><td class=num>{count}</td></tr>"


def _charts(section: Charts) -> list[str]:
    """The run over time (anomalies by verdict, status codes) and the verdict breakdown."""
    totals = [(name, sum(counts)) for name, counts in section.verdicts]
    records = sum(n for _, n in totals) or 1
    breakdown = "".join(
        f"<tr><td>{escape(name).replace('_', '_<wbr>')}</td><td class=num>{n}</td><td class=num>{n / records:.1%}</td>"
        f"<td class=barcell>{share_bar(n / records, verdict_class(name))}</td></tr>"
        for name, n in totals
    )
    return [
        f"<h2>{section.title}</h2><div class=charts>",
        timeline_chart(section, escape),
        codes_chart(section, escape),
        "<figure><figcaption>Verdicts</figcaption><table class=mini><tr><th>verdict</th><th>records</th>"
        f"<th>share</th><th></th></tr>{breakdown}</table></figure>",
        "</div>",
    ]


def _anomalies(section: Anomalies, charts: Charts | None) -> list[str]:
    """The ranked groups: sortable and filterable with the script, complete without it."""
    e = escape
    if not section.groups:
        return [f"<h2>{section.title}</h2>", f"<p>{section.empty}</p>"]
    lines = [
        f"<h2>{section.title}</h2>",
        "<table id=anomalies class='wide sortable cards anom'><tr><th>#</th><th>count</th><th>verdict</th>"
        "<th>code</th><th>subcode</th><th>message</th><th>request</th><th>consumers</th><th>seen</th>"
        "<th>explanation and example</th></tr>",
    ]
    for rank, g in enumerate(section.groups, start=1):
        key = g.key
        url = g.samples[0].url if g.samples else None
        lines.append(
            f"<tr><td class=num>{rank}</td><td class=num>{g.count}</td><td>{e(key.verdict)}</td>"
            f"<td>{e(key.status_code)}</td><td>{e(key.sub_code)}</td><td>{e(g.message)}</td>"
            f"<td><code>{e(key.method)} {e(key.resource)}</code></td><td class=num>{g.consumers}{_top(g)}</td>"
            f"<td>{_seen(g, charts)}</td>"
            f"<td><span class=expl>{e(g.explanation)}</span>{_notes(g)}<br><code>{e(short_url(url))}</code></td></tr>"
        )
    lines.append("</table>")
    return [*lines, *_more(section.more, "groups in anomalies.jsonl")]


def _top(group: AnomalyGroup) -> str:
    """The group's top consumers, on demand (a `<details>`: no script needed)."""
    if not group.top_consumers:
        return ""
    return f"<details><summary>top</summary>{consumers_chart(group.top_consumers, escape)}</details>"


def _seen(group: AnomalyGroup, charts: Charts | None) -> str:
    """First and last seen, then the group's own timeline on demand."""
    first, last = (escape((t or "").replace("T", " ")) for t in (group.first_seen, group.last_seen))
    text = first if first == last else f"{first} →<br>{last}"
    if charts is None or not group.timeline:
        return text
    chart = group_timeline(group_chart(charts, group), charts, escape)
    return f"{text}<details><summary>over time</summary>{chart}</details>"


def _expected(section: ExpectedGroups) -> list[str]:
    """A table of the expected groups, the reason the --expect file gives in the last column."""
    e = escape
    if not section.groups:
        return [f"<h2>{section.title}</h2>", f"<p>{section.empty}</p>"]
    lines = [
        f"<h2>{section.title}</h2>",
        f"<p>{e(section.intro)}</p>",
        "<table class='wide sortable cards expected'><tr><th>count</th><th>verdict</th><th>code</th>"
        "<th>subcode</th><th>message</th>"
        "<th>request</th><th>reason</th></tr>",
    ]
    for g, reason in section.groups:
        key = g.key
        lines.append(
            f"<tr><td class=num>{g.count}</td><td>{e(key.verdict)}</td><td>{e(key.status_code)}</td>"
            f"<td>{e(key.sub_code)}</td><td>{e(g.message)}</td><td><code>{e(key.method)} {e(key.resource)}</code></td>"
            f"<td>{e(reason)}</td></tr>"
        )
    lines.append("</table>")
    return [*lines, *_more(section.more, "expected groups in anomalies.jsonl")]


def _flagged(section: FlaggedRecords) -> list[str]:
    e = escape
    lines = [f"<h2>{section.title}</h2>"]
    if not section.flags:
        lines.append(f"<p>{section.empty}</p>")
    for flag in section.flags:
        lines.append(f"<h3>{e(flag.flag)} ({flag.count})</h3><ul>")
        lines += [
            f"<li><code>{e(s.method)} {e(short_url(s.url))}</code> HTTP {s.http_status}, body code "
            f"{e(s.status_code)}, body {e(s.body_format)} ({e(s.source)})</li>"
            for s in flag.samples
        ]
        lines.append("</ul>")
    return lines


def _proposed(section: ProposedRows) -> list[str]:
    """The rows in the table's own columns, a copy button each (script), and the same rows as Markdown
    to copy by hand."""
    e = escape
    if not section.rows:
        return [f"<h2>{section.title}</h2>", f"<p>{section.empty}</p>"]
    return [
        f"<h2>{section.title}</h2>",
        f"<p>{e(section.intro)}</p>",
        "<table class='wide proposed cards'><tr><th>Code</th><th>Subcode</th><th>Applies to…</th>"
        "<th>Status Message</th><th>seen</th></tr>",
        *(
            f"<tr><td>{e(r.code)}</td><td>{e(subcode_text(r))}</td><td>{e(r.applies_to)}</td><td>{e(message_text(r))}</td>"
            f"<td class=num>{r.count}</td></tr>"
            for r in section.rows
        ),
        "</table>",
        "<details><summary>as Markdown</summary><pre id=proposed-md>"
        + e("\n".join(proposed_table(section.rows)))
        + "</pre></details>",
        *_more(section.more, "rows, from the groups in anomalies.jsonl"),
    ]


def _notes(group: AnomalyGroup) -> str:
    """The group's causes and who sent it, a line each after the explanation ("" when none is known)."""
    return "".join(f"<br>{escape(note)}" for note in group_notes(group))


def _group_list(section: GroupList) -> str:
    """One item per group, its causes (when it has any) as a list nested in the item."""
    items = [escape(section.empty)] if not section.groups else [_group_item(g) for g in section.groups]
    more = "".join(_more(section.more, "groups in the JSON lines file"))
    return f"<h2>{escape(section.title)}</h2><ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" + more


def _more(count: int, what: str) -> list[str]:
    """The paragraph that closes a capped list (report_model.MAX_LISTED): none when nothing was left out."""
    return [f"<p>… and {count} more {what}.</p>"] if count else []


def _group_item(group: AnomalyGroup) -> str:
    notes = cause_notes(group)
    nested = "<ul>" + "".join(f"<li>{escape(note)}</li>" for note in notes) + "</ul>" if notes else ""
    return escape(group_line(group)) + nested
