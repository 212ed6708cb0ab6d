"""The report's charts as inline SVG drawn here, from the report model (report_charts.py).

No script and no library: a chart is a few `<path>`s (one per series, bars as `M x y h w V base h -w Z`),
so it draws without JavaScript, prints, needs no licence, and costs about 3 KB for 120 bars. Text
(axes, legends, captions) is HTML around the SVG, so it stays readable when the chart is scaled to a
phone's width; each bar of the run's timeline has a `<title>` (the browser's tooltip). Every text
from a log goes through the page's one escaper, passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from statuslens.transforms.model.causes import ConsumerShare
from statuslens.transforms.outputs.report_charts import ANOMALOUS, Charts, GroupChart, Series

__all__ = ["codes_chart", "consumers_chart", "group_timeline", "share_bar", "timeline_chart", "verdict_class"]

Escape = Callable[[object], str]
_W = 600  # viewBox width; the SVG scales to the page's
_STRIP = 8  # the rate-limit strip under the bars


def verdict_class(verdict: str) -> str:
    """The CSS class that colours a verdict (`v0` documented … `v4` out_of_scope)."""
    return f"v{(('documented', *ANOMALOUS)).index(verdict)}" if verdict in ("documented", *ANOMALOUS) else "v0"


def timeline_chart(charts: Charts, e: Escape) -> str:
    """Anomalous records per bucket, stacked by verdict; burst episodes shaded behind the bars, records
    over the rate limit as a red strip under them."""
    series = tuple((name, counts) for name, counts in charts.verdicts if name in ANOMALOUS)
    totals = _column_totals(series, charts.buckets)
    if not any(totals):
        return "<p>No anomalous record in this run.</p>"
    height = 160
    titles = [
        f"{_stamp(charts.bucket_ms(i))}: {totals[i]} anomalous"
        + "".join(f", {name} {counts[i]}" for name, counts in series if counts[i])
        + (f", {charts.over_limit[i]} over the rate limit" if charts.over_limit[i] else "")
        + (", in a burst" if charts.bursts[i] else "")
        for i in range(charts.buckets)
    ]
    classes = [verdict_class(n) for n, _ in series]
    svg = _bars(series, classes, charts.buckets, height, charts.bursts, charts.over_limit, titles, e)
    legend = [(verdict_class(n), n) for n, _ in series]
    if any(charts.bursts):
        legend.append(("burst", "burst episode"))
    if any(charts.over_limit):
        legend.append(("limit", "records over the rate limit"))
    label = "Anomalous records over time, by verdict"
    return _figure(svg, label, _caption(charts, max(totals)), legend, e, "full")


def codes_chart(charts: Charts, e: Escape) -> str:
    """Every annotated record per bucket, as shares of the most frequent effective codes (100% bars)."""
    totals = _column_totals(charts.codes, charts.buckets)
    height = 110
    shares = tuple(
        (name, tuple(round(1000 * c / t) if t else 0 for c, t in zip(counts, totals, strict=True)))
        for name, counts in charts.codes
    )
    titles = [
        f"{_stamp(charts.bucket_ms(i))}: {totals[i]} records"
        + "".join(f", {name} {counts[i]}" for name, counts in charts.codes if counts[i])
        for i in range(charts.buckets)
    ]
    classes = [f"k{n}" for n in range(len(shares))]
    svg = _bars(shares, classes, charts.buckets, height, None, None, titles, e, peak=1000)
    legend = list(zip(classes, (name for name, _ in charts.codes), strict=True))
    return _figure(svg, "Status codes over time, share of records", _caption(charts, max(totals)), legend, e)


def group_timeline(chart: GroupChart, charts: Charts, e: Escape) -> str:
    """One group's records per bucket of the run's timeline (the same x axis), bursts and limit marked."""
    height = 60
    svg = _bars((("records", chart.counts),), ["v3"], charts.buckets, height, chart.bursts, chart.over_limit, None, e)
    return f"{svg}<p class=note>{e(_caption(charts, max(chart.counts)))}</p>"


def consumers_chart(top: Sequence[ConsumerShare], e: Escape) -> str:
    """A group's top consumers: id, records, share and a bar of the share."""
    rows = "".join(
        f"<tr><td>{e(c.consumer)}</td><td class=num>{c.records}</td><td class=num>{c.share:.0%}</td>"
        f"<td class=barcell>{share_bar(c.share, 'v4')}</td></tr>"
        for c in top
    )
    return f"<table class='mini ids'><tr><th>consumer</th><th>records</th><th>share</th><th></th></tr>{rows}</table>"


def share_bar(share: float, css: str) -> str:
    """A horizontal bar of `share` (0..1) of its cell's width."""
    width = _n(100 * max(0.0, min(1.0, share)))
    return (
        f'<svg class=bar viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">'
        f'<rect class=track width="100" height="6"/><rect class={css} width="{width}" height="6"/></svg>'
    )


def _bars(
    series: Series,
    classes: Sequence[str],
    buckets: int,
    height: int,
    bursts: Sequence[bool] | None,
    over_limit: Sequence[int] | None,
    titles: Sequence[str] | None,
    e: Escape,
    peak: int | None = None,
) -> str:
    """Stacked bars: one path per series, then the shading, the strip and the tooltips."""
    strip = _STRIP + 2 if over_limit is not None and any(over_limit) else 0
    plot = height - strip
    step = _W / buckets
    gap = step * 0.12 if step > 3 else 0
    totals = _column_totals(series, buckets)
    top = peak or max(totals) or 1
    parts = [f'<svg viewBox="0 0 {_W} {height}" role="img" preserveAspectRatio="none">']
    if bursts is not None:
        parts += [
            f'<rect class=burst x="{_n(first * step)}" y="0" width="{_n((last - first + 1) * step)}" height="{plot}"/>'
            for first, last in _runs(bursts)
        ]
    base = [float(plot)] * buckets
    for (_, counts), css in zip(series, classes, strict=True):
        d = []
        for i, count in enumerate(counts):
            if count <= 0:
                continue
            h = max(plot * count / top, 1.0)
            y = base[i] - h
            d.append(f"M{_n(i * step + gap / 2)} {_n(y)}h{_n(step - gap)}V{_n(base[i])}h-{_n(step - gap)}Z")
            base[i] = y
        if d:
            parts.append(f'<path class={css} d="{"".join(d)}"/>')
    if over_limit is not None and strip and titles is None:  # a group's chart: one path, no shades
        strips = "".join(
            f"M{_n(a * step)} {height - _STRIP}h{_n((b - a + 1) * step)}v{_STRIP}h-{_n((b - a + 1) * step)}Z"
            for a, b in _runs([n > 0 for n in over_limit])
        )
        parts.append(f'<path class=limit d="{strips}"/>')
    elif over_limit is not None and strip:
        most = max(over_limit)
        parts += [
            f'<rect class=limit x="{_n(i * step)}" y="{height - _STRIP}" width="{_n(step)}" height="{_STRIP}" '
            f'fill-opacity="{_n(0.35 + 0.65 * n / most)}"/>'
            for i, n in enumerate(over_limit)
            if n
        ]
    if titles is not None:
        parts += [
            f'<rect class=hit x="{_n(i * step)}" y="0" width="{_n(step)}" height="{height}">'
            f"<title>{e(t)}</title></rect>"
            for i, t in enumerate(titles)
        ]
    parts.append("</svg>")
    return "".join(parts)


def _figure(svg: str, label: str, caption: str, legend: Sequence[tuple[str, str]], e: Escape, css: str = "") -> str:
    keys = "".join(f"<span><i class={css}></i>{e(name)}</span>" for css, name in legend)
    labelled = svg.replace('role="img"', f'role="img" aria-label="{e(label)}"', 1)
    return (
        f"<figure{' class=' + css if css else ''}><figcaption>{e(label)}</figcaption>{labelled}"
        f"<p class=note>{e(caption)}</p><p class=legend>{keys}</p></figure>"
    )


def _caption(charts: Charts, tallest: int) -> str:
    start, end = charts.bucket_ms(0), charts.bucket_ms(charts.buckets)
    return f"{_stamp(start)} → {_stamp(end)} UTC, one bar per {_width(charts.width_ms)}, tallest bar {tallest}"


def _width(ms: int) -> str:
    for unit, size in (("day", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000)):
        if ms % size == 0:
            n = ms // size
            return f"{n} {unit}" + ("s" if unit == "day" and n != 1 else "")
    return f"{ms} ms"


def _stamp(ms: int) -> str:
    """`2009-12-10 21:40:10` (seconds only when not :00)."""
    stamp = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return f"{stamp:%Y-%m-%d %H:%M}" + (f":{stamp:%S}" if stamp.second else "")


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """(first, last) of each run of true flags."""
    runs: list[tuple[int, int]] = []
    for i, on in enumerate(flags):
        if on:
            if runs and runs[-1][1] == i - 1:
                runs[-1] = (runs[-1][0], i)
            else:
                runs.append((i, i))
    return runs


def _column_totals(series: Series, buckets: int) -> list[int]:
    return [sum(counts[i] for _, counts in series) for i in range(buckets)]


def _n(x: float) -> str:
    """A coordinate with at most 2 decimals, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text or "0"
