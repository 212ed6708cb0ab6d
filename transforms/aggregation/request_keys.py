"""Stable 64-bit keys of texts, for the cause facts: a consumer, and a success's (method, URL path).

The facts keep integers, not text (cause_facts.py): a path is mostly unique (ids, user tokens), so
keeping it as text would cost ~80 bytes a record. A key must be the same on every worker (unlike
`hash()`) and depend on its own text only, never on the batch it was hashed in. Two requests of one
consumer that collide within 60 s (a false retry) are as likely as 2**-64.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

__all__ = ["NOT_A_SUCCESS", "consumer_key", "request_key", "request_keys", "text_key"]

Ints = npt.NDArray[np.int64]
NOT_A_SUCCESS = 0  # the request key of a call whose effective code is 400 or more (the text "")
_WIDEST = 256  # UTF-8 bytes hashed as a matrix row; longer texts are hashed one by one (blake2b)


def _splitmix(seed: int, count: int) -> npt.NDArray[np.uint64]:
    """`count` splitmix64 outputs, made odd: the fixed word weights of `request_keys`."""
    out = []
    for _ in range(count):
        seed = (seed + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = seed
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        out.append((z ^ (z >> 31)) | 1)
    return np.array(out, dtype=np.uint64)


_WEIGHTS = _splitmix(0x5EED, _WIDEST // 8 + 1)  # one per 8-byte word, the last for the length
_FINAL = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))


def request_key(method: str, path: str) -> int:
    """(method, URL path) as a stable 64-bit integer, never 0: `request_keys` of `"METHOD path"`."""
    return int(request_keys([f"{method} {path}"])[0])


def request_keys(texts: list[str]) -> Ints:
    """The keys of many `"METHOD path"` texts at once (`NOT_A_SUCCESS` for ""), with no Python step a text:
    the texts' UTF-8 bytes as a zero-padded matrix of 64-bit words, each word mixed (multiply,
    xorshift: a bijection), each row weighted by fixed odd constants and summed (one matrix product;
    two texts that differ in one word never collide), the byte length added with its own weight,
    then the splitmix64 finaliser. ASCII texts (the common case) are encoded by numpy itself. Texts
    over `_WIDEST` bytes take blake2b (`text_key`)."""
    count = len(texts)
    if not count:
        return np.zeros(0, dtype=np.int64)
    try:
        data: list[str] | list[bytes] = texts
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
        width = int(lengths.max())
        rows = np.array(texts, dtype=f"S{_padded(min(width, _WIDEST))}") if width <= _WIDEST else None
    except UnicodeEncodeError:
        rows = None
        width = _WIDEST + 1
    if rows is None:  # non-ASCII or long texts: their UTF-8 bytes, the long ones hashed one by one
        data = [text.encode("utf-8", "surrogatepass") for text in texts]
        lengths = np.fromiter(map(len, data), dtype=np.int64, count=count)
        long = lengths > _WIDEST
        short = [b"" if size > _WIDEST else text for text, size in zip(data, lengths.tolist(), strict=True)]
        rows = np.array(short, dtype=f"S{_padded(int(np.max(lengths, where=~long, initial=0)))}")
    (first, second), (s30, s27, s31) = _FINAL, _SHIFTS
    words = rows.view("<u8").reshape(count, -1) * first  # each word mixed on its own (0 stays 0: the
    words ^= words >> s31  # padding adds nothing), so that a difference in a word's high bits reaches
    words *= second  # every bit before the weighted sum
    words ^= words >> s30
    keys = words @ _WEIGHTS[: words.shape[1]]
    keys += lengths.astype(np.uint64) * _WEIGHTS[-1]
    keys ^= keys >> s30
    keys *= first
    keys ^= keys >> s27
    keys *= second
    keys ^= keys >> s31
    found = keys.view(np.int64)
    if width > _WIDEST:
        for index in np.flatnonzero(lengths > _WIDEST).tolist():
            found[index] = text_key(data[index])
    found[found == NOT_A_SUCCESS] = 1
    found[lengths == 0] = NOT_A_SUCCESS
    return found


def _padded(width: int) -> int:
    """A row width in bytes: a whole number of 64-bit words, at least one."""
    return max(8, (width + 7) // 8 * 8)


def consumer_key(consumer: str) -> int:
    """A consumer as a stable 64-bit integer: the calls keep no text (two consumers collide as 2**-64)."""
    return text_key(consumer)


def text_key(text: str | bytes) -> int:
    """blake2b of the text's UTF-8 bytes as a signed 64-bit integer, never 0."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True) or 1
