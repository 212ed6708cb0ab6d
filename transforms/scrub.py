"""Removing known secrets from a text in time linear in the number of secrets.

Replacing each secret in turn reads the whole text once per secret: a 1 MiB line holding tens of
thousands of `oauth_token=…` parameters took 81 s. A handful of secrets are still replaced one by
one (the usual record, and the same output as ever); many are removed in one regex pass over a
radix tree of all their forms, which tries the longest form first at each position, so no secret
can be left whole (a secret starting where a match ended is still matched; one starting inside a
match is cut).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["SEQUENTIAL_SECRETS", "scrub_secrets"]

SEQUENTIAL_SECRETS = 16  # up to this many secrets, each is replaced in turn (longest first)
_GROUP = 2048  # secrets per regex pass
_URL_SAFE_RUN_RE = re.compile(r"[A-Za-z0-9_.\-~]{4,}")

Forms = Callable[[str], tuple[str, ...]]


def scrub_secrets(text: str, secrets: Iterable[str], forms: Forms, replacement: str, min_length: int) -> str:
    """`text` with every form of every secret (of at least `min_length` characters) replaced."""
    chosen = sorted((s for s in set(secrets) if len(s) >= min_length), key=lambda s: (-len(s), s))
    if len(chosen) > SEQUENTIAL_SECRETS:
        # In groups: the regex compiler's cost grows faster than its pattern; a pass per group is cheap.
        patterns = [
            _pattern({form for secret in chosen[i : i + _GROUP] for form in forms(secret)})
            for i in range(0, len(chosen), _GROUP)
        ]
        if all(p is not None for p in patterns):
            for pattern in patterns:
                assert pattern is not None
                text = pattern.sub(replacement, text)
            return text
    # Longest first, ties by text: the same secrets give the same output whatever their order (§6).
    for secret in chosen:
        if secret not in text:
            # Every form keeps the secret's unreserved characters as they are, so a form can only be
            # in the text if each run of them is: one search instead of building the forms.
            run = _URL_SAFE_RUN_RE.search(secret)
            if run is not None and run.group() not in text:
                continue
        for form in forms(secret):
            if form in text:
                text = text.replace(form, replacement)
    return text


def _pattern(words: set[str]) -> re.Pattern[str] | None:
    """One regex matching the longest of `words` at a position; None if the tree is too deep to compile."""
    try:
        return re.compile(_branch(sorted(words)))
    except (RecursionError, re.error):
        return None


def _branch(words: list[str]) -> str:
    """The regex of sorted, distinct `words` (one may be ""): shared prefixes factored out."""
    ends = bool(words) and words[0] == ""
    rest = words[1:] if ends else words
    alternatives = []
    start = 0
    while start < len(rest):
        first = rest[start][0]
        stop = start
        while stop < len(rest) and rest[stop][0] == first:
            stop += 1
        group = rest[start:stop]
        prefix = _common_prefix(group[0], group[-1])  # sorted: the first and last share the group's prefix
        alternatives.append(re.escape(prefix) + _branch([w[len(prefix) :] for w in group]))
        start = stop
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if ends else body


def _common_prefix(a: str, b: str) -> str:
    n = 0
    limit = min(len(a), len(b))
    while n < limit and a[n] == b[n]:
        n += 1
    return a[:n]
