"""Turn one RawRecord into its annotated record (DOMAIN.md §6 `annotated/` fields).

`Annotator` holds what every record needs (catalog, template matcher, redactor, the memos of the
hot path) and is built once per DoFn in `setup()`; `annotate` is the pure per-record step under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from statuslens.transforms.memo import (
    BODY_INFOS,
    EXPLANATIONS,
    MEMO_BODY_BYTES,
    PATH_VERDICTS,
    REQUEST_FREE_VERDICTS,
    SCOPE_FREE,
    BoundedMemo,
)
from statuslens.transforms.model.records import AnnotatedRecord, RawRecord
from statuslens.transforms.model.times import format_time
from statuslens.transforms.redact import Redactor, header_secrets
from statuslens.transforms.verdicts.body import BodyInfo, parse_body
from statuslens.transforms.verdicts.catalog import Catalog
from statuslens.transforms.verdicts.classify import (
    DOCUMENTED,
    NEEDS_NOTHING,
    NEEDS_PATH,
    Verdict,
    classify,
    explain,
    scope_inputs,
)
from statuslens.transforms.verdicts.consumers import ConsumerFinder
from statuslens.transforms.verdicts.envelopes import DEFAULT_ENVELOPE
from statuslens.transforms.verdicts.resources import ResourceMatcher, split_url
from statuslens.transforms.verdicts.scopes import RequestFacts

__all__ = ["FLAGS", "FLAG_BODY_UNPARSEABLE", "FLAG_HTTP_STATUS_MISMATCH", "Annotator", "Judgement"]

FLAG_HTTP_STATUS_MISMATCH = "http_status_mismatch"
FLAG_BODY_UNPARSEABLE = "body_unparseable"
FLAGS = (FLAG_BODY_UNPARSEABLE, FLAG_HTTP_STATUS_MISMATCH)
_GATEWAY_HEADER = "x-mashery-error-code"
_NO_BODY = parse_body(None)
# Stands in for the request when the verdict cannot depend on it (see Annotator.judge).
_ANY_REQUEST = RequestFacts(method="", resource="", query_params=frozenset(), is_collection=False)


@dataclass(slots=True)  # made per record; treated as read-only
class Judgement:
    """A record's verdict and the facts behind it.

    `request` and `consumer` are None when the verdict did not need them (every candidate row applies
    to all requests); `render` works them out for the records that reach an output.
    """

    code: int
    body: BodyInfo
    request: RequestFacts | None
    verdict: Verdict
    flags: list[str]
    consumer: str | None = None


class Annotator:
    """Annotates records against one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.matcher = ResourceMatcher(
            (r.template for r in catalog.resources), catalog.base_paths, catalog.any_variable
        )
        self.collections = catalog.collections
        self.templates = frozenset(r.template for r in catalog.resources)
        self.redactor = Redactor()
        self.consumers = ConsumerFinder(catalog.consumer)
        # The catalog's envelope (§9); an unpickled copy of the default is swapped for the default
        # itself, so parse_body knows the Netflix envelope by identity.
        self.envelope = DEFAULT_ENVELOPE if catalog.envelope == DEFAULT_ENVELOPE else catalog.envelope
        # Memos of the hot path, bounded in entries and in the characters they hold (transforms/memo.py).
        self._explanations: BoundedMemo[tuple[Any, ...], str] = BoundedMemo(EXPLANATIONS)
        # (code, sub_code, message) -> verdict, for the codes whose verdict no request fact changes.
        self._request_free: BoundedMemo[tuple[Any, ...], Verdict] = BoundedMemo(REQUEST_FREE_VERDICTS)
        # (code, sub_code, message, method, resource) -> verdict, for codes whose scopes read only those.
        self._path_verdicts: BoundedMemo[tuple[Any, ...], Verdict] = BoundedMemo(PATH_VERDICTS)
        self._scope_needs: BoundedMemo[tuple[int, Any], int] = BoundedMemo(SCOPE_FREE)
        self._bodies: BoundedMemo[tuple[str, str | None], BodyInfo] = BoundedMemo(BODY_INFOS)

    def annotate(self, raw: RawRecord, source: str) -> tuple[AnnotatedRecord, str | None]:
        """The annotated record, and its explanation when it is not documented (see `render`)."""
        return self.render(raw, self.judge(raw), source)

    def judge(self, raw: RawRecord) -> Judgement:
        """Everything the verdict needs, and nothing an output-only field needs (that is `render`).

        Most records carry a code whose candidate rows apply to all requests (200, 304, …): their
        verdict is looked up by (code, sub_code, message) without matching the path or reading the
        query, which is most of the cost of a record.
        """
        body = self._body_info(raw.body, raw.headers.get(_GATEWAY_HEADER)) if raw.body or raw.headers else _NO_BODY
        code = body.status_code if body.status_code is not None else raw.http_status
        flags = []
        if body.unparseable:
            flags.append(FLAG_BODY_UNPARSEABLE)
        if body.status_code is not None and body.status_code != raw.http_status:
            flags.append(FLAG_HTTP_STATUS_MISMATCH)
        key = (code, body.sub_code, body.message)
        verdict = self._request_free.get(key)
        if verdict is not None:
            return Judgement(code, body, None, verdict, flags)
        needs = self._needs(code, body.sub_code)
        if needs == NEEDS_NOTHING:
            verdict = classify(self.catalog, code, body.sub_code, body.message, _ANY_REQUEST)
            self._request_free.put(key, verdict, len(body.message or "") + 16)
            return Judgement(code, body, None, verdict, flags)
        if needs == NEEDS_PATH:  # the scopes read the method and resource only: no query, no consumer
            resource, _ = self.matcher.match(split_url(raw.url)[0])
            path_key = (code, body.sub_code, body.message, raw.method, resource)
            verdict = self._path_verdicts.get(path_key)
            if verdict is None:
                request = RequestFacts(raw.method, resource, frozenset(), resource in self.collections)
                verdict = classify(self.catalog, code, body.sub_code, body.message, request)
                size = len(body.message or "") + len(resource) + len(raw.method) + 16
                self._path_verdicts.put(path_key, verdict, size)
            return Judgement(code, body, None, verdict, flags)
        request, consumer = self.request_facts(raw)
        verdict = classify(self.catalog, code, body.sub_code, body.message, request)
        return Judgement(code, body, request, verdict, flags, consumer)

    def _body_info(self, text: str | None, gateway: str | None) -> BodyInfo:
        """parse_body, remembered for short bodies: APIs answer the same error (and often the same
        representation) many times, and its parse is most of a record's cost. The memo needs no
        envelope in its key: an Annotator reads every body with its one catalog's envelope."""
        if text is None or len(text) > MEMO_BODY_BYTES:
            return parse_body(text, gateway, self.envelope)
        key = (text, gateway)
        info = self._bodies.get(key)
        if info is None:
            info = self._bodies.put(key, parse_body(text, gateway, self.envelope), len(text) + len(gateway or ""))
        return info

    def request_facts(self, raw: RawRecord) -> tuple[RequestFacts, str | None]:
        """The request as scopes see it (resource, query names), and its consumer (§8)."""
        path, query = split_url(raw.url)
        resource, _ = self.matcher.match(path)
        params = _query_names(query)
        consumer = self.consumers.find(raw)
        request = RequestFacts(
            method=raw.method, resource=resource, query_params=params, is_collection=resource in self.collections
        )
        return request, consumer

    def request_free(self, code: int, sub_code: int | str | None) -> bool:
        """Whether no request fact (method, path, query, consumer) can change the verdict of (code, sub_code)."""
        return self._needs(code, sub_code) == NEEDS_NOTHING

    def _needs(self, code: int, sub_code: int | str | None) -> int:
        """What of the request can change the verdict of (code, sub_code), whatever the message."""
        key = (code, sub_code)
        known = self._scope_needs.get(key)
        if known is None:
            known = self._scope_needs.put(key, scope_inputs(self.catalog, code, sub_code), 1)
        return known

    def render(self, raw: RawRecord, judged: Judgement, source: str) -> tuple[AnnotatedRecord, str | None]:
        """The redacted output record of a judged record, and the explanation of a record that is not
        documented (None for a documented one). Only records that reach an output pay this."""
        body = judged.body
        request, consumer = judged.request, judged.consumer
        if request is None:
            request, consumer = self.request_facts(raw)
        url, secrets = self.redactor.redact_url(raw.url)
        if raw.secrets or raw.headers:
            # Credentials outside the URL (HAR request headers, cookies and forms; Set-Cookie): gone
            # from the whole record too, the URL included.
            others = header_secrets(raw.headers).union(raw.secrets) if raw.headers else set(raw.secrets)
            if others:
                secrets = secrets | others
                url = self.redactor.scrub(url, others)
        message = body.message
        if message is not None:
            message = self.redactor.scrub(self.redactor.redact_text(message), secrets)
        resource = request.resource
        if secrets and resource not in self.templates:
            # An unknown path's generic template keeps its segments: one may be the secret itself.
            resource = self.redactor.scrub(resource, secrets)
        verdict = judged.verdict.verdict
        # Positional, in the fields' declared order: keywords would cost ~0.7 µs more a record.
        record = AnnotatedRecord(
            format_time(raw.time_ms),  # time
            raw.method,
            url,
            resource,
            raw.http_status,
            judged.code,  # status_code
            body.sub_code,
            message,
            body.body_format,
            body.gateway_code,
            verdict,
            judged.flags,
            judged.verdict.catalog_message,
            consumer,
            source,
        )
        if verdict == DOCUMENTED:
            return record, None
        return record, self._explain(verdict, judged.code, body.sub_code, message, request)

    def _explain(
        self, verdict: str, code: int, sub_code: int | str | None, message: str | None, request: RequestFacts
    ) -> str:
        key = (verdict, code, sub_code, message, request)  # the text quotes the message as written
        text = self._explanations.get(key)
        if text is None:
            text = explain(self.catalog, verdict, code, sub_code, message, request)
            size = len(message or "") + len(request.resource) + sum(map(len, request.query_params)) + len(text)
            self._explanations.put(key, text, size)
        return text


def _query_names(query: str) -> frozenset[str]:
    """The query's parameter names, decoded."""
    if not query:
        return frozenset()
    names = []
    for pair in query.split("&"):
        name = pair.partition("=")[0]
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        names.append(name)
    return frozenset(names)
