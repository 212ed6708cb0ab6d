"""How long a text from the logs may be in a report: a log may carry a message of a megabyte, and
anomalies.jsonl keeps it whole, but a report shows the first TEXT_SHOWN characters."""

from __future__ import annotations

from dataclasses import replace

from statuslens.transforms.model.groups import AnomalyGroup

__all__ = ["TEXT_SHOWN", "cut_text", "shown"]

TEXT_SHOWN = 300  # a message, an explanation, a consumer id or a reason, in the reports


def shown(group: AnomalyGroup) -> AnomalyGroup:
    """The group as the reports show it: its message, explanation and consumer ids cut at TEXT_SHOWN
    characters (a log may carry a message of a megabyte; anomalies.jsonl keeps it whole)."""
    longest = max(
        len(group.message or ""), len(group.explanation or ""), *(len(c.consumer) for c in group.top_consumers)
    )
    if longest <= TEXT_SHOWN:
        return group
    return replace(
        group,
        message=cut_text(group.message) if group.message is not None else None,
        explanation=cut_text(group.explanation) if group.explanation is not None else None,
        top_consumers=tuple(replace(c, consumer=cut_text(c.consumer)) for c in group.top_consumers),
    )


def cut_text(text: str) -> str:
    """`text`, or its first TEXT_SHOWN characters and an ellipsis."""
    return text if len(text) <= TEXT_SHOWN else text[:TEXT_SHOWN] + "…"
