"""report.html in a real browser: Debian's Chromium, headless, driven by Playwright.

Each report is made by the CLI end to end (the bundled sample; a log whose URLs and messages carry
markup) and opened from disk. The checks: the charts draw with data, no request leaves the file, the
console stays free of errors, nothing is wider than the window at 1,400 and 390 px, the script's
sorting, filters and copy buttons work (and the tables are whole without it), and injected markup
stays text. Screenshots are kept in $STATUSLENS_ARTEFACTS (else pytest's tmp folder) for people
to look at. Skipped, with the reason, where Chromium or Playwright is absent.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from statuslens.pipelines.cli import main

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install '.[dev]')")

CHROMIUM = os.environ.get("STATUSLENS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (1400, 390)
CLIP = {"x": 0, "y": 0, "width": 1400, "height": 1500}
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)),
        reason=f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; .ci/run installs it)",
    ),
]
# Markup in a URL, a message and a sub_code; a script that ran would set window.pwned.
HOSTILE = [
    {
        "time": "2009-12-10T21:40:10Z",
        "method": "GET",
        "url": '/catalog/"><svg onload=window.pwned=1>?q=<script>window.pwned=2</script>|`x`',
        "status": 418,
        "body": '{"status": {"status_code": 418, "sub_code": "<img src=x onerror=window.pwned=3>",'
        ' "message": "`rm` | <script>window.pwned=4</script> \\"><svg onload=window.pwned=5>"}}',
    },
    {"time": "2009-12-10T21:40:11Z", "method": "GET", "url": "/catalog/titles?oauth_consumer_key=k1", "status": 200},
]


class Page:
    """A page opened from disk, with every request and console message it caused."""

    def __init__(self, context: Any, path: Path) -> None:
        self.url = path.as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:  # a request that would leave the file: refused and recorded
            self.requests.append(route.request.url)
            route.abort()

    def overflow(self, width: int) -> int:
        """How many pixels the page is wider than a window `width` px wide."""
        self.page.set_viewport_size({"width": width, "height": 900})
        return int(self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))

    def left_only_itself(self) -> None:
        assert self.requests == [self.url]
        assert self.errors == []


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with sync_api.sync_playwright() as running:
        yield running


def launch(playwright: Any, profile: Path, **options: Any) -> Any:
    """Chromium with a fresh user-data-dir: no cache, cookie or storage from another test."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=ARGS,
        viewport={"width": 1400, "height": 900},
        **options,
    )


@pytest.fixture
def context(playwright: Any, tmp_path: Path) -> Iterator[Any]:
    context = launch(playwright, tmp_path / "profile")
    yield context
    context.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    assert main(["demo", "--output", str(out)]) == 0
    return out / "report.html"


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with two groups expected (DOMAIN.md §10), one reason carrying markup."""
    folder = tmp_path_factory.mktemp("expected")
    known = folder / "known.yaml"
    known.write_text(
        "expected:\n  - {status_code: 403, message: Developer Over Qps, reason: 'gateway <b>limit</b> | `OPS-12`'}\n"
        "  - {resource: oauth/login, reason: login is POST-only}\n",
        encoding="utf-8",
    )
    assert main(["demo", "--output", str(folder / "out"), "--expect", str(known)]) == 0
    return folder / "out" / "report.html"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    log = folder / "x<b>|`y`.jsonl"
    log.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in HOSTILE))
    assert main(["batch", "--input", str(log), "--output", str(folder / "out")]) == 0
    return folder / "out" / "report.html"


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = os.environ.get("STATUSLENS_ARTEFACTS")
    folder = Path(where) if where else tmp_path_factory.mktemp("artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_sample_report_draws_its_charts_with_data(context: Any, sample: Path, artefacts: Path) -> None:
    page = Page(context, sample)
    bars = page.page.evaluate(
        "Array.from(document.querySelectorAll('figure svg path')).map(p => [p.getBBox().width, p.getBBox().height])"
    )
    assert len(bars) >= 5 and all(w > 0 and h > 0 for w, h in bars)  # 4 verdicts + status codes, drawn
    assert page.page.locator("figure.full svg rect.limit").count() > 0  # the rate-limited seconds
    assert page.page.locator("figure.full svg rect.burst").count() > 0  # the burst episodes
    tooltip = page.page.locator("figure.full svg rect.hit title").first.text_content()
    assert tooltip is not None and tooltip.startswith("2009-12-10 21:40:10: ")
    assert page.page.locator(".charts table.mini svg.bar").count() == 5  # the verdict breakdown
    # The top of the page (charts and the first groups): docs/report-sample.png is this file.
    page.page.screenshot(path=str(artefacts / "report-sample.png"), full_page=True, clip=CLIP)
    page.left_only_itself()


def test_a_groups_own_timeline_and_top_consumers_open_on_demand(context: Any, sample: Path) -> None:
    page = Page(context, sample)
    first = page.page.locator("#anomalies > tbody > tr").nth(1)
    timeline = first.locator("details", has_text="over time")
    assert not timeline.locator("svg").is_visible()
    timeline.locator("summary").click()
    box = timeline.locator("svg").bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 20
    assert timeline.locator("svg path.v3").count() == 1  # its records
    assert timeline.locator("svg path.limit").count() == 1  # the 403 Developer Over Qps group: over the rate limit
    assert timeline.locator("svg rect.burst").count() >= 1  # and in a burst
    top = first.locator("details", has_text="top")
    top.locator("summary").click()
    assert top.locator("table.mini tr").count() >= 2 and "k4bghqddunxytt5x8p3qx9bf" in (top.text_content() or "")
    page.left_only_itself()


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_window(context: Any, sample: Path, artefacts: Path, width: int) -> None:
    page = Page(context, sample)
    assert page.overflow(width) == 0
    page.page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert page.overflow(width) == 0  # every on-demand chart and list open too
    page.page.screenshot(path=str(artefacts / f"report-sample-{width}-full.png"), full_page=True)
    page.left_only_itself()


def test_the_anomalies_sort_and_filter(context: Any, sample: Path) -> None:
    page = Page(context, sample)
    counts = (
        "Array.from(document.querySelectorAll('#anomalies > tbody > tr')).slice(1).map(r => +r.cells[1].textContent)"
    )
    before = page.page.evaluate(counts)
    assert before == sorted(before, reverse=True) and len(before) == 13
    page.page.locator("#anomalies > tbody > tr > th", has_text="count").click()  # numbers: largest first, then toggled
    page.page.locator("#anomalies > tbody > tr > th", has_text="count").click()
    assert page.page.evaluate(counts) == sorted(before)
    page.page.select_option("form.filters select", "out_of_scope")
    verdicts = "Array.from(document.querySelectorAll('#anomalies > tbody > tr')).slice(1).filter(r => !r.hidden)"
    shown = page.page.evaluate(f"{verdicts}.map(r => r.cells[2].textContent)")
    assert shown and set(shown) == {"out_of_scope"}
    page.page.select_option("form.filters select", "")
    page.page.fill("form.filters input[name=consumer]", "ukv8ydf3ebt6jmr2zc9xq5sh")
    consumers = page.page.evaluate(f"{verdicts}.map(r => r.cells[7].textContent)")
    assert consumers and all("ukv8ydf3ebt6jmr2zc9xq5sh" in c for c in consumers) and len(consumers) < 13
    page.page.fill("form.filters input[name=code]", "999999")
    assert page.page.locator("form.filters output").text_content() == "0 of 13 groups shown"
    page.left_only_itself()


def test_a_proposed_row_is_copied_as_its_markdown_line(context: Any, sample: Path) -> None:
    page = Page(context, sample)
    lines = (page.page.locator("#proposed-md").text_content() or "").split("\n")
    assert lines[0] == "| Code | Subcode | Applies to… | Status Message |"
    page.page.evaluate(
        "window.copied = []; document.execCommand = (name) => { window.copied.push("
        "document.querySelector('textarea.offscreen').value); return true; };"
        "if (navigator.clipboard) { navigator.clipboard.writeText = () => Promise.reject(new Error('no')); } true"
    )
    button = page.page.locator("table.proposed tr").nth(1).locator("button")
    button.click()
    assert button.text_content() == "copied"
    assert page.page.evaluate("window.copied") == [lines[2]]
    assert lines[2].startswith("| 403 |  | All resources | Developer Over Qps")
    page.left_only_itself()


def test_without_javascript_the_tables_are_whole(playwright: Any, sample: Path, tmp_path: Path) -> None:
    context = launch(playwright, tmp_path / "profile", java_script_enabled=False)
    try:
        page = Page(context, sample)
        assert page.page.locator("#anomalies > tbody > tr").count() == 14  # header + 13 groups
        assert page.page.locator("form.filters").count() == 0 and page.page.locator("figure svg path").count() >= 5
        assert page.overflow(390) == 0 and page.overflow(1400) == 0
        page.left_only_itself()
    finally:
        context.close()


def test_expected_groups_have_their_own_table_and_are_not_proposed(context: Any, expected: Path) -> None:
    page = Page(context, expected)
    table = page.page.locator("table.expected")
    lines = (expected.parent / "anomalies.jsonl").read_bytes().splitlines()
    known = [doc for doc in map(orjson.loads, lines) if "expected" in doc]
    assert table.locator(":scope > tbody > tr").count() == 1 + len(known) and len(known) >= 2
    reasons = [
        table.locator(":scope > tbody > tr").nth(n + 1).locator("td").nth(6).text_content() for n in range(len(known))
    ]
    assert sorted(reasons) == sorted(doc["expected"]["reason"] for doc in known)
    assert "gateway <b>limit</b> | `OPS-12`" in reasons  # text, not markup
    assert page.page.locator("table.expected b").count() == 0
    proposed = page.page.locator("table.proposed").text_content() or ""
    assert "Developer Over Qps" not in proposed and "oauth/login" not in proposed
    for width in WIDTHS:
        assert page.overflow(width) == 0
    page.left_only_itself()


def test_markup_from_the_logs_stays_text(context: Any, hostile: Path, artefacts: Path) -> None:
    page = Page(context, hostile)
    assert page.page.evaluate("window.pwned") is None
    assert page.page.evaluate("document.scripts.length") == 1  # the report's own
    assert page.page.locator("[onload], [onerror], img").count() == 0
    assert page.page.locator("svg svg").count() == 0  # no SVG but the charts' own
    row = page.page.locator("#anomalies > tbody > tr").nth(1)
    assert (
        row.locator("td").nth(5).text_content()
        == '`rm` | <script>window.pwned=4</script> "><svg onload=window.pwned=5>'
    )
    assert row.locator("td").nth(4).text_content() == "<img src=x onerror=window.pwned=3>"
    example = row.locator("td").nth(9).locator("code").text_content()
    assert example == '/catalog/"><svg onload=window.pwned=1>?q=<script>window.pwned=2</script>|`x`'
    for width in WIDTHS:
        assert page.overflow(width) == 0
    page.page.screenshot(path=str(artefacts / "report-injected-390.png"), full_page=True)
    page.left_only_itself()
