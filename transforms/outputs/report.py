"""`report.md` and `report.html`: the run's findings for people.

Both are rendered from the same data; everything that came from a log is escaped (Markdown cells
lose their pipes and line breaks, HTML goes through `html.escape`), and the HTML page is
self-contained: inline CSS, no script, no external asset.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from statuslens.transforms.model.groups import AnomalyGroup, GroupStats
from statuslens.transforms.outputs.proposals import ProposedRow, propose_rows

__all__ = ["render_html", "render_markdown"]

_MAX_ANOMALIES = 100
_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f6f6f6;padding:0 .2em}"
    ".num{text-align:right}.expl{color:#555}"
)


def render_markdown(
    summary: dict[str, Any], anomalies: Sequence[AnomalyGroup], flagged: Sequence[tuple[str, GroupStats]]
) -> str:
    out = ["# statuslens report", ""]
    out += [
        f"Catalog: `{_md(summary['catalog']['name'])}` (sha256 {summary['catalog']['sha256'][:12]}…), "
        f"run {summary['started_at']} → {summary['finished_at']}.",
        "",
    ]
    out += ["## Totals", "", "| | count |", "|---|---:|"]
    for label, key in (
        ("records in", "records_in"),
        ("records annotated", "records_annotated"),
        ("dead letters", "dead_letter"),
        ("blank lines", "blank_lines"),
    ):
        out.append(f"| {label} | {summary[key]} |")
    out += ["", "| verdict | count |", "|---|---:|"]
    out += [f"| {v} | {n} |" for v, n in summary["verdicts"].items()]
    out += ["", "| flag | count |", "|---|---:|"]
    out += [f"| {f} | {n} |" for f, n in summary["flags"].items()]
    damaged = [i for i in summary["inputs"] if i["damaged"]]
    if damaged:
        out += ["", "Damaged inputs:", ""]
        out += [f"- `{_md(i['path'])}`: {_md(i['damaged'])}" for i in damaged]

    out += ["", "## Anomalies, by count", ""]
    if not anomalies:
        out.append("No anomalies: every record matched the documented table.")
    for rank, group in enumerate(anomalies[:_MAX_ANOMALIES], start=1):
        k = group.key
        sub = f"/{k.sub_code}" if k.sub_code is not None else ""
        message = f' "{_md(group.message)}"' if group.message else ""
        out.append(
            f"{rank}. **{k.status_code}{sub}{message}** on `{k.method} "
            f"{_md(k.resource)}` — {k.verdict}, {_plural(group.count, 'record')}, "
            f"{_plural(group.consumers, 'consumer')}, {group.first_seen} → {group.last_seen}"
        )
        out.append(f"   - {_md(group.explanation or '')}")
        for sample in group.samples[:1]:
            out.append(f"   - example: `{_md(_short(sample.url))}` ({_md(sample.source)})")
    if len(anomalies) > _MAX_ANOMALIES:
        out.append(f"\n… and {len(anomalies) - _MAX_ANOMALIES} more groups in anomalies.jsonl.")

    out += ["", "## Flagged records", ""]
    if not flagged:
        out.append("No record was flagged.")
    for flag, stats in flagged:
        out.append(f"### {flag} ({stats.count})")
        out.append("")
        for sample in stats.records:
            out.append(
                f"- `{sample.method} {_md(_short(sample.url))}` HTTP {sample.http_status}, body code "
                f"{sample.status_code}, body {sample.body_format} ({_md(sample.source)})"
            )
        out.append("")

    out += ["", "## Proposed table rows", ""]
    rows = propose_rows(anomalies)
    if rows:
        out += [
            "Paste into the documented table:",
            "",
            "| Code | Subcode | Applies to… | Status Message |",
            "|---|---|---|---|",
        ]
        out += [f"| {r.code} | {_sub(r)} | {_md(r.applies_to)} | {_md(r.message)} |" for r in rows]
        out += [
            "",
            "Evidence: "
            + "; ".join(
                f"{r.code}{'/' + _sub(r) if _sub(r) else ''} seen {r.count} times ({', '.join(r.verdicts)})"
                for r in rows
            )
            + ".",
        ]
    else:
        out.append("Nothing to add: the table covers every response seen.")
    return "\n".join(out) + "\n"


def render_html(
    summary: dict[str, Any], anomalies: Sequence[AnomalyGroup], flagged: Sequence[tuple[str, GroupStats]]
) -> str:
    e = _html
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>statuslens report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>statuslens report</h1>",
        f"<p>Catalog <code>{e(summary['catalog']['name'])}</code>, run {e(summary['started_at'])} → "
        f"{e(summary['finished_at'])}.</p>",
        "<h2>Totals</h2><table>",
    ]
    for label, key in (
        ("records in", "records_in"),
        ("records annotated", "records_annotated"),
        ("dead letters", "dead_letter"),
        ("blank lines", "blank_lines"),
    ):
        parts.append(f"<tr><th>{label}</th><td class=num>{summary[key]}</td></tr>")
    parts.append("</table><table><tr><th>verdict</th><th>count</th></tr>")
    parts += [f"<tr><td>{e(v)}</td><td class=num>{n}</td></tr>" for v, n in summary["verdicts"].items()]
    parts.append("</table><table><tr><th>flag</th><th>count</th></tr>")
    parts += [f"<tr><td>{e(f)}</td><td class=num>{n}</td></tr>" for f, n in summary["flags"].items()]
    parts.append("</table>")
    damaged = [i for i in summary["inputs"] if i["damaged"]]
    if damaged:
        parts.append("<p>Damaged inputs:</p><ul>")
        parts += [f"<li><code>{e(i['path'])}</code>: {e(i['damaged'])}</li>" for i in damaged]
        parts.append("</ul>")

    parts.append("<h2>Anomalies, by count</h2>")
    if anomalies:
        parts.append(
            "<table><tr><th>#</th><th>count</th><th>verdict</th><th>code</th><th>subcode</th>"
            "<th>message</th><th>request</th><th>consumers</th><th>explanation and example</th></tr>"
        )
        for rank, g in enumerate(anomalies[:_MAX_ANOMALIES], start=1):
            k = g.key
            example = g.samples[0].url if g.samples else None
            parts.append(
                f"<tr><td class=num>{rank}</td><td class=num>{g.count}</td><td>{e(k.verdict)}</td>"
                f"<td>{k.status_code}</td><td>{e(k.sub_code)}</td><td>{e(g.message)}</td>"
                f"<td><code>{e(k.method)} {e(k.resource)}</code></td><td class=num>{g.consumers}</td>"
                f"<td><span class=expl>{e(g.explanation)}</span><br><code>{e(_short(example))}</code>"
                f"</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No anomalies: every record matched the documented table.</p>")

    parts.append("<h2>Flagged records</h2>")
    if not flagged:
        parts.append("<p>No record was flagged.</p>")
    for flag, stats in flagged:
        parts.append(f"<h3>{e(flag)} ({stats.count})</h3><ul>")
        parts += [
            f"<li><code>{e(s.method)} {e(_short(s.url))}</code> HTTP {s.http_status}, body code "
            f"{s.status_code}, body {e(s.body_format)} ({e(s.source)})</li>"
            for s in stats.records
        ]
        parts.append("</ul>")

    parts.append("<h2>Proposed table rows</h2>")
    rows = propose_rows(anomalies)
    if rows:
        parts.append(
            "<table><tr><th>Code</th><th>Subcode</th><th>Applies to…</th><th>Status Message</th><th>seen</th></tr>"
        )
        parts += [
            f"<tr><td>{r.code}</td><td>{e(_sub(r))}</td><td>{e(r.applies_to)}</td><td>{e(r.message)}</td>"
            f"<td class=num>{r.count}</td></tr>"
            for r in rows
        ]
        parts.append("</table>")
    else:
        parts.append("<p>Nothing to add: the table covers every response seen.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


_URL_SHOWN = 200


def _short(url: str | None) -> str:
    """A URL cut for reading (the full one is in the sample in anomalies.jsonl)."""
    text = url or ""
    return text if len(text) <= _URL_SHOWN else text[:_URL_SHOWN] + "…"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _sub(row: ProposedRow) -> str:
    return "" if row.subcode is None else str(row.subcode)


def _md(value: Any) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("<", "&lt;")


def _html(value: Any) -> str:
    return "" if value is None else html.escape(str(value), quote=True)
