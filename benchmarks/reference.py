#!/usr/bin/env python3
"""The honest baseline: the single-process script a user could write in an afternoon.

Stdlib `json` and `xml.etree`, a regex for nginx `combined_body`, the verdict rules of DOMAIN.md §5
over the same YAML catalog, and the same annotated error records (effective code >= 400, not
documented, or flagged) written as JSON lines. No Beam, no statuslens code. It skips what a quick
script skips: no redaction, no dead-letter files, no damage detection, no reports.

    python benchmarks/reference.py --catalog configs/catalogs/netflix-api.yaml --out OUT.jsonl FILE...
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timezone
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

import yaml

COMBINED_BODY = re.compile(
    r'(?P<addr>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) '
    r'(?P<bytes>\S+) "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*" "(?P<body>(?:[^"\\]|\\.)*)"\s*$'
)
H1 = re.compile(r"^\s*<h1>(?:\d{3}\s+)?(.*?)</h1>\s*$", re.S)


def norm(message: str) -> str:
    text = " ".join(message.split()).casefold()
    return text[:-1].rstrip() if text.endswith(".") else text


def load_catalog(path: str) -> tuple[list[dict[str, Any]], set[str], dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    collections = {r["template"] for r in doc["resources"] if r.get("collection")}
    templates = [r["template"] for r in doc["resources"]]
    rows = []
    for row in doc["statuses"]:
        rows.append(
            {
                "code": row["code"],
                "sub": row.get("subcode"),
                "scope": row["applies_to"],
                "messages": [norm(m) for m in row["messages"]],
                "texts": row["messages"],
            }
        )
    return rows, collections, {"templates": templates, "scopes": doc.get("scopes", {})}


def template_of(path: str, templates: list[str]) -> str:
    segments = [s for s in path.split("/") if s]
    best = None
    for template in templates:
        parts = template.split("/")
        if len(parts) != len(segments):
            continue
        score = 0
        for part, seg in zip(parts, segments, strict=True):
            if part.startswith("{"):
                if part == "{id}" and not seg.isdigit():
                    break
            elif part != seg:
                break
            else:
                score += 1
        else:
            if best is None or score > best[0]:
                best = (score, template)
    if best:
        return best[1]
    return "/".join("{id}" if s.isdigit() else s for s in segments) or "/"


def in_scope(scope: str, method: str, resource: str, params: dict[str, Any], collections: set[str]) -> bool:
    if scope == "All resources":
        return True
    if scope == "All resource collections":
        return resource in collections
    if scope == "All feeds":
        return "feed_token" in params
    if scope == "Login resources":
        return resource == "oauth/login"
    if scope == "OAuth and access token resources":
        return resource in ("oauth/request_token", "oauth/access_token")
    if scope == "POSTs":
        return method == "POST"
    if scope.startswith("POSTs to "):
        return method == "POST" and resource in scope[9:].split(" or ")
    return resource in scope.split(" or ")


def classify(
    rows: list[dict[str, Any]],
    collections: set[str],
    code: int,
    sub: Any,
    message: str | None,
    method: str,
    resource: str,
    params: dict[str, Any],
) -> tuple[str, str | None]:
    of_code = [r for r in rows if r["code"] == code]
    if not of_code:
        return "undocumented_code", None
    if sub is not None:
        cands = [r for r in of_code if r["sub"] is not None and str(r["sub"]) == str(sub)]
        if not cands:
            return "undocumented_subcode", None
    else:
        cands = [r for r in of_code if r["sub"] is None] or of_code
    scoped = [r for r in cands if in_scope(r["scope"], method, resource, params, collections)]
    if message:
        m = norm(message)
        for r in scoped:
            if m in r["messages"]:
                return "documented", r["texts"][r["messages"].index(m)]
        for r in cands:
            if m in r["messages"]:
                return "out_of_scope", None
        if scoped:
            return ("undocumented_message", None) if any(r["messages"] for r in scoped) else ("documented", None)
        return "out_of_scope", None
    return ("documented", None) if scoped else ("out_of_scope", None)


def parse_body(body: str | None) -> tuple[int | None, Any, str | None, bool]:
    if not body or not body.strip():
        return None, None, None, False
    text = body.strip()
    if text.startswith("{"):
        try:
            status = json.loads(text).get("status")
        except (ValueError, AttributeError):
            return None, None, None, True
        if isinstance(status, dict):
            return status.get("status_code"), status.get("sub_code"), status.get("message"), False
        return None, None, None, False
    match = H1.match(text)
    if match:
        return None, None, match.group(1), False
    if text.startswith("<") and "<html" not in text[:200].lower():
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            return None, None, None, True
        if root.tag == "status":
            code = root.findtext("status_code")
            return (
                int(code) if code else None,
                root.findtext("sub_code") or root.findtext("subcode"),
                root.findtext("message"),
                False,
            )
    return None, None, None, False


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text).replace('\\"', '"')


def records(path: str):  # type: ignore[no-untyped-def]
    opener = gzip.open if path.endswith(".gz") else bz2.open if path.endswith(".bz2") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:  # type: ignore[operator]
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            if line.startswith("{"):
                try:
                    doc = json.loads(line)
                    yield (
                        f"{path}:{number}",
                        doc["time"],
                        doc["method"],
                        doc["url"],
                        int(doc["status"]),
                        doc.get("body"),
                    )
                except (ValueError, KeyError):
                    continue
            else:
                match = COMBINED_BODY.match(line)
                if not match:
                    continue
                parts = unescape(match.group("request")).split()
                if len(parts) < 2:
                    continue
                stamp = datetime.strptime(match.group("time"), "%d/%b/%Y:%H:%M:%S %z")
                body = match.group("body")
                yield (
                    f"{path}:{number}",
                    stamp.astimezone(timezone.utc).isoformat(),
                    parts[0],
                    parts[1],
                    int(match.group("status")),
                    None if body == "-" else unescape(body),
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    rows, collections, meta = load_catalog(args.catalog)
    verdicts: Counter[str] = Counter()
    started = time.perf_counter()
    count = 0
    out: TextIO
    with open(args.out, "w", encoding="utf-8") as out:
        for path in args.files:
            for source, stamp, method, url, status, body in records(path):
                count += 1
                parts = urlsplit(url)
                params = parse_qs(parts.query)
                resource = template_of(parts.path, meta["templates"])
                code, sub, message, broken = parse_body(body)
                effective = int(code) if code else status
                verdict, documented = classify(rows, collections, effective, sub, message, method, resource, params)
                verdicts[verdict] += 1
                flags = (["body_unparseable"] if broken else []) + (
                    ["http_status_mismatch"] if code and int(code) != status else []
                )
                if effective >= 400 or verdict != "documented" or flags:
                    out.write(
                        json.dumps(
                            {
                                "time": stamp,
                                "method": method,
                                "url": url,
                                "resource": resource,
                                "http_status": status,
                                "status_code": effective,
                                "sub_code": sub,
                                "message": message,
                                "verdict": verdict,
                                "flags": flags,
                                "catalog_message": documented,
                                "consumer": (params.get("oauth_consumer_key") or [None])[0],
                                "source": source,
                            }
                        )
                        + "\n"
                    )
    elapsed = time.perf_counter() - started
    print(json.dumps({"records": count, "seconds": round(elapsed, 3), "verdicts": dict(verdicts)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
