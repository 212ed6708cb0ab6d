"""parse_body with a catalog's envelope (DOMAIN.md §9): real error bodies of each preset, the field
types, JSON Pointer escapes, and resource representations that are not status documents."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from statuslens.transforms.model.records import RawRecord
from statuslens.transforms.verdicts.annotate import FLAG_HTTP_STATUS_MISMATCH, Annotator
from statuslens.transforms.verdicts.body import BodyInfo, parse_body
from statuslens.transforms.verdicts.catalog import load_catalog
from statuslens.transforms.verdicts.envelopes import PRESETS, Envelope
from tests.conftest import corpus_path

GOOGLE = PRESETS["google"]
GRAPH = PRESETS["graph"]
PROBLEM = PRESETS["problem+json"]
SCM = PRESETS["status-code-message"]

# RFC 9457 §3: the out-of-credit example (no `status` member: the HTTP status, 403, is the code).
RFC9457_OUT_OF_CREDIT = """{
 "type": "https://example.com/probs/out-of-credit",
 "title": "You do not have enough credit.",
 "detail": "Your current balance is 30, but that costs 50.",
 "instance": "/account/12345/msgs/abc",
 "balance": 30,
 "accounts": ["/account/12345",
              "/account/67890"]
}"""
# RFC 9457 §3: the validation-error example (HTTP 422), with `status` added as §3.1.2 allows.
RFC9457_VALIDATION = """{
 "type": "https://example.net/validation-error",
 "title": "Your request is not valid.",
 "status": 422,
 "errors": [{"detail": "must be a positive integer", "pointer": "#/age"},
            {"detail": "must be 'green', 'red' or 'blue'", "pointer": "#/profile/color"}]
}"""
# AIP-193 / Google Analytics Data API "Error format" and the API-key example with an ErrorInfo detail.
GOOGLE_PERMISSION = """{
  "error": {
    "code": 403,
    "message": "User does not have sufficient permissions for this property.",
    "status": "PERMISSION_DENIED"
  }
}"""
GOOGLE_API_KEY = """{
  "error": {
    "code": 400,
    "message": "API key not valid. Please pass a valid API key.",
    "status": "INVALID_ARGUMENT",
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com", "metadata": {"service": "translate.googleapis.com"}}]
  }
}"""
# Facebook Graph API "Handling Errors": the common error response.
GRAPH_OAUTH = """{
  "error": {
    "message": "Message describing the error",
    "type": "OAuthException",
    "code": 190,
    "error_subcode": 460,
    "error_user_title": "A title",
    "error_user_msg": "A message",
    "fbtrace_id": "EJplcsCHuLu"
  }
}"""
GRAPH_NO_SUBCODE = (
    '{"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}}'
)
# CAMARA API Design Guide, error responses: {"status", "code", "message"}.
CAMARA_400 = (
    '{"status": 400, "code": "INVALID_ARGUMENT", '
    '"message": "Client specified an invalid argument, request body or query param."}'
)
CAMARA_429 = '{"status": 429, "code": "QUOTA_EXCEEDED", "message": "Out of resource quota."}'


@pytest.mark.parametrize(
    ("body", "envelope", "expected"),
    [
        (RFC9457_OUT_OF_CREDIT, PROBLEM, ("https://example.com/probs/out-of-credit", "You do not have enough credit.")),
        (RFC9457_VALIDATION, PROBLEM, (422, "https://example.net/validation-error", "Your request is not valid.")),
        (
            GOOGLE_PERMISSION,
            GOOGLE,
            (403, "PERMISSION_DENIED", "User does not have sufficient permissions for this property."),
        ),
        (GOOGLE_API_KEY, GOOGLE, (400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")),
        (GRAPH_OAUTH, GRAPH, ("190/460", "Message describing the error")),
        (GRAPH_NO_SUBCODE, GRAPH, (4, "(#4) Application request limit reached")),
        (
            CAMARA_400,
            SCM,
            (400, "INVALID_ARGUMENT", "Client specified an invalid argument, request body or query param."),
        ),
        (CAMARA_429, SCM, (429, "QUOTA_EXCEEDED", "Out of resource quota.")),
    ],
)
def test_each_preset_reads_its_real_error_bodies(body: str, envelope: Envelope, expected: tuple[object, ...]) -> None:
    fields = expected if len(expected) == 3 else (None, *expected)
    assert parse_body(body, envelope=envelope) == BodyInfo("json", *fields)


def test_netflix_bodies_are_not_status_documents_for_another_envelope() -> None:
    netflix = '{"status": {"status_code": 400, "sub_code": 120, "message": "bad"}}'
    assert parse_body(netflix, envelope=GOOGLE) == BodyInfo("json")
    # ... and a Google error is nothing to the Netflix envelope (the default).
    assert parse_body(GOOGLE_PERMISSION) == BodyInfo("json")
    assert parse_body(GOOGLE_PERMISSION, envelope=PRESETS["netflix"]) == BodyInfo("json")


@pytest.mark.parametrize(
    ("body", "envelope"),
    [
        # Resource representations with a number or a word where the code would be: no subcode, no message.
        ('{"status": 200, "id": "sess-1", "qosStatus": "AVAILABLE"}', SCM),
        ('{"id": 7, "status": 404}', PROBLEM),
        ('{"error": {"code": 404}}', GOOGLE),
        ('{"error": null, "data": [{"id": 1}]}', GRAPH),
        ('{"name": "projects/p1", "error": "none"}', GOOGLE),
        ('[{"status": 400, "code": "X", "message": "m"}]', SCM),  # an array is not the envelope's object
        ('{"status": 409, "code": true, "message": 12}', SCM),  # neither field has its type
    ],
)
def test_resource_representations_are_not_status_documents(body: str, envelope: Envelope) -> None:
    assert parse_body(body, envelope=envelope) == BodyInfo("json")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"status": "404", "code": "NOT_FOUND"}, (404, "NOT_FOUND", None)),  # the code's decimal string
        ({"status": " 503 ", "message": "down"}, (503, None, "down")),
        ({"status": 1000, "code": "X"}, (None, "X", None)),  # 1000 is not an HTTP status
        ({"status": 99, "code": "X"}, (None, "X", None)),
        ({"status": 600, "code": "X"}, (None, "X", None)),
        ({"status": "4040", "code": "X"}, (None, "X", None)),
        ({"status": "0404", "code": "X"}, (None, "X", None)),
        ({"status": 404.0, "code": "X"}, (None, "X", None)),  # a float is not an integer
        ({"status": True, "code": "X"}, (None, "X", None)),  # a bool is not an integer
        ({"status": 400, "code": True, "message": "m"}, (400, None, "m")),  # nor a subcode
        ({"status": 400, "code": 1.5, "message": "m"}, (400, None, "m")),
        ({"status": 400, "code": 17, "message": "m"}, (400, 17, "m")),  # an integer subcode
        ({"status": 400, "code": "710"}, (400, 710, None)),  # read as the number a catalog's 710 is
        ({"status": 400, "code": "007"}, (400, "007", None)),  # not a canonical number: kept as text
        ({"status": 400, "code": "  ", "message": "m"}, (400, None, "m")),  # blank: no subcode
        ({"status": 400, "code": "X", "message": 42}, (400, "X", None)),  # a number is not a message
        ({"status": 400, "code": "X", "message": ["m"]}, (400, "X", None)),
        ({"status": 400, "message": " spaced out "}, (400, None, "spaced out")),
    ],
)
def test_field_types(fields: dict[str, object], expected: tuple[object, ...]) -> None:
    assert parse_body(json.dumps(fields), envelope=SCM) == BodyInfo("json", *expected)


def test_the_code_alone_is_not_a_status_document() -> None:
    for body in ('{"status": 400}', '{"status": "400"}', '{"status": 400, "code": null, "message": null}'):
        assert parse_body(body, envelope=SCM) == BodyInfo("json")
    assert parse_body('{"error": {"code": 400, "status": "INVALID_ARGUMENT"}}', envelope=GOOGLE) == BodyInfo(
        "json", 400, "INVALID_ARGUMENT"
    )


def test_graph_suffix_needs_the_subcode_and_its_type() -> None:
    body = '{"error": {"message": "m", "code": 100, "error_subcode": %s}}'
    assert parse_body(body % '"2018001"', envelope=GRAPH).sub_code == "100/2018001"
    assert parse_body(body % "false", envelope=GRAPH).sub_code == 100
    assert parse_body(body % "null", envelope=GRAPH).sub_code == 100
    no_code = '{"error": {"message": "m", "error_subcode": 33}}'
    assert parse_body(no_code, envelope=GRAPH) == BodyInfo("json", None, None, "m")


@pytest.mark.parametrize(
    ("pointer", "body", "expected"),
    [
        ("/a~1b", '{"a/b": "S", "a": {"b": "wrong"}}', "S"),  # ~1 is '/'
        ("/m~0n", '{"m~n": "S"}', "S"),  # ~0 is '~'
        ("/~01", '{"~1": "S", "/": "wrong"}', "S"),  # ~01 is '~1', not '/'
        ("/", '{"": "S"}', "S"),  # the empty key
        ("/errors/0/code", '{"errors": [{"code": "S"}]}', "S"),  # an array index
        ("/errors/1/code", '{"errors": [{"code": "S"}]}', None),  # past the end
        ("/errors/00/code", '{"errors": [{"code": "S"}]}', None),  # a leading zero is no index
        ("/errors/-/code", '{"errors": [{"code": "S"}]}', None),
        ("/a/b", '{"a": "text"}', None),  # through a string
    ],
)
def test_json_pointer_escapes_and_arrays(pointer: str, body: str, expected: str | None) -> None:
    envelope = Envelope("custom", subcode=(pointer,), message=("/never",))
    info = parse_body(body, envelope=envelope)
    assert info.sub_code == expected
    assert (info == BodyInfo("json")) is (expected is None)


def test_places_are_tried_in_order_and_wrong_types_skipped() -> None:
    aws = Envelope("aws-json", subcode=("/__type",), message=("/message", "/Message"))
    assert parse_body('{"__type": "A", "message": 5, "Message": "second"}', envelope=aws).message == "second"
    assert parse_body('{"__type": "A", "message": "first", "Message": "second"}', envelope=aws).message == "first"


# Captured AWS error bodies (botocore's fixtures): a custom envelope reads them, JSON and XML.
AWS_JSON = Envelope("aws-json", subcode=("/__type",), message=("/message", "/Message"))
AWS_XML = Envelope("aws-s3", xml_root="Error", xml_subcode=("Code",), xml_message=("Message",))


def test_custom_json_envelope_on_real_aws_errors() -> None:
    folder = corpus_path("api_errors_botocore", "json", "errors")
    infos = {path.name: parse_body(path.read_text(), envelope=AWS_JSON) for path in sorted(folder.glob("*.json"))}
    assert infos["datapipeline-create-pipeline.json"] == BodyInfo(
        "json",
        None,
        "AccessDeniedException",
        "Operation createPipeline is not allowed to be performed with role identity",
    )
    assert infos["swf-deprecate-domain.json"] == BodyInfo(
        "json", None, "com.amazonaws.swf.base.model#UnknownResourceFault", "Unknown domain: foobar"
    )
    assert all(info.sub_code and info.message for info in infos.values())


def test_custom_xml_envelope_on_real_s3_errors() -> None:
    folder = corpus_path("api_errors_botocore", "xml", "errors")
    created = parse_body((folder / "s3-create-bucket.xml").read_text(), envelope=AWS_XML)
    assert created == BodyInfo(
        "xml",
        None,
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
    )
    listed = parse_body((folder / "s3-list-objects.xml").read_text(), envelope=AWS_XML)
    assert listed == BodyInfo("xml", None, "AccessDenied", "Access Denied")
    # Query-protocol errors nest <Error> under <ErrorResponse>: another root, so not this envelope's.
    nested = parse_body((folder / "sns-delete-topic.xml").read_text(), envelope=AWS_XML)
    assert nested == BodyInfo("xml")
    # The Netflix <status> is not a status document for it, and it is still parsed safely.
    assert parse_body("<status><message>m</message></status>", envelope=AWS_XML) == BodyInfo("xml")
    assert parse_body('<!DOCTYPE x [<!ENTITY a "b">]><Error><Code>&a;</Code></Error>', envelope=AWS_XML) == (
        BodyInfo("invalid", unparseable=True)
    )


def test_xml_codes_follow_the_same_types() -> None:
    envelope = Envelope("x", xml_root="err", xml_code=("http",), xml_subcode=("id",), xml_message=("text",))
    assert parse_body("<err><http> 404 </http><id>0</id><text>gone</text></err>", envelope=envelope) == BodyInfo(
        "xml", 404, 0, "gone"
    )
    assert parse_body("<err><http>1000</http><text>m</text></err>", envelope=envelope) == BodyInfo(
        "xml", None, None, "m"
    )


def test_envelopes_without_xml_still_flag_unparseable_xml_and_read_gateways() -> None:
    truncated = "<book><title>Dune</book>"
    assert parse_body(truncated, envelope=GOOGLE) == parse_body(truncated) == BodyInfo("invalid", unparseable=True)
    assert parse_body("<status><message>m</message></status>", envelope=GOOGLE) == BodyInfo("xml")
    assert parse_body("<h1>Developer Over Qps</h1>", envelope=GOOGLE) == BodyInfo(
        "gateway", message="Developer Over Qps"
    )
    assert parse_body('{"error": {"code": 4', envelope=GOOGLE) == BodyInfo("invalid", unparseable=True)
    assert parse_body('cb({"error": {"code": 403, "status": "X"}})', envelope=GOOGLE) == BodyInfo("jsonp", 403, "X")


def test_an_equal_copy_of_the_netflix_envelope_reads_as_netflix() -> None:
    copy = Envelope(**{field: getattr(PRESETS["netflix"], field) for field in PRESETS["netflix"].__dataclass_fields__})
    assert copy is not PRESETS["netflix"]
    body = '{"status": {"status_code": 400}}'  # the Netflix envelope reads a lone code (DOMAIN.md §3)
    assert parse_body(body, envelope=copy) == parse_body(body) == BodyInfo("json", 400)


def _judge(envelope: str, http_status: int, body: str) -> tuple[int, list[str], BodyInfo]:
    catalog = load_catalog()
    annotator = Annotator(dataclasses.replace(catalog, envelope=PRESETS[envelope]))
    judged = annotator.judge(
        RawRecord(time_ms=0, method="GET", url="/catalog/titles", http_status=http_status, body=body)
    )
    return judged.code, judged.flags, judged.body


def test_effective_code_and_mismatch_flag_per_envelope() -> None:
    # google carries a code: it is the effective code, and a differing HTTP status is flagged (§5).
    assert _judge("google", 200, GOOGLE_PERMISSION)[:2] == (403, [FLAG_HTTP_STATUS_MISMATCH])
    assert _judge("google", 403, GOOGLE_PERMISSION)[:2] == (403, [])
    # graph has no code field: the HTTP status is the code, so there is never a mismatch to flag.
    code, flags, body = _judge("graph", 400, GRAPH_OAUTH)
    assert (code, flags, body.status_code, body.sub_code) == (400, [], None, "190/460")
    assert _judge("graph", 200, GRAPH_OAUTH)[:2] == (200, [])
    # problem+json without `status`: the HTTP status.
    assert _judge("problem+json", 403, RFC9457_OUT_OF_CREDIT)[:2] == (403, [])


def test_an_unpickled_catalog_keeps_its_envelope_on_workers() -> None:
    # Workers get the catalog pickled: the Netflix envelope is known again by identity, others by value.
    netflix = Annotator(pickle.loads(pickle.dumps(load_catalog())))
    assert netflix.envelope is PRESETS["netflix"]
    google = Annotator(pickle.loads(pickle.dumps(dataclasses.replace(load_catalog(), envelope=GOOGLE))))
    assert google.envelope == GOOGLE
    raw = RawRecord(time_ms=0, method="GET", url="/catalog/titles", http_status=403, body=GOOGLE_PERMISSION)
    assert google.judge(raw).body.sub_code == "PERMISSION_DENIED"
    assert netflix.judge(raw).body == BodyInfo("json")
