"""Turn one RawRecord into its annotated record (DOMAIN.md §6 `annotated/` fields).

`Annotator` holds what every record needs (catalog, template matcher, a cache of explanations) and
is built once per DoFn in `setup()`; `annotate` is the pure per-record step under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from statuslens.transforms.body import BodyInfo, parse_body
from statuslens.transforms.catalog import Catalog
from statuslens.transforms.classify import DOCUMENTED, Verdict, classify, explain
from statuslens.transforms.records import RawRecord
from statuslens.transforms.redact import redact_text, redact_url, scrub
from statuslens.transforms.resources import ResourceMatcher, split_url
from statuslens.transforms.scopes import RequestFacts
from statuslens.transforms.timestamps import format_time

__all__ = ["FLAGS", "FLAG_BODY_UNPARSEABLE", "FLAG_HTTP_STATUS_MISMATCH", "Annotator"]

FLAG_HTTP_STATUS_MISMATCH = "http_status_mismatch"
FLAG_BODY_UNPARSEABLE = "body_unparseable"
FLAGS = (FLAG_BODY_UNPARSEABLE, FLAG_HTTP_STATUS_MISMATCH)
_OAUTH_HEADER_KEY_RE = re.compile(r'oauth_consumer_key="?([^",\s]+)')
_GATEWAY_HEADER = "x-mashery-error-code"


@dataclass(slots=True)  # made per record; treated as read-only
class Judgement:
    """A record's verdict and the facts behind it."""

    code: int
    body: BodyInfo
    request: RequestFacts
    verdict: Verdict
    flags: list[str]
    consumer: str | None


class Annotator:
    """Annotates records against one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.matcher = ResourceMatcher(r.template for r in catalog.resources)
        self.collections = catalog.collections
        self._explanations: dict[tuple[Any, ...], str] = {}

    def annotate(self, raw: RawRecord, source: str) -> dict[str, Any]:
        """The annotated record; `explanation` is added for records that are not documented."""
        return self.render(raw, self.judge(raw), source)

    def judge(self, raw: RawRecord) -> Judgement:
        """Everything the verdict needs, and nothing an output-only field needs (that is `render`)."""
        path, query = split_url(raw.url)
        resource, _ = self.matcher.match(path)
        params, consumer = _query_facts(query)
        if consumer is None and raw.authorization:
            found = _OAUTH_HEADER_KEY_RE.search(raw.authorization)
            consumer = unquote_plus(found.group(1)) if found else None
        body = parse_body(raw.body, raw.headers.get(_GATEWAY_HEADER))
        code = body.status_code if body.status_code is not None else raw.http_status
        request = RequestFacts(method=raw.method, resource=resource, query_params=params,
                               is_collection=resource in self.collections)
        verdict = classify(self.catalog, code, body.sub_code, body.message, request)
        flags = []
        if body.unparseable:
            flags.append(FLAG_BODY_UNPARSEABLE)
        if body.status_code is not None and body.status_code != raw.http_status:
            flags.append(FLAG_HTTP_STATUS_MISMATCH)
        return Judgement(code, body, request, verdict, flags, consumer)

    def render(self, raw: RawRecord, judged: Judgement, source: str) -> dict[str, Any]:
        """The redacted output record of a judged record (only records that reach an output pay this)."""
        body = judged.body
        url, secrets = redact_url(raw.url)
        message = body.message
        if message is not None:
            message = scrub(redact_text(message), secrets)
        record: dict[str, Any] = {
            "time": format_time(raw.time_ms),
            "method": raw.method,
            "url": url,
            "resource": judged.request.resource,
            "http_status": raw.http_status,
            "status_code": judged.code,
            "sub_code": body.sub_code,
            "message": message,
            "body_format": body.body_format,
            "gateway_code": body.gateway_code,
            "verdict": judged.verdict.verdict,
            "flags": judged.flags,
            "catalog_message": judged.verdict.catalog_message,
            "consumer": judged.consumer,
            "source": source,
        }
        if judged.verdict.verdict != DOCUMENTED:
            record["explanation"] = self._explain(judged.verdict.verdict, judged.code, body.sub_code, message,
                                                  judged.request)
        return record

    def _explain(self, verdict: str, code: int, sub_code: int | str | None, message: str | None,
                 request: RequestFacts) -> str:
        key = (verdict, code, sub_code, message, request)  # the text quotes the message as written
        text = self._explanations.get(key)
        if text is None:
            if len(self._explanations) > 10_000:
                self._explanations.clear()
            text = explain(self.catalog, verdict, code, sub_code, message, request)
            self._explanations[key] = text
        return text


def _query_facts(query: str) -> tuple[frozenset[str], str | None]:
    """The query's parameter names, and its oauth_consumer_key (an application id, kept)."""
    if not query:
        return frozenset(), None
    names = []
    consumer = None
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        names.append(name)
        if name == "oauth_consumer_key" and value and consumer is None:
            consumer = unquote_plus(value)
    return frozenset(names), consumer
