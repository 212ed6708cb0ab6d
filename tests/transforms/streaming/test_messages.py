"""message_to_chunk: a shipped message becomes the one-item chunk a batch read would have made."""

from __future__ import annotations

from statuslens.transforms.model.chunks import Chunk, Problem
from statuslens.transforms.streaming.messages import message_to_chunk

LINE = b'{"time":"2009-12-10T21:40:10Z","method":"GET","url":"/oauth/login","status":405}'


def test_a_line_keeps_its_path_and_number() -> None:
    chunk = message_to_chunk(LINE, {"source": "logs/access.log:42", "fmt": "jsonl"})
    assert chunk == Chunk("logs/access.log", "jsonl", 42, (LINE,))


def test_a_har_entry_is_decoded_and_keeps_its_entry_number() -> None:
    chunk = message_to_chunk(b'{"request": {}}', {"source": "capture.har:entry3", "fmt": "har"})
    assert (chunk.path, chunk.first, chunk.items) == ("capture.har", 3, ({"request": {}},))


def test_a_message_without_a_numbered_source_is_item_zero_of_its_source_or_of_pubsub() -> None:
    tail = message_to_chunk(LINE, {"source": "tail", "fmt": "jsonl"})
    assert (tail.path, tail.first) == ("tail", 0)
    unnamed = message_to_chunk(LINE, {})
    assert (unnamed.path, unnamed.fmt, unnamed.first) == ("pubsub", "jsonl", 0)


def test_undecodable_messages_are_problems_with_a_reason() -> None:
    har = message_to_chunk(b"{not json", {"source": "c.har:entry1", "fmt": "har"})
    assert har.items == (Problem("HAR entry is not JSON", b"{not json"),)
    odd = message_to_chunk(b"\x00\x01 what is this", {"source": "x.log:1"})
    assert odd.items == (Problem("message matches no known log format", b"\x00\x01 what is this"),)
    shipped = message_to_chunk(b"x" * 10, {"source": "x.log:5", "fmt": "jsonl", "problem": "line too long"})
    assert shipped.items == (Problem("line too long", b"x" * 10),) and shipped.first == 5
