"""Annotator: what a judged record carries into the outputs, redacted (DOMAIN.md §6, §7)."""

from __future__ import annotations

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import Annotator
from statuslens.transforms.verdicts.catalog import load_catalog


def test_a_message_with_user_info_is_redacted() -> None:
    raw = RawRecord(
        time_ms=0,
        method="GET",
        url="/a",
        http_status=400,
        body="<status><message>bad callback https://bob:hunter2pw@app.example/cb</message></status>",
    )
    record, _ = Annotator(load_catalog()).annotate(raw, "s:1")
    assert record.message == "bad callback https://REDACTED@app.example/cb"


def _annotate(raw: RawRecord) -> tuple[str, str | None, str]:
    record, _ = Annotator(load_catalog()).annotate(raw, "s:1")
    return record.url, record.message, record.resource


def test_a_secret_repeated_as_a_segment_of_an_unknown_path_is_not_in_the_resource() -> None:
    """An unknown path's generic template keeps a segment that is not token-like (issue 13, case 2)."""
    url = "/widgets/hunterpass/detail?api_key=hunterpass"
    _, _, resource = _annotate(RawRecord(0, "GET", url, 409))
    assert resource == "widgets/REDACTED/detail"
    # A catalog template is never touched, whatever the secrets (`users` is a user-info name here).
    _, _, resource = _annotate(RawRecord(0, "GET", "https://users@h/users/current?oauth_token=current", 409))
    assert resource == "users/current"
    assert _annotate(RawRecord(0, "GET", "/widgets/plain/detail", 409))[2] == "widgets/plain/detail"


def test_credentials_a_reader_found_outside_the_url_are_gone_from_the_record() -> None:
    """A HAR request header echoed in the body (issue 13, case 3), a Set-Cookie value (case 7)."""
    body = "<status><message>Bearer tokBearer77 and session sidValue88 expired</message></status>"
    raw = RawRecord(0, "GET", "/catalog/people/1?x=tokBearer77", 401, body=body, secrets=("tokBearer77",))
    raw.headers = {"set-cookie": "sid=sidValue88; Path=/"}
    url, message, _ = _annotate(raw)
    assert message == "Bearer REDACTED and session REDACTED expired"
    assert url == "/catalog/people/1?x=REDACTED"


def test_a_record_without_secrets_is_unchanged() -> None:
    body = "<status><message>plain words</message></status>"
    raw = RawRecord(0, "GET", "/widgets/a/b?x=1", 409, body=body, headers={"content-type": "text/xml"})
    assert _annotate(raw) == ("/widgets/a/b?x=1", "plain words", "widgets/a/b")
