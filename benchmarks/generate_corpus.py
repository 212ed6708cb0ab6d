#!/usr/bin/env python3
"""Generate realistic, deterministic Netflix API access-log traffic for tests and benchmarks.

The traffic is the API of the seed page (DOMAIN.md §1): catalog, user and OAuth resources on
`http://api.netflix.com`, `https://api-user.netflix.com` and `http://api-public.netflix.com`, signed
with OAuth query parameters by a handful of consumer keys. Most responses are 200s (a small XML or
JSON representation, or no body); the rest is an error mix that covers every verdict and flag of
DOMAIN.md §5:

- documented: 401 "Access token is invalid", 404 "Resource not found", 400/120 on collections,
  412/710 "Title already in queue" and 201 "Resource created" on POST queues/instant, 304, 500, …
  in v1 XML, JSON (`output=json`), JSONP (`callback=fn`) and v1.5 message-only XML;
- undocumented_code: 405 on oauth/login (the retry succeeds), 502 proxy HTML pages, 414 and 504
  from the gateway;
- undocumented_subcode: 412/999, 400/777;
- undocumented_message: 412/710 "disc already exists in queue", the gateway's "Developer Over Qps"
  on a feed request (403 is documented for feeds with another message), v1.5 "max_results is
  invalid";
- out_of_scope: `<h1>403 Developer Over Qps</h1>` (X-Mashery-Error-Code, Retry-After: 1) on
  catalog/people/{id}: one consumer expands the 7 cast members of a title within one second, and
  the calls after the 4th are refused; "Developer Over Rate" on a search;
- flags: `suppress_response_codes=true` (HTTP 200, body status_code 401) and truncated XML bodies.

Every run starts with one instance of every scenario (in a seeded order; about 55 records), so
even a small N covers every verdict; after that scenarios are drawn by weight. The same seed gives
the same traffic in every format. Time starts at --start and only moves forward. Output depends
only on the arguments:
the same seed gives the same bytes (gzip with mtime 0, no wall clock anywhere). `--dirty` adds a
few bad lines on top of the N records: not JSON / not a log line, a missing status, blank lines,
invalid UTF-8 bytes (HAR: aborted entries with status 0, an entry without startedDateTime, a BOM).

    python benchmarks/generate_corpus.py --records 1000000 --format jsonl --out /tmp/a.jsonl.gz --gzip

Speed: every body, header set and escaped form is built once per distinct value and cached; a
record is one f-string, and output is written in blocks (with --gzip, compressed in a second
thread). About 10 s per million JSON lines or combined_body lines, 25 s per million HAR entries
(1.6 KB each: statuslens reads HAR files up to 256 MB, about 150,000 entries).
"""

from __future__ import annotations

import argparse
import base64
import calendar
import gzip
import json
import queue
import random
import re
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import IO, Any, Protocol
from urllib.parse import quote, unquote

FORMATS = ("jsonl", "combined_body", "har")
DEFAULT_START = "2009-12-10T21:40:10Z"  # the oauth_timestamp in the seed page's comment
API = "http://api.netflix.com"
API_USER = "https://api-user.netflix.com"
API_PUBLIC = "http://api-public.netflix.com"
_BLOCK_LINES = 8192
_NGINX_OFFSET_S = -8 * 3600  # the proxy logs local time, -0800
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    412: "Precondition Failed",
    414: "Request-URI Too Long",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
    0: "",
}

# (application name, consumer key, weight, user agent). The first key is the seed comment's.
CONSUMERS = (
    (
        "InstantWatcher",
        "k4bghqddunxytt5x8p3qx9bf",
        40,
        "InstantWatcher/2.3 CFNetwork/454.9.8 Darwin/10.4.0 (i386) (MacBookPro5%2C5)",
    ),
    ("QueueSync", "q7mzc9cs2hb3p6ke8x5rwn4t", 20, "Python-urllib/2.6"),
    (
        "FlixBoard",
        "ukv8ydf3ebt6jmr2zc9xq5sh",
        15,
        "Mozilla/5.0 (Windows; U; Windows NT 6.1; en-US) AppleWebKit/534.10 (KHTML, like Gecko) "
        "Chrome/8.0.552.224 Safari/534.10",
    ),
    ("CastExplorer", "9xn3w7pgtyk2d5bfhcqr8mva", 12, "Java/1.6.0_22"),
    ("RokuChannel", "r2d6tfe8kqzw3nu7yb5pxc4h", 8, "Roku/DVP-2.8 (022.08E01120A)"),
    ('MovieNight "beta"', "hw5e8sbq2dcx7myk3gt9vjnf", 5, 'MovieNight/0.9 "beta" (Linux; U; Android 2.2)'),
)
TITLE_NAMES = (
    "Amélie",
    "Crouching Tiger, Hidden Dragon",
    "Y Tu Mamá También",
    "Pan's Labyrinth",
    "Das Boot",
    "Léon: The Professional",
    "Bonnie & Clyde",
    "The Office: Season 2",
    "Dexter: Season 4",
    "Lost",
    "Star Trek: The Next Generation",
    "Seven Samurai",
    "Rashomon",
    "Toy Story",
    "WALL-E",
    "Up",
    "The Big Lebowski",
    "Fargo",
    "No Country for Old Men",
    "Spirited Away",
    "Oldboy",
    "City of God",
    "The Wire: Season 1",
    "Arrested Development",
    "Battlestar Galactica",
    "Firefly",
    "Serenity",
    "Moon",
    "District 9",
    "Inception",
    "The Hurt Locker",
    "Avatar",
    "Up in the Air",
    "Zombieland",
    "Ponyo",
    "Coraline",
    "Mad Men: Season 3",
    "30 Rock: Season 4",
    "Heroes",
    "Caprica",
)
PEOPLE_NAMES = (
    "Audrey Tautou",
    "Mathieu Kassovitz",
    "Chow Yun-Fat",
    "Michelle Yeoh",
    "Gael García Bernal",
    "Diego Luna",
    "Ivana Baquero",
    "Jürgen Prochnow",
    "Jean Reno",
    "Natalie Portman",
    "Gary Oldman",
    "Warren Beatty",
    "Faye Dunaway",
    "Steve Carell",
    "Michael C. Hall",
    "Patrick Stewart",
    "Toshirō Mifune",
    "Tom Hanks",
    "Jeff Bridges",
    "Frances McDormand",
    "Javier Bardem",
    "Choi Min-sik",
    "Nathan Fillion",
    "Sam Rockwell",
    "Sharlto Copley",
    "Leonardo DiCaprio",
    "Jeremy Renner",
    "George Clooney",
    "Woody Harrelson",
    "Jon Hamm",
    "Tina Fey",
    "Hayden Panettiere",
)
SEARCH_TERMS = (
    "star trek",
    "amélie",
    "the office",
    "dexter",
    "lost",
    "crouching tiger",
    "kurosawa",
    "pixar",
    "bonnie & clyde",
    "coen brothers",
    "miyazaki",
    "sci-fi",
    "documentary",
    "stand-up comedy",
    "anime",
    "bbc",
    "mad men",
    "30 rock",
    "zombie",
    "kids & family",
    "foreign",
    "noir",
    "westerns",
    "50% off",
)
RESPONDERS = ("mashery-web3.LAX", "mashery-web4.LAX", "mashery-web1.SJC", "mashery-web2.SJC")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
EXPAND = "expand=%40title%2C%40synopsis%2C%40cast%2C%40directors%2C%40formats%2C%40box_art"
_NGINX_UNSAFE_RE = re.compile(rb"[^\x20\x21\x23-\x5b\x5d-\x7e]+")


# --- escaping -----------------------------------------------------------------------------------


def json_str(text: str) -> str:
    """`text` as a JSON string literal (UTF-8 kept, as loggers write it)."""
    return json.dumps(text, ensure_ascii=False)


def nginx_escape(text: str) -> str:
    """nginx's default `log_format` escaping: `"`, `\\` and bytes outside 0x20-0x7E as `\\xHH`."""
    raw = text.encode("utf-8")
    return _NGINX_UNSAFE_RE.sub(_nginx_hex, raw).decode("ascii")


def _nginx_hex(match: re.Match[bytes]) -> bytes:
    return b"".join(b"\\x%02X" % byte for byte in match.group())


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class Body:
    """One response body and its forms in each output format (each built once, when first needed)."""

    __slots__ = ("_b64", "_json", "_nginx", "mime", "nbytes", "text")

    def __init__(self, text: str, mime: str) -> None:
        self.text = text
        self.mime = mime
        self.nbytes = len(text) if text.isascii() else len(text.encode("utf-8"))
        self._json: str | None = None
        self._nginx: str | None = None
        self._b64: str | None = None

    @property
    def json(self) -> str:
        if self._json is None:
            self._json = json_str(self.text)
        return self._json

    @property
    def nginx(self) -> str:
        if self._nginx is None:
            self._nginx = nginx_escape(self.text)
        return self._nginx

    @property
    def b64(self) -> str:
        if self._b64 is None:
            self._b64 = base64.b64encode(self.text.encode("utf-8")).decode("ascii")
        return self._b64


class Headers:
    """A set of response headers as a JSON object (JSON lines) and a HAR header list."""

    __slots__ = ("har", "json", "pairs")

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self.pairs = pairs
        self.json = "{" + ",".join(f"{json_str(k)}:{json_str(v)}" for k, v in pairs) + "}"
        self.har = ",".join(f'{{"name":{json_str(k)},"value":{json_str(v)}}}' for k, v in pairs)


class Memo:
    """A bounded cache of built values (bodies, headers), so per-record work stays small."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self.data: dict[Any, Any] = {}

    def get(self, key: Any, build: Callable[[], Any]) -> Any:
        value = self.data.get(key)
        if value is None:
            if len(self.data) >= self.limit:
                self.data.clear()
            value = self.data[key] = build()
        return value


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


# --- the traffic model ------------------------------------------------------------------------------

# An event is one request/response: (t_ms, method, url, status, body, headers, consumer, auth).
Event = tuple[int, str, str, int, "Body | None", "Headers | None", int, "str | None"]


class Traffic:
    """Draws scenarios and turns them into events with deterministic, advancing time stamps."""

    def __init__(self, seed: int, start_ms: int, incidents: bool = False) -> None:
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.t = start_ms
        self.bodies = Memo()
        self.headers_memo = Memo(1_000)
        rng = self.rng

        def word(chars: str, n: int) -> str:
            return "".join(rng.choice(chars) for _ in range(n))

        self.users = [("T1" + word(_TOKEN_CHARS, 42)).replace("..", "._") for _ in range(256)]
        self.user_names = [
            rng.choice(("Doug", "Eddie", "Edward", "Krish", "Ana", "Mei", "Raj", "Olga")) for _ in self.users
        ]
        self.access_tokens = [word(_ALNUM_LOWER, 24) for _ in range(256)]
        self.request_tokens = [word(_ALNUM_LOWER, 24) for _ in range(64)]
        self.token_secrets = [word(_ALNUM_LOWER, 12) for _ in range(64)]
        self.feed_tokens = [word(_TOKEN_CHARS, 40) for _ in range(64)]
        self.nonces = [word(_B64[:62], rng.randint(6, 11)) for _ in range(1024)]
        self.signatures = [quote(word(_B64, 27) + "=", safe="") for _ in range(1024)]
        self.etags = [str(rng.randrange(10**9, 10**10)) for _ in range(64)]
        ratings = ("G", "PG", "PG-13", "R", "TV-14", "TV-MA", "NR")
        kinds = rng.choices(("movies", "movies", "movies", "series", "programs"), k=512)
        title_ids = rng.sample(range(60_000_000, 70_300_000), 512)
        self.titles = [
            (tid, kind, rng.choice(TITLE_NAMES), rng.randint(1954, 2010), rng.choice(ratings), rng.randint(25, 49) / 10)
            for tid, kind in zip(title_ids, kinds, strict=True)
        ]
        person_ids = rng.sample(range(20_000_000, 30_100_000), 512)
        self.people = [(pid, rng.choice(PEOPLE_NAMES)) for pid in person_ids]
        self.terms = [quote(term, safe="") for term in SEARCH_TERMS]
        self.term_text = dict(zip(self.terms, SEARCH_TERMS, strict=True))
        nets = ("198.51.100", "203.0.113", "192.0.2")  # documentation address ranges
        self.consumer_ips = [[f"{net}.{rng.randint(2, 250)}" for net in nets] for _ in CONSUMERS]
        self.consumer_weights = [c[2] for c in CONSUMERS]
        # `title_refs` lists for ratings: a few long ones (long URLs), one far too long (414).
        self.title_refs = []
        for n in (1, 1, 2, 3, 5, 8, 12, 20, 30, 45, 60):
            refs = ",".join(f"{API}/catalog/titles/{k}/{tid}" for tid, k, *_ in rng.sample(self.titles, n))
            self.title_refs.append(quote(refs, safe=""))
        huge = ",".join(f"{API}/catalog/titles/{k}/{tid}" for tid, k, *_ in rng.sample(self.titles, 100))
        self.huge_title_refs = quote(huge, safe="")
        self.scenarios = list(SCENARIOS + INCIDENTS) if incidents else list(SCENARIOS)
        self.cum_weights = []
        total = 0
        for _, weight in self.scenarios:
            total += weight
            self.cum_weights.append(total)
        tour = [name for name, _ in self.scenarios]
        rng.shuffle(tour)
        self.tour = tour

    # -- small helpers --

    def pick(self, seq: Any) -> Any:
        return seq[int(self.rnd() * len(seq))]

    def advance(self, lo: int = 1, spread: int = 500) -> int:
        self.t += lo + int(self.rnd() * self.rnd() * spread)
        return self.t

    def consumer(self) -> int:
        return _CONSUMER_TABLE[int(self.rnd() * len(_CONSUMER_TABLE))]

    def signed(
        self, host: str, path: str, params: str, consumer: int, token: bool = True, t: int | None = None
    ) -> tuple[str, str | None]:
        """The request URL with OAuth query parameters, or (for some HAR entries) an OAuth header."""
        ts = (self.t if t is None else t) // 1000
        rnd = self.rnd
        key = CONSUMERS[consumer][1]
        nonce = self.nonces[int(rnd() * 1024)]
        sig = self.signatures[int(rnd() * 1024)]
        tok = self.access_tokens[int(rnd() * 256)] if token else None
        in_header = rnd() < 0.25
        if in_header and self.header_auth:
            fields = [
                f'oauth_consumer_key="{key}"',
                f'oauth_nonce="{nonce}"',
                f'oauth_signature="{sig}"',
                'oauth_signature_method="HMAC-SHA1"',
                f'oauth_timestamp="{ts}"',
            ]
            if tok:
                fields.append(f'oauth_token="{tok}"')
            fields.append('oauth_version="1.0"')
            url = f"{host}/{path}?{params}" if params else f"{host}/{path}"
            return url, "OAuth " + ", ".join(fields)
        query = f"{params}&" if params else ""
        query += f"oauth_consumer_key={key}&oauth_nonce={nonce}&oauth_signature_method=HMAC-SHA1&oauth_timestamp={ts}"
        if tok:
            query += f"&oauth_token={tok}"
        return f"{host}/{path}?{query}&oauth_version=1.0&oauth_signature={sig}", None

    header_auth = False

    def hdrs(self, mime: str | None, *extra: tuple[str, str]) -> Headers | None:
        if mime is None and not extra:
            return None
        responder = RESPONDERS[int(self.rnd() * len(RESPONDERS))]
        pairs = ((("Content-Type", mime),) if mime else ()) + (("X-Mashery-Responder", responder),) + extra
        headers: Headers = self.headers_memo.get(pairs, lambda: Headers(pairs))
        return headers

    def body(self, key: Any, build: Callable[[], str], mime: str) -> Body:
        body: Body = self.bodies.get(key, lambda: Body(build(), mime))
        return body

    # -- bodies --

    def title_xml(self, title: tuple[Any, ...], pretty: bool = False) -> Body:
        tid, kind, name, year, rating, avg = title

        def build() -> str:
            nl = "\n" if pretty else ""
            esc = xml_text(name)
            return (
                f'<?xml version="1.0" standalone="yes"?>\n<catalog_title>{nl}'
                f"<id>{API}/catalog/titles/{kind}/{tid}</id>{nl}"
                f'<title short="{esc}" regular="{esc}"></title>{nl}'
                f"<release_year>{year}</release_year>{nl}"
                f'<category scheme="{API}/categories/mpaa_ratings" label="{rating}" term="{rating}">'
                f"</category>{nl}<average_rating>{avg}</average_rating>{nl}"
                f'<link href="{API}/catalog/titles/{kind}/{tid}/synopsis" '
                f'rel="http://schemas.netflix.com/catalog/titles/synopsis" title="synopsis"></link>{nl}'
                "</catalog_title>"
            )

        return self.body(("title", tid, pretty), build, "application/xml")

    def title_json(self, title: tuple[Any, ...]) -> Body:
        tid, kind, name, year, rating, avg = title
        doc = {
            "catalog_title": {
                "id": f"{API}/catalog/titles/{kind}/{tid}",
                "title": {"short": name, "regular": name},
                "release_year": year,
                "category": {"label": rating, "term": rating},
                "average_rating": avg,
            }
        }
        return self.body(("title_json", tid), lambda: json.dumps(doc, ensure_ascii=False), "application/json")

    def status_xml(
        self,
        code: int | None,
        sub: int | None,
        message: str | None,
        decl: bool = True,
        sub_tag: str = "sub_code",
        extra: str = "",
    ) -> Body:
        def build() -> str:
            parts = ['<?xml version="1.0" standalone="yes"?>\n' if decl else "", "<status>"]
            if code is not None:
                parts.append(f"<status_code>{code}</status_code>")
            if sub is not None:
                parts.append(f"<{sub_tag}>{sub}</{sub_tag}>")
            if message is not None:
                parts.append(f"<message>{xml_text(message)}</message>")
            parts.append(extra + "</status>")
            return "".join(parts)

        return self.body(("status", code, sub, message, decl, sub_tag, extra), build, "application/xml")

    def status_json(self, code: int | None, sub: int | None, message: str, callback: str | None = None) -> Body:
        def build() -> str:
            status: dict[str, Any] = {}
            if code is not None:
                status["status_code"] = code
            if sub is not None:
                status["sub_code"] = sub
            status["message"] = message
            text = json.dumps({"status": status})
            return f"{callback}({text})" if callback else text

        mime = "text/javascript" if callback else "application/json"
        return self.body(("status_json", code, sub, message, callback), build, mime)

    def gateway(self, text: str) -> Body:
        return self.body(("gateway", text), lambda: f"<h1>{text}</h1>", "text/xml")

    # -- events --

    def ev(
        self,
        method: str,
        url: str,
        status: int,
        body: Body | None,
        headers: Headers | None,
        consumer: int,
        auth: str | None = None,
        t: int | None = None,
    ) -> Event:
        return (self.t if t is None else t, method, url, status, body, headers, consumer, auth)

    def xml_or_json(self, title: tuple[Any, ...]) -> tuple[str, Body | None, str | None]:
        """(extra query, body, mime) for a title GET: XML, JSON (output=json) or no body logged."""
        r = self.rnd()
        if r < 0.45:
            return "", self.title_xml(title, pretty=r < 0.1), "application/xml"
        if r < 0.65:
            return "output=json", self.title_json(title), "application/json"
        return "", None, None

    def user_path(self) -> tuple[str, str]:
        i = int(self.rnd() * len(self.users))
        return self.users[i], self.user_names[i]


# --- scenarios: each returns the events of one user action ----------------------------------------


def s_get_title(g: Traffic) -> list[Event]:
    c = g.consumer()
    title = g.pick(g.titles)
    extra, body, mime = g.xml_or_json(title)
    if g.rnd() < 0.3:
        extra = (extra + "&" if extra else "") + EXPAND
    url, auth = g.signed(API, f"catalog/titles/{title[1]}/{title[0]}", extra, c, token=False)
    g.advance()
    return [g.ev("GET", url, 200, body, g.hdrs(mime), c, auth)]


def s_search(g: Traffic) -> list[Event]:
    c = g.consumer()
    term = g.pick(g.terms)
    start = int(g.rnd() * 4) * 25
    params = f"term={term}&start_index={start}&max_results=25"
    url, auth = g.signed(API, "catalog/titles", params, c, token=False)
    g.advance()
    body = None
    if g.rnd() < 0.6:

        def build() -> str:
            title = g.titles[len(term) * 7 % len(g.titles)]  # the top hit of a term is always the same
            inner = g.title_xml(title).text.split("\n", 1)[1]
            return (
                '<?xml version="1.0" standalone="yes"?>\n<catalog_titles>'
                f"<number_of_results>{len(term) * 37}</number_of_results>"
                "<start_index>0</start_index><results_per_page>25</results_per_page>"
                f"{inner}</catalog_titles>"
            )

        body = g.body(("search", term, start), build, "application/xml")
    return [g.ev("GET", url, 200, body, g.hdrs(body.mime if body else None), c, auth)]


def s_autocomplete(g: Traffic) -> list[Event]:
    c = g.consumer()
    term = g.pick(g.terms)
    text = g.term_text[term]
    url = f"{API_PUBLIC}/catalog/titles/autocomplete?oauth_consumer_key={CONSUMERS[c][1]}&term={term}"
    g.advance(1, 200)
    items = "".join(
        f'<autocomplete_item><title short="{xml_text(text.title())}{n}"/></autocomplete_item>'
        for n in ("", " II", ": The Series")
    )
    body = g.body(("auto", term), lambda: f"<autocomplete>{items}</autocomplete>", "application/xml")
    return [g.ev("GET", url, 200, body, g.hdrs("application/xml"), c)]


def s_title_sub(g: Traffic) -> list[Event]:
    c = g.consumer()
    tid, kind, name, *_ = title = g.pick(g.titles)
    sub = g.pick(("cast", "directors", "synopsis", "format_availability", "similars", "similars"))
    params = "max_results=10" if sub == "similars" else ""
    url, auth = g.signed(API, f"catalog/titles/{kind}/{tid}/{sub}", params, c, token=False)
    g.advance()
    body = None
    if sub == "synopsis":
        body = g.body(
            ("synopsis", tid),
            lambda: f"<synopsis><![CDATA[{name}: a story told in {title[3]}, with <b>bold</b> turns.]]></synopsis>",
            "application/xml",
        )
    elif sub == "cast":
        body = cast_body(g, tid)
    return [g.ev("GET", url, 200, body, g.hdrs(body.mime if body else None), c, auth)]


def cast_body(g: Traffic, tid: int) -> Body:
    def build() -> str:
        start = tid % (len(g.people) - 7)
        links = "".join(
            f'<link href="{API}/catalog/people/{pid}" '
            f'rel="http://schemas.netflix.com/catalog/person" title="{xml_text(pname)}"></link>'
            for pid, pname in g.people[start : start + 7]
        )
        return f"<people>{links}</people>"

    return g.body(("cast", tid), build, "application/xml")


def person_body(g: Traffic, pid: int, pname: str) -> Body:
    return g.body(
        ("person", pid),
        lambda: (
            f"<person><id>{API}/catalog/people/{pid}</id><name>{xml_text(pname)}</name>"
            f'<link href="{API}/catalog/people/{pid}/filmography" '
            'rel="http://schemas.netflix.com/catalog/titles.filmography" title="filmography"></link></person>'
        ),
        "application/xml",
    )


def s_person(g: Traffic) -> list[Event]:
    c = g.consumer()
    pid, pname = g.pick(g.people)
    url, auth = g.signed(API, f"catalog/people/{pid}", "", c, token=False)
    g.advance()
    return [g.ev("GET", url, 200, person_body(g, pid, pname), g.hdrs("application/xml"), c, auth)]


def s_queue(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    which = g.pick(("queues/disc", "queues/instant", "queues/disc/available", "queues/instant/saved", "queues"))
    params = g.pick(("", "max_results=50", "start_index=0&max_results=100", "sort=queue_sequence"))
    url, auth = g.signed(API, f"users/{user}/{which}", params, c)
    g.advance()
    body = None
    if g.rnd() < 0.5:
        etag = g.pick(g.etags)
        body = g.body(
            ("queue", which, etag),
            lambda: (
                f"<queue><url_template>{API}/users/{{user_token}}/{which}</url_template>"
                f"<number_of_results>{int(etag) % 97}</number_of_results><start_index>0</start_index>"
                f"<results_per_page>50</results_per_page><etag>{etag}</etag></queue>"
            ),
            "application/xml",
        )
    return [g.ev("GET", url, 200, body, g.hdrs(body.mime if body else None), c, auth)]


def s_user(g: Traffic) -> list[Event]:
    c = g.consumer()
    i = int(g.rnd() * len(g.users))
    user, first = g.users[i], g.user_names[i]
    path = "users/current" if g.rnd() < 0.6 else f"users/{user}"
    url, auth = g.signed(API, path, "", c)
    g.advance()
    body = g.body(
        ("user", i),
        lambda: (
            f'<?xml version="1.0" standalone="yes"?>\n<user><user_id>{user}</user_id>'
            f"<first_name>{first}</first_name><nickname>{first.lower()}</nickname>"
            f'<can_instant_watch>true</can_instant_watch><link href="{API}/users/{user}/queues" '
            'rel="http://schemas.netflix.com/queues" title="queues"></link>'
            "</user>"
        ),
        "application/xml",
    )
    return [g.ev("GET", url, 200, body, g.hdrs("application/xml"), c, auth)]


def s_ratings(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    which = g.pick(("ratings/title", "ratings/title/predicted", "ratings/title/actual"))
    refs = g.pick(g.title_refs)
    url, auth = g.signed(API, f"users/{user}/{which}", f"title_refs={refs}", c)
    g.advance()
    return [g.ev("GET", url, 200, None, None, c, auth)]


def s_user_lists(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    which = g.pick(
        (
            "recommendations",
            "rental_history",
            "rental_history/shipped",
            "rental_history/returned",
            "rental_history/watched",
            "at_home",
            "title_states",
            "reviews",
        )
    )
    params = "start_index=0&max_results=25" if which not in ("at_home", "title_states") else ""
    url, auth = g.signed(API, f"users/{user}/{which}", params, c)
    g.advance()
    body = None
    if g.rnd() < 0.3:
        body = g.body(
            ("list_json", which),
            lambda: json.dumps(
                {which.replace("/", "_"): {"number_of_results": len(which), "start_index": 0, "results_per_page": 25}}
            ),
            "application/json",
        )
        url = url.replace("?", "?output=json&", 1) if "?" in url else url + "?output=json"
    return [g.ev("GET", url, 200, body, g.hdrs(body.mime if body else None), c, auth)]


def s_not_modified(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    url, auth = g.signed(API, f"users/{user}/queues/instant", "etag=" + g.pick(g.etags), c)
    g.advance()
    return [g.ev("GET", url, 304, None, None, c, auth)]


def _title_ref(title: tuple[Any, ...]) -> str:
    return quote(f"{API}/catalog/titles/{title[1]}/{title[0]}", safe="")


def s_post_created(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    title = g.pick(g.titles)
    which = g.pick(("queues/instant", "queues/instant", "queues/disc"))
    url, auth = g.signed(API, f"users/{user}/{which}", f"title_ref={_title_ref(title)}&position=1", c)
    g.advance()
    extra = (
        f"<resources_created><queue_item><id>{API}/users/{{user_token}}/{which}/available/1/"
        f"{title[0]}</id></queue_item></resources_created>"
    )
    body = g.status_xml(201, None, "Resource created", extra=extra)
    return [g.ev("POST", url, 201, body, g.hdrs("application/xml"), c, auth)]


def s_post_partial(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    title = g.pick([t for t in g.titles[:64] if t[1] == "series"] or g.titles)
    url, auth = g.signed(API, f"users/{user}/queues/instant", f"title_ref={_title_ref(title)}", c)
    g.advance()
    body = g.status_xml(201, 640, "Only some titles in the set were added.")
    return [g.ev("POST", url, 201, body, g.hdrs("application/xml"), c, auth)]


def s_clock(g: Traffic) -> list[Event]:
    c = g.consumer()
    url = f"{API}/oauth/clock/time?oauth_consumer_key={CONSUMERS[c][1]}"
    g.advance()
    second = g.t // 1000
    body = g.body(("clock", second), lambda: f"<server_time>{second}</server_time>", "application/xml")
    return [g.ev("GET", url, 200, body, g.hdrs("application/xml"), c)]


def s_oauth_dance(g: Traffic) -> list[Event]:
    """request_token -> login (HTML form) -> access_token, like the seed comment's client."""
    c = g.consumer()
    app, key = CONSUMERS[c][0], CONSUMERS[c][1]
    i = int(g.rnd() * len(g.request_tokens))
    rtok, secret = g.request_tokens[i], g.token_secrets[i]
    url1, auth1 = g.signed(API, "oauth/request_token", "", c, token=False)
    g.advance()
    body1 = g.body(
        ("rtok", i, c),
        lambda: (
            f"oauth_token={rtok}&oauth_token_secret={secret}&application_name={quote(app)}"
            f"&login_url={quote(f'{API_USER}/oauth/login?oauth_token={rtok}', safe='')}"
        ),
        "text/plain",
    )
    events = [g.ev("GET", url1, 200, body1, g.hdrs("text/plain"), c, auth1)]
    callback = quote(f"http://app{c}.example.com/my/path/?request_token={rtok}", safe=":/")
    url2 = (
        f"{API_USER}/oauth/login?application_name={quote(app, safe='')}&oauth_token={rtok}"
        f"&oauth_consumer_key={key}&oauth_callback={callback}&request_token_secret={secret}"
        f"&oauth_timestamp={g.t // 1000}&oauth_nonce={g.pick(g.nonces)}&oauth_signature_method=HMAC-SHA1"
        f"&oauth_signature={g.pick(g.signatures)}"
    )
    g.advance(400, 4000)
    login = g.body(
        ("login_html",),
        lambda: (
            "<!DOCTYPE html>\n<html><head><title>Netflix: Sign In</title></head><body>"
            '<form method="post" action="/oauth/login"><h1>Sign in to allow access</h1>'
            '<input name="login"><input name="password" type="password"></form></body></html>'
        ),
        "text/html",
    )
    events.append(g.ev("GET", url2, 200, login, g.hdrs("text/html"), c))
    url3, auth3 = g.signed(API, "oauth/access_token", "", c, token=False)
    g.advance(2000, 9000)
    events.append(g.ev("GET", url3, 200, None, None, c, auth3))
    return events


def feed_url(g: Traffic, c: int) -> str:
    user, _ = g.user_path()
    which = g.pick(("rental_history/shipped", "queues/instant/available", "queues/disc/available", "at_home"))
    return (
        f"{API_PUBLIC}/users/{user}/{which}?feed_token={g.pick(g.feed_tokens)}"
        f"&oauth_consumer_key={CONSUMERS[c][1]}&output=rss"
    )


def s_feed(g: Traffic) -> list[Event]:
    c = g.consumer()
    url = feed_url(g, c)
    g.advance()
    body = g.body(
        ("rss",),
        lambda: (
            '<?xml version="1.0" standalone="yes"?>\n<rss version="2.0"><channel><title>Netflix Shipped</title>'
            "<item><title>Moon</title></item></channel></rss>"
        ),
        "application/rss+xml",
    )
    return [g.ev("GET", url, 200, body, g.hdrs("application/rss+xml"), c)]


def s_feeds_list(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    url, auth = g.signed(API, f"users/{user}/feeds", "", c)
    g.advance()
    return [g.ev("GET", url, 200, None, None, c, auth)]


# documented errors


def s_401_token(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    which = g.pick(("queues/disc", "queues/instant", "at_home", "recommendations", "title_states"))
    url, auth = g.signed(API, f"users/{user}/{which}", "", c)
    g.advance()
    msg = g.pick(
        (
            "Access token is invalid",
            "Access token is invalid",
            "Access token validation failed",
            "User ID access token mismatch",
            "Invalid signature",
        )
    )
    return [g.ev("GET", url, 401, g.status_xml(401, None, msg), g.hdrs("application/xml"), c, auth)]


def s_404(g: Traffic) -> list[Event]:
    c = g.consumer()
    url, auth = g.signed(API, f"catalog/titles/movies/{int(g.rnd() * 10**8)}", "", c, token=False)
    g.advance()
    return [
        g.ev(
            "GET",
            url,
            404,
            g.status_xml(404, None, "Resource not found", decl=g.rnd() < 0.5),
            g.hdrs("application/xml"),
            c,
            auth,
        )
    ]


def s_400_max_results(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    bad = g.pick(("-1", "0", "abc", "1e3", "%2010"))
    target = g.pick(
        (
            ("catalog/titles", f"term={g.pick(g.terms)}&", False),
            (f"users/{user}/queues/disc", "", True),
            (f"users/{user}/rental_history", "", True),
            ("catalog/people", "term=tom&", False),
        )
    )
    url, auth = g.signed(API, target[0], f"{target[1]}max_results={bad}", c, token=target[2])
    g.advance()
    msg = "Query parameter max_results must be a positive integer."
    if g.rnd() < 0.3:
        url = url.replace("?", "?output=json&", 1)
        body, mime = g.status_json(400, 120, msg), "application/json"
    else:
        body, mime = g.status_xml(400, 120, msg), "application/xml"
    return [g.ev("GET", url, 400, body, g.hdrs(mime), c, auth)]


def _queue_post(g: Traffic, status: int, body: Body, method: str = "POST") -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    title = g.pick(g.titles)
    url, auth = g.signed(API, f"users/{user}/queues/instant", f"title_ref={_title_ref(title)}", c)
    g.advance()
    return [g.ev(method, url, status, body, g.hdrs("application/xml"), c, auth)]


def s_412_710(g: Traffic) -> list[Event]:
    return _queue_post(g, 412, g.status_xml(412, 710, "Title already in queue"))


def s_400_queue(g: Traffic) -> list[Event]:
    sub, msg = g.pick(
        (
            (130, "Title not found or not available"),
            (620, "Title is saved; cannot move it"),
            (650, "Queue is too large"),
            (660, "Invalid title format"),
            (690, "Title currently at home"),
            (None, "Cannot move a series parent title"),
        )
    )
    return _queue_post(g, 400, g.status_xml(400, sub, msg))


def s_401_feed(g: Traffic) -> list[Event]:
    c = g.consumer()
    url = feed_url(g, c)
    g.advance()
    msg = g.pick(("Bad feed token", "User not found", "Mismatch between user token and feed token"))
    return [g.ev("GET", url, 401, g.status_xml(401, None, msg), g.hdrs("application/xml"), c)]


def s_403_feed(g: Traffic) -> list[Event]:
    c = g.consumer()
    url = feed_url(g, c)
    g.advance()
    body = g.status_xml(403, None, "Invalid feed token")
    return [g.ev("GET", url, 403, body, g.hdrs("application/xml"), c)]


def s_401_oauth(g: Traffic) -> list[Event]:
    c = g.consumer()
    path = g.pick(("oauth/access_token", "oauth/request_token"))
    url, auth = g.signed(API, path, "", c, token=path == "oauth/access_token")
    g.advance()
    msg = g.pick(
        ("Expired or bad request token", "Unable to find or verify access token credentials", "Consumer key mismatch")
    )
    return [g.ev("GET", url, 401, g.status_xml(401, None, msg), g.hdrs("application/xml"), c, auth)]


def s_401_login(g: Traffic) -> list[Event]:
    c = g.consumer()
    url = (
        f"{API_USER}/oauth/login?application_name={quote(CONSUMERS[c][0], safe='')}"
        f"&oauth_token={g.pick(g.request_tokens)}&oauth_consumer_key={CONSUMERS[c][1]}"
    )
    g.advance()
    msg = g.pick(("Authorization failed", "User must accept terms of use."))
    return [g.ev("POST", url, 401, g.status_xml(401, None, msg), g.hdrs("application/xml"), c)]


def s_500(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    url, auth = g.signed(API, f"users/{user}/recommendations", "max_results=25", c)
    g.advance(200, 3000)
    body = g.status_xml(500, None, "Internal error")
    return [g.ev("GET", url, 500, body, g.hdrs("application/xml"), c, auth)]


def s_422(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    title = g.pick(g.titles)
    params = f"title_ref={_title_ref(title)}&rating=4"
    url, auth = g.signed(API, f"users/{user}/ratings/title/actual", params, c)
    g.advance()
    body = g.status_xml(422, None, "Title has already been rated")
    return [g.ev("POST", url, 422, body, g.hdrs("application/xml"), c, auth)]


def s_412_modified(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    url, auth = g.signed(API, f"users/{user}/queues/disc", f"etag={g.pick(g.etags)}&position=3", c)
    g.advance()
    body = g.status_xml(412, None, "Precondition failed. Resource has been modified.")
    return [g.ev("PUT", url, 412, body, g.hdrs("application/xml"), c, auth)]


def s_404_json(g: Traffic) -> list[Event]:
    c = g.consumer()
    url, auth = g.signed(API, f"catalog/people/{int(g.rnd() * 10**8)}", "output=json", c, token=False)
    g.advance()
    return [g.ev("GET", url, 404, g.status_json(404, None, "Resource not found"), g.hdrs("application/json"), c, auth)]


def s_401_jsonp(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    fn = g.pick(("fn", "jsonp1291939200", "Netflix.handle"))
    url, auth = g.signed(API, f"users/{user}/queues/instant", f"output=json&callback={fn}", c)
    g.advance()
    body = g.status_json(401, None, "Access token is invalid", callback=fn)
    return [g.ev("GET", url, 401, body, g.hdrs("text/javascript"), c, auth)]


def s_v15_404(g: Traffic) -> list[Event]:
    """API 1.5: `<status><message>` without a code; the HTTP status is the code."""
    c = g.consumer()
    url, auth = g.signed(API, f"catalog/titles/movies/{int(g.rnd() * 10**8)}", "v=1.5", c, token=False)
    g.advance()
    body = g.status_xml(None, None, "Resource not found", decl=False)
    return [g.ev("GET", url, 404, body, g.hdrs("application/xml"), c, auth)]


def s_v15_400(g: Traffic) -> list[Event]:
    """API 1.5 words the 400 as "[PARAMETER_NAME] is invalid"; the 1.0 table says "parameter name"."""
    c = g.consumer()
    params = f"v=1.5&term={g.pick(g.terms)}&max_results=-5"
    url, auth = g.signed(API, "catalog/titles", params, c, token=False)
    g.advance()
    body = g.status_xml(None, None, "max_results is invalid", decl=False)
    return [g.ev("GET", url, 400, body, g.hdrs("application/xml"), c, auth)]


def s_suppressed(g: Traffic) -> list[Event]:
    """`suppress_response_codes=true`: HTTP 200, the real status only in the body."""
    c = g.consumer()
    user, _ = g.user_path()
    url, auth = g.signed(API, f"users/{user}/queues/disc", "suppress_response_codes=true", c)
    g.advance()
    if g.rnd() < 0.3:
        url = url.replace("?", "?output=json&", 1)
        body, mime = g.status_json(401, None, "Access token is invalid"), "application/json"
    else:
        body, mime = g.status_xml(401, None, "Access token is invalid"), "application/xml"
    return [g.ev("GET", url, 200, body, g.hdrs(mime), c, auth)]


def s_truncated(g: Traffic) -> list[Event]:
    """A body cut off by the logger's size limit or a dropped connection."""
    c = g.consumer()
    if g.rnd() < 0.6:
        title = g.pick(g.titles)
        url, auth = g.signed(API, f"catalog/titles/{title[1]}/{title[0]}", "", c, token=False)
        cut = 60 + int(title[0]) % 120
        full = g.title_xml(title).text
        body = g.body(("trunc", title[0], cut), lambda: full[:cut], "application/xml")
        status = 200
    else:
        user, _ = g.user_path()
        url, auth = g.signed(API, f"users/{user}/at_home", "", c)
        cut_off = '<?xml version="1.0" standalone="yes"?>\n<status><status_code>500</status_code><message>Inter'
        body = g.body(("trunc500",), lambda: cut_off, "application/xml")
        status = 500
    g.advance()
    return [g.ev("GET", url, status, body, g.hdrs("application/xml"), c, auth)]


def s_proxy_502(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    url, auth = g.signed(API, f"users/{user}/queues/instant", "max_results=50", c)
    g.advance(1000, 30000)
    body = g.body(
        ("502",),
        lambda: (
            '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body bgcolor="white">\r\n'
            "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/0.7.65</center>\r\n"
            "</body>\r\n</html>\r\n"
        ),
        "text/html",
    )
    return [g.ev("GET", url, 502, body, g.hdrs("text/html"), c, auth)]


def s_gateway_504(g: Traffic) -> list[Event]:
    c = g.consumer()
    url, auth = g.signed(API, "catalog/titles", f"term={g.pick(g.terms)}&max_results=100", c, token=False)
    g.advance(5000, 30000)
    return [
        g.ev(
            "GET",
            url,
            504,
            g.gateway("504 Gateway Timeout"),
            g.hdrs("text/xml", ("X-Mashery-Error-Code", "ERR_504_GATEWAY_TIMEOUT")),
            c,
            auth,
        )
    ]


def s_gateway_414(g: Traffic) -> list[Event]:
    c = g.consumer()
    user, _ = g.user_path()
    url, auth = g.signed(API, f"users/{user}/ratings/title", f"title_refs={g.huge_title_refs}", c)
    g.advance()
    return [
        g.ev(
            "GET",
            url,
            414,
            g.gateway("414 Request-URI Too Long"),
            g.hdrs("text/xml", ("X-Mashery-Error-Code", "ERR_414_REQUEST_URI_TOO_LONG")),
            c,
            auth,
        )
    ]


# anomalies from the seed's comments


def s_405_login(g: Traffic) -> list[Event]:
    """Doug: 405 from oauth/login, intermittent; the retry succeeded."""
    c = g.consumer()
    app, key = CONSUMERS[c][0], CONSUMERS[c][1]
    rtok = g.pick(g.request_tokens)
    callback = quote(f"http://app{c}.example.com/my/path/?request_token={rtok}", safe=":/")
    events = []
    for status in (405, 200):
        url = (
            f"{API_USER}/oauth/login?application_name={quote(app, safe='')}&oauth_token={rtok}"
            f"&oauth_consumer_key={key}&oauth_callback={callback}"
            f"&request_token_secret={g.pick(g.token_secrets)}&oauth_timestamp={g.t // 1000}"
            f"&oauth_nonce={g.pick(g.nonces)}&oauth_signature_method=HMAC-SHA1"
            f"&oauth_signature={g.pick(g.signatures)}"
        )
        g.advance(300, 3000)
        if status == 405:
            events.append(
                g.ev("GET", url, 405, g.status_xml(405, None, "Method not allowed"), g.hdrs("application/xml"), c)
            )
        else:
            events.append(g.ev("GET", url, 200, None, g.hdrs("text/html"), c))
    return events


def s_412_999(g: Traffic) -> list[Event]:
    """A subcode the table does not list (written `<subcode>`, as some clients see it)."""
    return _queue_post(g, 412, g.status_xml(412, 999, "Precondition failed", sub_tag="subcode"))


def s_400_777(g: Traffic) -> list[Event]:
    return _queue_post(g, 400, g.status_xml(400, 777, "Title is not in the requested format"))


def s_412_disc_exists(g: Traffic) -> list[Event]:
    """eddiewebb: 412/710 with "disc already exists in queue"."""
    return _queue_post(g, 412, g.status_xml(412, 710, "disc already exists in queue"))


def s_qps_burst(g: Traffic) -> list[Event]:
    """Edward: expand the 7 cast members of a title within one second; calls 5-7 hit the 4/s limit."""
    c = g.consumer()
    tid, kind, *_ = g.pick(g.titles)
    url, auth = g.signed(API, f"catalog/titles/{kind}/{tid}/cast", "", c, token=False)
    g.advance()
    events = [g.ev("GET", url, 200, cast_body(g, tid), g.hdrs("application/xml"), c, auth)]
    start = tid % (len(g.people) - 7)
    g.advance(50, 100)
    first = g.t
    bare = g.rnd() < 0.3  # the gateway sometimes omits the status number
    for n, (pid, pname) in enumerate(g.people[start : start + 7]):
        t = first + n * 110 + int(g.rnd() * 30)  # 7 calls in under one second
        url, auth = g.signed(API, f"catalog/people/{pid}", "", c, token=False, t=t)
        if n < 4:
            body, headers = person_body(g, pid, pname), g.hdrs("application/xml")
            events.append(g.ev("GET", url, 200, body, headers, c, auth, t))
        else:
            body = g.gateway("Developer Over Qps" if bare else "403 Developer Over Qps")
            headers = g.hdrs("text/xml", ("X-Mashery-Error-Code", "ERR_403_DEVELOPER_OVER_QPS"), ("Retry-After", "1"))
            events.append(g.ev("GET", url, 403, body, headers, c, auth, t))
    g.t = events[-1][0]
    return events


def s_qps_feed(g: Traffic) -> list[Event]:
    """The same gateway refusal on a feed request: 403 is documented there, with another message."""
    c = g.consumer()
    url = feed_url(g, c)
    g.advance()
    headers = g.hdrs("text/xml", ("X-Mashery-Error-Code", "ERR_403_DEVELOPER_OVER_QPS"), ("Retry-After", "1"))
    return [g.ev("GET", url, 403, g.gateway("403 Developer Over Qps"), headers, c)]


def s_over_rate(g: Traffic) -> list[Event]:
    """The daily quota: `Developer Over Rate` on a catalog search."""
    c = g.consumer()
    url, auth = g.signed(API, "catalog/titles", f"term={g.pick(g.terms)}", c, token=False)
    g.advance()
    headers = g.hdrs("text/xml", ("X-Mashery-Error-Code", "ERR_403_DEVELOPER_OVER_RATE"))
    return [g.ev("GET", url, 403, g.gateway("Developer Over Rate"), headers, c, auth)]


# incidents (with --incidents only: DOMAIN.md §8's causes, with known ground truth)


def s_outage(g: Traffic) -> list[Event]:
    """A back end down for a few minutes: 503s from every consumer on catalog/titles, gaps under
    300 s (one burst episode); about half are retried successfully by the same consumer 1-40 s later,
    while the outage lasts (the retry hits a healthy node)."""
    events = []
    headers = g.hdrs("text/html")
    body = g.body(("503",), lambda: "<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html")
    for _ in range(5 + int(g.rnd() * 30)):
        c = g.consumer()
        url, auth = g.signed(API, f"catalog/titles/movies/{g.pick(g.titles)[0]}", "", c, token=False)
        g.advance(500, 20_000)
        events.append(g.ev("GET", url, 503, body, headers, c, auth))
        if g.rnd() < 0.5:
            retry, auth = g.signed(API, url.split("?")[0].split("/", 3)[3], "expand=synopsis", c, token=False)
            g.advance(1000, 39_000)
            events.append(g.ev("GET", retry, 200, g.title_xml(g.titles[0]), g.hdrs("application/xml"), c, auth))
    return events


def s_retry_504(g: Traffic) -> list[Event]:
    """An intermittent gateway timeout on a search: the same consumer's retry, 0.2-50 s later, succeeds."""
    c = g.consumer()
    term = g.pick(g.terms)
    url, auth = g.signed(API, "catalog/titles", f"term={term}&max_results=25", c, token=False)
    g.advance(5000, 30000)
    headers = g.hdrs("text/xml", ("X-Mashery-Error-Code", "ERR_504_GATEWAY_TIMEOUT"))
    events = [g.ev("GET", url, 504, g.gateway("504 Gateway Timeout"), headers, c, auth)]
    g.advance(200, 50_000)
    retry, auth = g.signed(API, "catalog/titles", f"term={term}&max_results=25", c, token=False)
    events.append(g.ev("GET", retry, 200, None, g.hdrs("application/xml"), c, auth))
    return events


def s_qps_storm(g: Traffic) -> list[Event]:
    """A client loop: one consumer makes 6-12 searches within one calendar second; the calls after the
    4th are refused with `403 Developer Over Qps`."""
    c = g.consumer()
    g.advance(1000, 2000)
    second = g.t - g.t % 1000
    calls = 6 + int(g.rnd() * 7)
    headers = g.hdrs("text/xml", ("X-Mashery-Error-Code", "ERR_403_DEVELOPER_OVER_QPS"), ("Retry-After", "1"))
    events = []
    for n in range(calls):
        t = second + n * (990 // calls)
        url, auth = g.signed(API, "catalog/titles", f"term={g.pick(g.terms)}", c, token=False, t=t)
        if n < 4:
            events.append(g.ev("GET", url, 200, None, g.hdrs("application/xml"), c, auth, t))
        else:
            events.append(g.ev("GET", url, 403, g.gateway("403 Developer Over Qps"), headers, c, auth, t))
    g.t = events[-1][0]
    return events


INCIDENTS: tuple[tuple[str, int], ...] = (("outage", 10), ("retry_504", 60), ("qps_storm", 60))

# (scenario, relative weight): about 93% successes, 6% documented errors, 0.4% flagged, 0.8% anomalies
# (per scenario drawn; a qps_burst is 8 records, an oauth_dance 3).
SCENARIOS: tuple[tuple[str, int], ...] = (
    # successes
    ("get_title", 22_000),
    ("search", 15_000),
    ("autocomplete", 7_000),
    ("title_sub", 10_000),
    ("person", 4_000),
    ("queue", 9_000),
    ("user", 3_000),
    ("ratings", 4_500),
    ("user_lists", 6_000),
    ("not_modified", 2_000),
    ("post_created", 2_500),
    ("post_partial", 150),
    ("clock", 800),
    ("oauth_dance", 400),
    ("feed", 2_000),
    ("feeds_list", 500),
    # documented errors
    ("401_token", 1_400),
    ("404", 1_500),
    ("400_max_results", 600),
    ("412_710", 400),
    ("400_queue", 300),
    ("401_feed", 150),
    ("403_feed", 60),
    ("401_oauth", 200),
    ("401_login", 100),
    ("500", 150),
    ("422", 100),
    ("412_modified", 100),
    ("404_json", 400),
    ("401_jsonp", 200),
    ("v15_404", 180),
    # flags
    ("suppressed", 250),
    ("truncated", 120),
    # anomalies
    ("v15_400", 120),
    ("proxy_502", 150),
    ("gateway_504", 40),
    ("gateway_414", 20),
    ("405_login", 100),
    ("412_999", 40),
    ("400_777", 40),
    ("412_disc_exists", 100),
    ("qps_burst", 120),
    ("qps_feed", 40),
    ("over_rate", 30),
)
SCENARIO_FUNCS: dict[str, Callable[[Traffic], list[Event]]] = {
    name: globals()["s_" + name] for name, _ in SCENARIOS + INCIDENTS
}
_CONSUMER_TABLE = [i for i, consumer in enumerate(CONSUMERS) for _ in range(consumer[2])]


def events(traffic: Traffic, records: int) -> Iterator[Event]:
    """Exactly `records` events: the tour of every scenario first, then weighted draws."""
    if records <= 0:
        return
    made = 0
    names = [name for name, _ in traffic.scenarios]
    batch = traffic.tour
    while True:
        for name in batch:
            for event in SCENARIO_FUNCS[name](traffic):
                yield event
                made += 1
                if made >= records:
                    return
        batch = traffic.rng.choices(names, cum_weights=traffic.cum_weights, k=4096)


# --- writers ----------------------------------------------------------------------------------------


class TimeFormats:
    """ISO and nginx time stamps, formatted once per second."""

    def __init__(self) -> None:
        self._iso_s = -1
        self._iso = ""
        self._ngx_s = -1
        self._ngx = ""

    def iso(self, t_ms: int) -> str:
        s, ms = divmod(t_ms, 1000)
        if s != self._iso_s:
            self._iso_s = s
            self._iso = datetime.fromtimestamp(s, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._iso}.{ms:03d}Z"

    def nginx(self, t_ms: int) -> str:
        s = t_ms // 1000
        if s != self._ngx_s:
            self._ngx_s = s
            d = datetime.fromtimestamp(s + _NGINX_OFFSET_S, tz=timezone.utc)
            sign = "-" if _NGINX_OFFSET_S < 0 else "+"
            off = abs(_NGINX_OFFSET_S) // 60
            self._ngx = f"{d.day:02d}/{_MONTHS[d.month - 1]}/{d.year}:{d:%H:%M:%S} {sign}{off // 60:02d}{off % 60:02d}"
        return self._ngx


_UA_JSON = [json_str(c[3]) for c in CONSUMERS]
_UA_NGINX = [nginx_escape(c[3]) for c in CONSUMERS]


def jsonl_line(ev: Event, tf: TimeFormats, traffic: Traffic) -> str:
    t, method, url, status, body, headers, c, _ = ev
    ip = traffic.consumer_ips[c][t % 3]
    duration = 8 + (t * 7919) % 300
    hdr = f',"response_headers":{headers.json}' if headers else ""
    return (
        f'{{"time":"{tf.iso(t)}","method":"{method}","url":"{url}","status":{status},'
        f'"body":{body.json if body else "null"},"client":"{ip}","user_agent":{_UA_JSON[c]},'
        f'"duration_ms":{duration}{hdr}}}\n'
    )


def combined_line(ev: Event, tf: TimeFormats, traffic: Traffic) -> str:
    t, method, url, status, body, _, c, _ = ev
    ip = traffic.consumer_ips[c][t % 3]
    # A forward proxy logs the absolute URL; the API's own front end logs the path.
    target = url if t % 3 == 0 else "/" + url.split("/", 3)[3]
    if body is None:
        return f'{ip} - - [{tf.nginx(t)}] "{method} {target} HTTP/1.1" {status} 0 "-" "{_UA_NGINX[c]}" "-"\n'
    return (
        f'{ip} - - [{tf.nginx(t)}] "{method} {target} HTTP/1.1" {status} {body.nbytes} "-" '
        f'"{_UA_NGINX[c]}" "{body.nginx}"\n'
    )


def _query_string(url: str) -> str:
    _, _, query = url.partition("?")
    if not query:
        return ""
    out = []
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        value_json = json_str(unquote(value)) if "%" in value else f'"{value}"'
        out.append(f'{{"name":"{name}","value":{value_json}}}')
    return ",".join(out)


def har_entry(ev: Event, tf: TimeFormats, traffic: Traffic) -> str:
    t, method, url, status, body, headers, c, auth = ev
    host = url.split("/", 3)[2]
    req_headers = f'{{"name":"Host","value":"{host}"}},{{"name":"User-Agent","value":{_UA_JSON[c]}}}'
    if auth:
        req_headers += f',{{"name":"Authorization","value":{json_str(auth)}}}'
    wait = 8 + (t * 7919) % 300
    if body is None:
        content = '{"size":0,"mimeType":"x-unknown"}'
        size = 0
    else:
        size = body.nbytes
        if t % 4 == 1:
            content = f'{{"size":{size},"mimeType":"{body.mime}","text":"{body.b64}","encoding":"base64"}}'
        else:
            content = f'{{"size":{size},"mimeType":"{body.mime}","text":{body.json}}}'
    status_text = _STATUS_TEXT.get(status, "")
    resp_headers = headers.har if headers else ""
    return (
        f'{{"startedDateTime":"{tf.iso(t)}","time":{wait + 3},'
        f'"request":{{"method":"{method}","url":"{url}","httpVersion":"HTTP/1.1","cookies":[],'
        f'"headers":[{req_headers}],"queryString":[{_query_string(url)}],"headersSize":-1,"bodySize":0}},'
        f'"response":{{"status":{status},"statusText":"{status_text}","httpVersion":"HTTP/1.1","cookies":[],'
        f'"headers":[{resp_headers}],"content":{content},'
        f'"redirectURL":"","headersSize":-1,"bodySize":{size}}},"cache":{{}},'
        f'"timings":{{"blocked":-1,"dns":-1,"connect":-1,"send":1,"wait":{wait},"receive":2,"ssl":-1}}}}'
    )


# --- dirty lines ----------------------------------------------------------------------------------


def dirty_lines(fmt: str, kind: str, t_ms: int, tf: TimeFormats) -> str:
    """One bad line (or HAR entry) of `kind`; invalid bytes are carried as surrogate escapes."""
    iso = tf.iso(t_ms)
    if fmt == "jsonl":
        if kind == "not_json":
            return (
                f'{{"time":"{iso}","method":"GET","url":"{API}/catalog/titles?term=lost'
                f'&oauth_consumer_key={CONSUMERS[1][1]}","status":20\n'
            )  # a line cut off mid-write
        if kind == "missing_status":
            return (
                f'{{"time":"{iso}","method":"GET","url":"{API}/users/current?oauth_consumer_key='
                f'{CONSUMERS[0][1]}","body":null,"client":"192.0.2.10","duration_ms":30001}}\n'
            )
        if kind == "blank":
            return "\n   \n"
        # Latin-1 bytes written raw by a logger that does not encode: 0xE9 is not UTF-8.
        return (
            f'{{"time":"{iso}","method":"GET","url":"{API}/catalog/titles?term=am%C3%A9lie","status":404,'
            f'"body":"<status><message>Am\udce9lie not found</message></status>"}}\n'
        )
    if fmt == "combined_body":
        ngx = tf.nginx(t_ms)
        if kind == "not_json":  # a partial write, then a line from another program
            return (
                f'203.0.113.9 - - [{ngx}] "GET /catalog/titles?term=star%20tr\n'
                f"{ngx[:11]} worker process 4021 exited on signal 9\n"
            )
        if kind == "missing_status":
            return f'198.51.100.7 - - [{ngx}] "GET /users/current HTTP/1.1" - 0 "-" "Python-urllib/2.6" "-"\n'
        if kind == "blank":
            return "\n\t\n"
        # Raw (unescaped) non-UTF-8 bytes from a misconfigured logger: still a record.
        return (
            f'192.0.2.44 - - [{ngx}] "GET /catalog/titles?term=am%E9lie HTTP/1.1" 200 0 "-" "Caf\udce9Player/1.0" "-"\n'
        )
    # har
    if kind == "not_json":  # an aborted request: devtools records status 0
        return (
            f'{{"startedDateTime":"{iso}","time":0,"request":{{"method":"GET",'
            f'"url":"{API}/catalog/people/1?oauth_consumer_key={CONSUMERS[3][1]}","headers":[]}},'
            '"response":{"status":0,"statusText":"",'
            '"headers":[],"content":{"size":0,"mimeType":"x-unknown"}}}'
        )
    return (
        f'{{"time":12,"request":{{"method":"GET","url":"{API}/catalog/titles/index"}},'
        '"response":{"status":200,"headers":[],"content":{"size":0}}}'
    )


DIRTY_KINDS = {
    "jsonl": ("not_json", "missing_status", "blank", "bad_utf8"),
    "combined_body": ("not_json", "missing_status", "blank", "bad_utf8"),
    "har": ("not_json", "missing_time"),
}


def dirty_plan(fmt: str, records: int, seed: int) -> dict[int, list[str]]:
    """Record index -> the bad lines written after it: a few of each kind, at least one."""
    rng = random.Random(f"statuslens-dirty-{seed}")
    per_kind = max(1, records // 25_000)
    plan: dict[int, list[str]] = {}
    for kind in DIRTY_KINDS[fmt]:
        for _ in range(per_kind):
            plan.setdefault(rng.randrange(records), []).append(kind)
    return plan


# --- main -----------------------------------------------------------------------------------------


def parse_start(text: str) -> int:
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return calendar.timegm(stamp.utctimetuple()) * 1000 + stamp.microsecond // 1000


def generate(
    out: Writable,
    records: int,
    fmt: str,
    seed: int = 0,
    dirty: bool = False,
    start: str = DEFAULT_START,
    incidents: bool = False,
) -> int:
    """Write the corpus to `out`; returns the number of records written (bad lines not counted).
    `incidents` adds outages, retried gateway timeouts and rate-limit storms (other bytes change too:
    the draws differ)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    traffic = Traffic(seed, parse_start(start), incidents)
    traffic.header_auth = fmt == "har"
    tf = TimeFormats()
    plan = dirty_plan(fmt, records, seed) if dirty and records > 0 else {}
    line = {"jsonl": jsonl_line, "combined_body": combined_line, "har": har_entry}[fmt]
    block: list[str] = []
    sep = ",\n" if fmt == "har" else ""
    if fmt == "har":
        bom = "\ufeff" if dirty else ""
        out.write(
            (
                bom + '{"log":{"version":"1.2","creator":{"name":"statuslens generate_corpus",'
                '"version":"1"},"pages":[],"entries":[\n'
            ).encode("utf-8")
        )
    written = 0
    lead = ""  # the separator owed before the next block (HAR entries are comma-separated)
    for index, event in enumerate(events(traffic, records)):
        block.append(line(event, tf, traffic))
        for kind in plan.get(index, ()):
            block.append(dirty_lines(fmt, kind, event[0], tf))
        written += 1
        if len(block) >= _BLOCK_LINES:
            out.write((lead + sep.join(block)).encode("utf-8", "surrogateescape"))
            lead = sep
            block.clear()
    tail = lead + sep.join(block) if block else ""
    if fmt == "har":
        tail += "\n]}}\n"
    out.write(tail.encode("utf-8", "surrogateescape"))
    return written


class BackgroundWriter:
    """Hands blocks to a thread that writes them (zlib releases the GIL: compress while generating)."""

    def __init__(self, target: Writable) -> None:
        self.target = target
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="corpus-writer", daemon=True)
        self.thread.start()

    def write(self, data: bytes) -> int:
        if self.error is not None:
            raise self.error
        self.queue.put(data)
        return len(data)

    def _run(self) -> None:
        while True:
            data = self.queue.get()
            if data is None:
                return
            if self.error is None:
                try:
                    self.target.write(data)
                except BaseException as exc:  # surfaced in the main thread
                    self.error = exc

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, required=True, help="number of records (bad lines not counted)")
    parser.add_argument("--format", choices=FORMATS, required=True)
    parser.add_argument("--out", required=True, help="output file ('-' for stdout)")
    parser.add_argument("--gzip", action="store_true", help="gzip the output (deterministic: mtime 0, no name)")
    parser.add_argument(
        "--gzip-level",
        type=int,
        default=1,
        choices=range(1, 10),
        metavar="1-9",
        help="zlib level (default 1: fast, for benchmark inputs)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--dirty",
        action="store_true",
        help="add a few bad lines: not JSON / not a log line, missing status, blank lines, "
        "invalid UTF-8 (HAR: status 0, no startedDateTime, a BOM)",
    )
    parser.add_argument("--start", default=DEFAULT_START, help=f"time of the first record (default {DEFAULT_START})")
    parser.add_argument(
        "--incidents",
        action="store_true",
        help="add outages (503 bursts, half retried), retried 504s and rate-limit storms (403 Developer Over Qps)",
    )
    args = parser.parse_args(argv)
    if args.records < 0:
        parser.error("--records must be >= 0")
    raw: IO[bytes] = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")  # noqa: SIM115
    try:
        if args.gzip:
            with (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=args.gzip_level, mtime=0) as gz,
                BackgroundWriter(gz) as out,
            ):
                generate(out, args.records, args.format, args.seed, args.dirty, args.start, args.incidents)
        else:
            generate(raw, args.records, args.format, args.seed, args.dirty, args.start, args.incidents)
    finally:
        if raw is not sys.stdout.buffer:
            raw.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
