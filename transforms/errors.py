"""The exceptions statuslens raises on purpose, under one root.

    StatuslensError              anything statuslens raises on purpose
    ├── RecordError              a line or HAR entry that is not a usable record: one dead letter
    ├── InputError               an input that cannot be read as a whole: its one damage dead letter
    │   └── HarError             (readers/har.py) a HAR file that is not JSON or has no log.entries
    ├── CatalogError             a status catalog that cannot be loaded: a usage error at the edge
    ├── UsageError               a mistake on the command line or in its files: one line, exit 2
    └── RunLocked                another cron run holds the state lock: exit 75

None of them is a ValueError: `except ValueError` around a parser catches the parser's own
failures, never one of these by accident. Anything else that escapes a record's analysis is a bug;
it costs that record (a dead letter counted as `unexpected_errors`), never the job.
"""

from __future__ import annotations

__all__ = ["CatalogError", "InputError", "RecordError", "RunLocked", "StatuslensError", "UsageError"]


class StatuslensError(Exception):
    """The root: what statuslens raises on purpose, with a message meant for people."""


class RecordError(StatuslensError):
    """A line or entry that is not a usable record; the message is its dead-letter reason."""


class InputError(StatuslensError):
    """An input that cannot be read as a whole; the message is its damage reason."""


class CatalogError(StatuslensError):
    """A status catalog that is missing, unreadable or invalid; the message names file, key and problem."""


class UsageError(StatuslensError):
    """A mistake on the command line or in its files: one line on stderr, exit status 2."""


class RunLocked(StatuslensError):
    """Another `statuslens cron` run holds the lock of the state folder."""
