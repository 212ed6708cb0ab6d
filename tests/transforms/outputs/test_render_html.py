"""report.html: the report model as one self-contained page, byte for byte, with log text escaped."""

from __future__ import annotations

from statuslens.transforms.model.causes import ConsumerShare
from statuslens.transforms.outputs.proposals import ProposedRow
from statuslens.transforms.outputs.render_html import escape, render_html
from statuslens.transforms.outputs.report_model import build_report, new_groups_section
from tests.transforms.outputs.report_samples import (
    BURST,
    RATE,
    RECORD,
    RETRIED,
    empty_report,
    explained,
    full_report,
    group,
    record,
    summary,
)

HEAD = [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    "<title>statuslens report</title>",
    "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f6f6f6;padding:0 .2em}"
    ".num{text-align:right}.expl{color:#555}</style></head><body>",
    "<h1>statuslens report</h1>",
]
FULL = [
    *HEAD,
    "<p>Catalog <code>gracenote-v1</code>, run 2026-12-02T00:00:00.000Z → 2026-12-02T00:00:01.500Z.</p>",
    "<h2>Totals</h2><table>",
    "<tr><th>records in</th><td class=num>10</td></tr>",
    "<tr><th>records annotated</th><td class=num>9</td></tr>",
    "<tr><th>dead letters</th><td class=num>1</td></tr>",
    "<tr><th>blank lines</th><td class=num>0</td></tr>",
    "</table><table><tr><th>verdict</th><th>count</th></tr>",
    "<tr><td>documented</td><td class=num>6</td></tr>",
    "<tr><td>undocumented_code</td><td class=num>0</td></tr>",
    "<tr><td>undocumented_subcode</td><td class=num>3</td></tr>",
    "<tr><td>undocumented_message</td><td class=num>0</td></tr>",
    "<tr><td>out_of_scope</td><td class=num>0</td></tr>",
    "</table><table><tr><th>flag</th><th>count</th></tr>",
    "<tr><td>body_unparseable</td><td class=num>1</td></tr>",
    "<tr><td>http_status_mismatch</td><td class=num>0</td></tr>",
    "</table>",
    "<p>Damaged inputs:</p><ul>",
    "<li><code>logs/cut.log.gz</code>: truncated gzip stream</li>",
    "</ul>",
    "<h2>Anomalies, by count</h2>",
    "<table><tr><th>#</th><th>count</th><th>verdict</th><th>code</th><th>subcode</th><th>message</th>"
    "<th>request</th><th>consumers</th><th>explanation and example</th></tr>",
    "<tr><td class=num>1</td><td class=num>3</td><td>undocumented_subcode</td><td>412</td><td>710</td>"
    "<td>Title already in queue</td><td><code>POST users/{user_token}/queues/instant</code></td>"
    "<td class=num>2</td><td><span class=expl>412 is documented with subcodes 1, 2.</span><br>"
    "<code>/users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED</code></td></tr>",
    "<tr><td class=num>2</td><td class=num>1</td><td>undocumented_code</td><td>418</td><td></td><td></td>"
    "<td><code>GET catalog/people</code></td><td class=num>0</td><td><span class=expl>418 is not in the table."
    "</span><br><code>/catalog/people/1</code></td></tr>",
    "</table>",
    "<h2>Flagged records</h2>",
    "<h3>body_unparseable (1)</h3><ul>",
    "<li><code>POST /users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED</code> HTTP 412, body code 412, "
    "body invalid (logs/api.jsonl:4)</li>",
    "</ul>",
    "<h2>Proposed table rows</h2>",
    "<table><tr><th>Code</th><th>Subcode</th><th>Applies to…</th><th>Status Message</th><th>seen</th></tr>",
    "<tr><td>412</td><td>710</td><td>POSTs to users/{user_token}/queues/instant</td><td>Title already in queue</td>"
    "<td class=num>3</td></tr>",
    "<tr><td>418</td><td></td><td>catalog/people</td><td></td><td class=num>1</td></tr>",
    "</table>",
    "</body></html>",
]


def test_every_section_renders_in_order_byte_for_byte() -> None:
    assert render_html(full_report()) == "\n".join(FULL) + "\n"


def test_empty_sections_say_so_in_a_sentence() -> None:
    page = render_html(empty_report())
    assert "<h2>Anomalies, by count</h2>\n<p>No anomalies: every record matched the documented table.</p>\n" in page
    assert "<h2>Flagged records</h2>\n<p>No record was flagged.</p>\n" in page
    assert page.endswith(
        "<h2>Proposed table rows</h2>\n<p>Nothing to add: the table covers every response seen.</p>\n</body></html>\n"
    )
    assert "Damaged inputs" not in page


def test_escape_is_html_escape_with_quotes() -> None:
    assert escape('<script>alert("x")</script>') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert escape("a & 'b'") == "a &amp; &#x27;b&#x27;"
    assert escape(None) == "" and escape(710) == "710"


def test_log_text_never_becomes_markup() -> None:
    hostile = record(
        message="<img src=x onerror=alert(2)>",
        url="/a<script>alert(1)</script>|b",
        resource="x<b>",
        sub_code="<i>",
        source="a<b>.log:1",
    )
    page = render_html(build_report(summary(damaged="<gzip>"), [group(hostile, explanation="<u>")], [], []))
    assert "<script>" not in page and "<img" not in page
    for raw in ("<b>", "<i>", "<u>", "<gzip>"):
        assert raw not in page
    assert "<td>&lt;i&gt;</td><td>&lt;img src=x onerror=alert(2)&gt;</td><td><code>POST x&lt;b&gt;</code>" in page
    assert "<code>/a&lt;script&gt;alert(1)&lt;/script&gt;|b</code>" in page
    assert "<li><code>logs/cut.log.gz</code>: &lt;gzip&gt;</li>" in page


def test_beyond_100_groups_the_table_stops_at_100() -> None:
    groups = [group(record(resource=f"r{n:03d}")) for n in range(105)]
    page = render_html(build_report(summary(), groups, [], []))
    assert "<tr><td class=num>100</td>" in page and "<tr><td class=num>101</td>" not in page
    assert "r099" in page and "r100" not in page


def test_the_appendix_sits_before_the_closing_body_tag() -> None:
    teapot = group(record(status_code=418, sub_code=None, message=None, method="DELETE", resource="oauth/clock/time"))
    known = group()
    report = build_report(summary(), [known, teapot], [], [], [new_groups_section([known, teapot], {known.id}, False)])
    assert render_html(report).endswith(
        "every response seen.</p>\n<h2>New in this run</h2><ul><li>418 &quot;&quot; on DELETE oauth/clock/time "
        "(undocumented_subcode, 1)</li></ul></body></html>\n"
    )


def test_an_appendix_with_nothing_new_says_so_and_baseline_has_its_title() -> None:
    report = build_report(summary(), [], [], [], [new_groups_section([], set(), True)])
    assert render_html(report).endswith(
        "<h2>Baseline: groups recorded</h2><ul><li>nothing new</li></ul></body></html>\n"
    )


def test_appendix_lines_are_escaped() -> None:
    odd = group(record(message='<script>"x"</script>'))
    page = render_html(build_report(summary(), [odd], [], [], [new_groups_section([odd], set(), False)]))
    line = (
        "<li>412/710 &quot;&lt;script&gt;&quot;x&quot;&lt;/script&gt;&quot; on POST users/{user_token}/queues/instant"
    )
    assert f"{line} (undocumented_subcode, 1)</li>" in page
    assert "<script>" not in page


def test_causes_and_consumers_follow_the_explanation_a_line_each() -> None:
    top = (ConsumerShare("abc", 1, 0.333), ConsumerShare("def", 1, 0.333))
    page = render_html(build_report(summary(), [explained(RATE, BURST, top=top)], [], []))
    assert (
        "<td><span class=expl>412 is documented with subcodes 1, 2.</span>"
        "<br>3 of 3 came in seconds where the consumer made more than 4 calls per second (peak 13)"
        "<br>1 episode: 2009-12-10 21:40\N{EN DASH}21:43"
        "<br>Top consumers of 2: abc 1 (33%), def 1 (33%)"
        "<br><code>/users/T1pYkT0/queues/instant?oauth_consumer_key=REDACTED</code></td></tr>"
    ) in page


def test_a_group_without_causes_or_consumers_renders_as_before() -> None:
    assert render_html(build_report(summary(), [explained()], [], [])) == render_html(
        build_report(summary(), [group(RECORD, record(consumer="def"), RECORD)], [], [])
    )


def test_consumer_ids_never_become_markup() -> None:
    top = (ConsumerShare("<script>x</script>", 3, 1.0),)
    page = render_html(build_report(summary(), [explained(RETRIED, top=top)], [], []))
    assert "<script>" not in page
    assert "<br>1 of 2 consumers sent 100% (consumer &lt;script&gt;x&lt;/script&gt;): likely a client bug" in page


def test_a_proposed_row_shows_its_note_after_the_message() -> None:
    row = ProposedRow(405, None, "oauth/login", "Method <not> allowed", 3, ("undocumented_code",), "intermittent")
    page = render_html(build_report(summary(), [], [], [row]))
    assert "<td>oauth/login</td><td>Method &lt;not&gt; allowed (intermittent)</td><td class=num>3</td>" in page


def test_new_groups_show_their_causes_in_a_nested_list() -> None:
    new = explained(RATE, RETRIED)
    page = render_html(build_report(summary(), [new], [], [], [new_groups_section([new], set(), False)]))
    assert page.endswith(
        "<h2>New in this run</h2><ul><li>412/710 &quot;Title already in queue&quot; on POST "
        "users/{user_token}/queues/instant (undocumented_subcode, 3)<ul>"
        "<li>3 of 3 came in seconds where the consumer made more than 4 calls per second (peak 13)</li>"
        "<li>2 of 3 were retried successfully within a median 1.0 s: intermittent</li></ul></li></ul>"
        "</body></html>\n"
    )
