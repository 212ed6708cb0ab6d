"""The style and the one small script of `report.html`, and the Content-Security-Policy that pins them.

The page works without the script: tables are complete and in anomalies.jsonl's order, charts are
SVG. The script only adds what needs it: sorting by a column header, filters (verdict, code,
resource, consumer) over the anomalies, and copy buttons for the proposed rows. It reads cells'
`textContent` and never writes markup (no `innerHTML`), so text from a log stays text. The policy
allows no request of any kind (`default-src 'none'`) and only this script, by its hash: an injected
`<script>` or `onload=` could not run even if escaping ever failed.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["CSP", "CSS", "SCRIPT"]

_VERDICT_COLOURS = ("#8fbf8f", "#d62728", "#ff7f0e", "#9467bd", "#1f77b4")  # documented first
_CODE_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")

_CARD_LABELS = {
    # report.html's tables become one card a row on a narrow screen, each cell labelled by its column.
    "anom": ("#", "count", "verdict", "code", "subcode", "message", "request", "consumers", "seen", "explanation"),
    "expected": ("count", "verdict", "code", "subcode", "message", "request", "reason"),
    "proposed": ("Code", "Subcode", "Applies to…", "Status Message", "seen", ""),
}


def _colours() -> str:
    verdicts = "".join(f".v{n}{{fill:{c};background:{c}}}" for n, c in enumerate(_VERDICT_COLOURS))
    codes = "".join(f".k{n}{{fill:{c};background:{c}}}" for n, c in enumerate(_CODE_COLOURS))
    return verdicts + codes


def _cards() -> str:
    rules = []
    for table, labels in _CARD_LABELS.items():
        rules += [
            f'.{table} td:nth-child({n})::before{{content:"{label}: "}}'
            for n, label in enumerate(labels, start=1)
            if label
        ]
    return "".join(rules)


CSS = (
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,sans-serif;margin:0 auto;padding:1em 1.5em;max-width:96em;color:#222;"
    "line-height:1.4}"
    "h2{margin-top:1.6em;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left;vertical-align:top;overflow-wrap:break-word}th{background:#f3f3f3}"
    ".anom td:nth-child(6),.anom td:nth-child(10),.expected td:nth-child(5),.expected td:nth-child(7),"
    ".proposed td:nth-child(3),.proposed td:nth-child(4){overflow-wrap:anywhere}"
    "code{background:#f6f6f6;padding:0 .2em;overflow-wrap:anywhere}"
    "li,p{overflow-wrap:anywhere}"  # a record's source is a path as long as where the logs lie
    ".num{text-align:right}.expl{color:#555}.note,.legend,figcaption{font-size:.85em;color:#555;margin:.2em 0}"
    "table.totals{display:inline-table;vertical-align:top;margin-right:1.5em}table.wide{width:100%}"
    ".anom th:nth-child(10){width:30%}.anom th:nth-child(7){width:12%}"
    "table.mini{margin:.3em 0;font-size:.9em}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,32em),1fr));gap:1em 2em}"
    "figure{margin:0;min-width:0}figure.full{grid-column:1/-1}figcaption{font-weight:600;color:#222}"
    "svg{display:block;width:100%;height:8em}figure.full svg{height:12em}td svg{height:4em}"
    "svg.bar{width:100%;min-width:3em;height:.6em}td.barcell{width:35%}"
    ".mini td{overflow-wrap:break-word}table.ids td:first-child{overflow-wrap:anywhere}"
    ".legend span{display:inline-block;margin-right:1em}"
    ".legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-.05em}"
    ".burst{fill:#fbe3c0;background:#fbe3c0}.limit{fill:#c00;background:#c00}.track{fill:#eee}"
    ".hit{fill:transparent}.hit:hover{fill:rgba(0,0,0,.08)}"
    "details summary{cursor:pointer;color:#0645ad}details[open]{min-width:12em}"
    ".filters{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end;margin:.5em 0}"
    ".filters label{display:flex;flex-direction:column;font-size:.85em}.filters input{width:11em}"
    "th.sort{cursor:pointer}th.sort::after{content:' \\2195';color:#999}"
    "th[aria-sort=ascending]::after{content:' \\2191'}th[aria-sort=descending]::after{content:' \\2193'}"
    "button{font:inherit;font-size:.85em;cursor:pointer}"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5em}"
    ".offscreen{position:fixed;top:0;left:0;width:1px;height:1px;opacity:0}"
    + _colours()
    + "@media (max-width:48em){body{padding:.5em .8em}"
    "table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}"
    "table.cards tr:first-child{display:none}table.cards tr{border:1px solid #ccc;margin:.6em 0}"
    "table.cards td{overflow-wrap:anywhere;border:0;padding:.15em .6em;text-align:left}"
    "table.cards td::before{font-weight:600;color:#555}"
    "table.cards td:empty{display:none}" + _cards() + "}"
)

SCRIPT = """(function () {
"use strict";
function text(row, i) { return row.cells[i] ? row.cells[i].textContent.trim() : ""; }
function each(list, fn) { Array.prototype.forEach.call(list, fn); }
function sortable(table) {
  each(table.rows[0].cells, function (th, i) {
    if (!th.textContent.trim()) return;
    th.className += " sort"; th.tabIndex = 0; th.title = "sort by " + th.textContent;
    function go() { sortBy(table, th, i); }
    th.addEventListener("click", go);
    th.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); }
    });
  });
}
function sortBy(table, th, i) {
  var rows = Array.prototype.slice.call(table.rows, 1);
  var numeric = rows.every(function (r) { var t = text(r, i); return t === "" || isFinite(parseFloat(t)); });
  var current = th.getAttribute("aria-sort");
  var descending = current ? current === "ascending" : numeric;
  each(table.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  rows.sort(function (a, b) {
    var x = text(a, i), y = text(b, i);
    var d = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
    return descending ? -d : d;
  });
  each(rows, function (r) { r.parentNode.appendChild(r); });
}
function field(form, label, control) {
  var l = document.createElement("label"); l.textContent = label; l.appendChild(control); form.appendChild(l);
  return control;
}
function filters(table) {
  var rows = Array.prototype.slice.call(table.rows, 1);
  var form = document.createElement("form"); form.className = "filters"; form.setAttribute("role", "search");
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  var verdict = field(form, "verdict", document.createElement("select"));
  var seen = {};
  [""].concat(rows.map(function (r) { return text(r, 2); })).forEach(function (v) {
    if (seen[v]) return; seen[v] = true;
    var o = document.createElement("option"); o.value = v; o.textContent = v || "any"; verdict.appendChild(o);
  });
  var inputs = [["code", 3], ["resource", 6], ["consumer", 7]].map(function (f) {
    var input = field(form, f[0], document.createElement("input")); input.type = "search"; input.name = f[0];
    return [input, f[1]];
  });
  var shown = document.createElement("output"); form.appendChild(shown);
  function apply() {
    var n = 0;
    rows.forEach(function (r) {
      var ok = !verdict.value || text(r, 2) === verdict.value;
      inputs.forEach(function (f) {
        var q = f[0].value.trim().toLowerCase();
        ok = ok && (!q || text(r, f[1]).toLowerCase().indexOf(q) >= 0);
      });
      r.hidden = !ok; if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " groups shown";
  }
  form.addEventListener("input", apply); verdict.addEventListener("change", apply);
  table.parentNode.insertBefore(form, table); apply();
}
function copy(value, button, label) {
  function done() { button.textContent = "copied"; setTimeout(function () { button.textContent = label; }, 1500); }
  function fallback() {
    var area = document.createElement("textarea"); area.value = value; area.className = "offscreen";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } catch (err) { /* nothing more to try: the text is on the page */ }
    document.body.removeChild(area); done();
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(value).then(done, fallback);
  } else { fallback(); }
}
function button(label, value) {
  var b = document.createElement("button"); b.type = "button"; b.textContent = label;
  b.addEventListener("click", function () { copy(value(), b, label); }); return b;
}
function copyButtons(table) {
  var source = document.getElementById("proposed-md");
  if (!source) return;
  var lines = source.textContent.split("\\n");
  each(table.rows, function (row, n) {
    var cell = document.createElement(n ? "td" : "th"); row.appendChild(cell);
    if (n) cell.appendChild(button("copy", function () { return lines[n + 1]; }));
  });
  table.parentNode.insertBefore(button("copy all rows", function () { return source.textContent; }), table);
}
document.addEventListener("DOMContentLoaded", function () {
  each(document.querySelectorAll("table.sortable"), sortable);
  var anomalies = document.getElementById("anomalies"); if (anomalies) filters(anomalies);
  each(document.querySelectorAll("table.proposed"), copyButtons);
});
})();"""

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()}'"
)
