"""The "URL path" of DOMAIN.md §8: what a retry must repeat (with the consumer and the method).

In `model` because two stages cut it: the consumer finder (verdicts) in the same scan of the URL,
and the causes' group records (aggregation).
"""

from __future__ import annotations

__all__ = ["url_path"]


def url_path(url: str) -> str:
    """The path of a URL as written: `http://h/a/b/?x=1#f` -> `/a/b/`; scheme, host, query and
    fragment ignored, nothing decoded (`/a?x` and `/a?y` are the same path)."""
    end = len(url)
    qmark = url.find("?")
    if qmark != -1:
        end = qmark
    hash_at = url.find("#", 0, end)
    if hash_at != -1:
        end = hash_at
    scheme_end = url.find("://", 0, end)
    if scheme_end != -1 and "/" not in url[:scheme_end]:
        slash = url.find("/", scheme_end + 3, end)
        return url[slash:end] if slash != -1 else ""
    return url[:end]
