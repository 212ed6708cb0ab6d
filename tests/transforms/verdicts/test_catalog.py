"""The bundled catalogs against the seed page (DOMAIN.md §1), and CatalogError on bad files."""

from __future__ import annotations

import hashlib
import pickle
import re
from collections import Counter
from pathlib import Path

import pytest

from statuslens.transforms.errors import CatalogError
from statuslens.transforms.verdicts.catalog import Catalog, default_catalog_path, load_catalog, parse_catalog
from tests.conftest import seed_path

SEED = "000_35590e90a480692d.txt"
QUEUE = "users/{user_token}/queues/instant"
QUEUES_15 = "users/{user_token}/queues/disc or users/{user_token}/queues/instant"

# The seed's table, cell by cell, with DOMAIN.md §1's reading: the multi-message cells split, and the
# 400 row whose scope reads just "POSTs to" read as POSTs to the instant queue.
SEED_TABLE: list[tuple[int, int | None, str, tuple[str, ...]]] = [
    (200, None, "All resources", ()),
    (201, None, "POSTs", ("Resource created",)),
    (201, 640, f"POSTs to {QUEUE}", ("Only some titles in the set were added.",)),
    (304, None, "All resources", ("Resource not modified",)),
    (400, None, "All resources", ("parameter name is invalid",)),
    (400, None, f"POSTs to {QUEUE}", ("Cannot move a series parent title", "Invalid format for this user")),
    (400, 120, "All resource collections", ("Query parameter max_results must be a positive integer.",)),
    (400, 130, f"POSTs to {QUEUE}", ("Title not found or not available",)),
    (400, 620, f"POSTs to {QUEUE}", ("Title is saved; cannot move it",)),
    (400, 650, f"POSTs to {QUEUE}", ("Queue is too large",)),
    (400, 660, f"POSTs to {QUEUE}", ("Invalid title format",)),
    (400, 690, f"POSTs to {QUEUE}", ("Title currently at home",)),
    (
        401,
        None,
        "All resources",
        (
            "Access token is invalid",
            "Access token validation failed",
            "User ID is invalid",
            "User ID access token mismatch",
        ),
    ),
    (
        401,
        None,
        "All feeds",
        ("Bad feed token", "User not found", "Mismatch between user token and feed token", "Token resource mismatch"),
    ),
    (401, None, "Login resources", ("Authorization failed", "User must accept terms of use.")),
    (
        401,
        None,
        "OAuth and access token resources",
        (
            "Expired or bad request token",
            "Missing Required Consumer Key",
            "Application name undefined",
            "Unable to find or verify access token credentials",
            "Application name mismatch",
            "Consumer key mismatch",
        ),
    ),
    (401, None, "All resources", ("Invalid signature",)),
    (403, None, "All feeds", ("Invalid feed token",)),
    (404, None, "All resources", ("Resource not found",)),
    (412, None, "All resources", ("Precondition failed. Resource has been modified.",)),
    (412, 710, QUEUE, ("Title already in queue",)),
    (422, None, "users/{user_token}/ratings/title/actual", ("Title has already been rated",)),
    (500, None, "All resources", ("Internal error",)),
]


def rows_of(catalog: Catalog) -> list[tuple[int, int | str | None, str, tuple[str, ...]]]:
    return [(r.code, r.subcode, r.applies_to, tuple(p.text for p in r.messages)) for r in catalog.rows]


def seed_rows() -> list[tuple[int, int | None, str, str]]:
    """(code, subcode, scope cell, message cell) for every row of the seed page's flattened table."""
    text = seed_path(SEED).read_text(encoding="utf-8")
    table = text[text.index("| Code |") : text.index("6 Comments")]
    rows = []
    for block in re.split(r"(?m)^\| (?=\d{3}\b)", table)[1:]:
        cells = [" ".join(c.split()) for c in block.split("|")]
        cells = [c for c in cells if c]
        code = int(cells.pop(0))
        subcode = int(cells.pop(0)) if cells[0].isdigit() else None
        scope, message = cells[0], cells[1] if len(cells) > 1 else ""
        rows.append((code, subcode, scope, message))
    return rows


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def catalog_15() -> Catalog:
    return load_catalog(default_catalog_path().with_name("netflix-api-1.5.yaml"))


def test_default_catalog_is_the_bundled_netflix_table(catalog: Catalog) -> None:
    path = default_catalog_path()
    assert path.name == "netflix-api.yaml"
    assert (catalog.name, catalog.edition, catalog.calls_per_second) == ("netflix-api", "1.0", 4)
    assert catalog.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundled_catalog_is_the_seed_table_row_by_row(catalog: Catalog) -> None:
    assert rows_of(catalog) == SEED_TABLE


def test_seed_table_constant_matches_the_seed_page() -> None:
    """Every row of the seed page, in order: code, subcode, scope and the whole message cell."""
    seed = seed_rows()
    assert len(seed) == len(SEED_TABLE) == 23
    for (code, subcode, scope, cell), expected in zip(seed, SEED_TABLE, strict=True):
        t_code, t_sub, t_scope, t_messages = expected
        assert (code, subcode) == (t_code, t_sub)
        # The flattened page lost the "POSTs to" row's target (DOMAIN.md §1); all others name it verbatim.
        if (code, scope) == (400, "POSTs to"):
            assert t_scope == f"POSTs to {QUEUE}"
        else:
            assert scope == t_scope.replace("{user_token}", "user_token")
        if code == 200:
            assert t_messages == () and cell.startswith("n/a.")
        else:
            assert " ".join(t_messages) == cell


def test_rows_per_code_match_the_seed(catalog: Catalog) -> None:
    per_code = Counter(code for code, _, _, _ in seed_rows())
    assert per_code == {200: 1, 201: 2, 304: 1, 400: 8, 401: 5, 403: 1, 404: 1, 412: 2, 422: 1, 500: 1}
    assert Counter(r.code for r in catalog.rows) == per_code


@pytest.mark.parametrize(
    ("code", "applies_to", "count"),
    [
        (400, f"POSTs to {QUEUE}", 2),
        (401, "All resources", 4),
        (401, "All feeds", 4),
        (401, "Login resources", 2),
        (401, "OAuth and access token resources", 6),
    ],
)
def test_split_multi_message_cells(catalog: Catalog, code: int, applies_to: str, count: int) -> None:
    rows = [r for r in catalog.rows if r.code == code and r.subcode is None and r.applies_to == applies_to]
    assert len(rows[0].messages) == count


def test_every_other_cell_is_one_message(catalog: Catalog) -> None:
    multi = {(r.code, r.applies_to) for r in catalog.rows if len(r.messages) > 1}
    assert multi == {
        (400, f"POSTs to {QUEUE}"),
        (401, "All resources"),
        (401, "All feeds"),
        (401, "Login resources"),
        (401, "OAuth and access token resources"),
    }
    only_200_empty = [r.code for r in catalog.rows if not r.messages]
    assert only_200_empty == [200]


def test_named_scopes_and_collections(catalog: Catalog) -> None:
    scopes = {r.applies_to: r.scope for r in catalog.rows}
    assert scopes["All feeds"].param == "feed_token"
    assert scopes["Login resources"].resources == ("oauth/login",)
    oauth = scopes["OAuth and access token resources"]
    assert oauth.resources == ("oauth/request_token", "oauth/access_token")
    assert scopes[f"POSTs to {QUEUE}"].method == "POST"
    assert {
        "catalog/titles",
        "catalog/people",
        QUEUE,
        "users/{user_token}/queues/disc/saved",
        "users/{user_token}/rental_history/watched",
        "users/{user_token}/reviews",
    } <= catalog.collections
    assert not {"users/current", "catalog/people/{id}", "oauth/login"} & catalog.collections


def test_lookups_by_code_and_subcode(catalog: Catalog) -> None:
    assert catalog.codes == (200, 201, 304, 400, 401, 403, 404, 412, 422, 500)
    assert [r.messages[0].text for r in catalog.by_code_subcode[(412, 710)]] == ["Title already in queue"]
    assert len(catalog.by_code[401]) == 5


def test_catalog_pickles(catalog: Catalog) -> None:
    # Beam ships the catalog to workers.
    clone = pickle.loads(pickle.dumps(catalog))
    assert rows_of(clone) == rows_of(catalog)
    assert clone.by_code_subcode.keys() == catalog.by_code_subcode.keys()


def test_api_15_edition(catalog: Catalog, catalog_15: Catalog) -> None:
    assert (catalog_15.name, catalog_15.edition) == ("netflix-api-1.5", "1.5")
    rows_10, rows_15 = rows_of(catalog), rows_of(catalog_15)
    assert len(rows_15) == len(rows_10)
    changed = [(a, b) for a, b in zip(rows_10, rows_15, strict=True) if a != b]
    # Exactly the changes DOMAIN.md §1 lists: queue rows widened, the 400 placeholder, the 201/640 text.
    assert [b for _, b in changed] == [
        (201, 640, f"POSTs to {QUEUES_15}", ("Only some titles in the series or disc set were added.",)),
        (400, None, "All resources", ("[PARAMETER_NAME] is invalid",)),
        (400, None, f"POSTs to {QUEUES_15}", ("Cannot move a series parent title", "Invalid format for this user")),
        (400, 130, f"POSTs to {QUEUES_15}", ("Title not found or not available",)),
        (400, 620, f"POSTs to {QUEUES_15}", ("Title is saved; cannot move it",)),
        (400, 650, f"POSTs to {QUEUES_15}", ("Queue is too large",)),
        (400, 660, f"POSTs to {QUEUES_15}", ("Invalid title format",)),
        (400, 690, f"POSTs to {QUEUES_15}", ("Title currently at home",)),
        (412, 710, QUEUES_15, ("Title already in queue",)),
    ]
    queue_scope = next(r.scope for r in catalog_15.rows if (r.code, r.subcode) == (412, 710))
    assert queue_scope.resources == ("users/{user_token}/queues/disc", QUEUE)
    placeholder = next(r for r in catalog_15.rows if r.code == 400 and r.applies_to == "All resources")
    assert placeholder.messages[0].parts is not None


# --- bad catalog files -------------------------------------------------------------------------

GOOD = """\
schema: statuslens.catalog/v1
name: tiny
resources:
  - {template: catalog/titles, collection: true}
  - {template: "users/{user_token}/queues/instant"}
scopes:
  All resources: {match: always}
statuses:
  - code: 404
    applies_to: All resources
    messages: [Resource not found]
  - code: 412
    subcode: 710
    applies_to: "POSTs to users/{user_token}/queues/instant"
    messages: [Title already in queue]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_tiny_catalog_loads(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD))
    assert [(r.code, r.subcode) for r in catalog.rows] == [(404, None), (412, 710)]


def test_quoted_numeric_subcode_is_the_number(tmp_path: Path) -> None:
    # YAML authors quote numbers; a body's sub_code 710 must still find the row.
    catalog = load_catalog(write(tmp_path, GOOD.replace("subcode: 710", 'subcode: "710"')))
    assert catalog.rows[1].subcode == 710
    assert (412, 710) in catalog.by_code_subcode


def test_text_subcode_stays_text(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD.replace("subcode: 710", "subcode: QUEUE_DUP")))
    assert catalog.rows[1].subcode == "QUEUE_DUP"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("name: tiny\n", "name: tiny\ncolour: blue\n", "colour", "unknown key"),
        (
            "    messages: [Resource not found]\n",
            "    messages: [Resource not found]\n    colour: red\n",
            "statuses[0].colour",
            "unknown key",
        ),
        (
            "All resources: {match: always}",
            "All resources: {match: always, colour: red}",
            "scopes.All resources.colour",
            "unknown key",
        ),
        (
            "{template: catalog/titles, collection: true}",
            "{template: catalog/titles, collection: true, x: 1}",
            "resources[0].x",
            "unknown key",
        ),
        ("schema: statuslens.catalog/v1", "schema: statuslens.catalog/v2", "schema", "must be"),
        ("name: tiny\n", "", "'name'", "missing key"),
        ("code: 404", "code: 99", "statuses[0].code", "100-599"),
        ("code: 404", "code: 700", "statuses[0].code", "100-599"),
        ("code: 404", "code: '404'", "statuses[0].code", "positive whole number"),
        ("code: 404", "code: true", "statuses[0].code", "positive whole number"),
        ("subcode: 710", "subcode: 7.5", "statuses[1].subcode", "number or text"),
        ("subcode: 710", "subcode: [710]", "statuses[1].subcode", "number or text"),
        ("subcode: 710", "subcode: true", "statuses[1].subcode", "number or text"),
        ("applies_to: All resources", "applies_to: Some feeds", "statuses[0].applies_to", "'Some feeds'"),
        (
            'applies_to: "POSTs to users/{user_token}/queues/instant"',
            'applies_to: "POSTs to users/{user_token}/queues/disc"',
            "statuses[1].applies_to",
            "users/{user_token}/queues/disc",
        ),
        ("messages: [Resource not found]", "messages: Resource not found", "statuses[0].messages", "must be a list"),
        (
            "messages: [Resource not found]",
            "messages: [Resource not found, '']",
            "statuses[0].messages",
            "non-empty text",
        ),
        ("collection: true", "collection: yes please", "resources[0].collection", "true or false"),
        ("{template: catalog/titles,", "{template: catalog/ti tles,", "resources[0].template", "bad path segment"),
        (
            "{template: catalog/titles,",
            '{template: "users/{user_token}/queues/instant",',
            "resources[1].template",
            "duplicate template",
        ),
        ("{match: always}", "{match: sometimes}", "scopes.All resources.match", "must be one of"),
        ("{match: always}", "{match: query_param}", "scopes.All resources.param", "non-empty text"),
        (
            "{match: always}",
            "{match: resources, resources: [oauth/login]}",
            "scopes.All resources.resources",
            "'oauth/login' is not a template",
        ),
        (
            "name: tiny\n",
            "name: tiny\nrate_limit: {calls_per_second: 0}\n",
            "rate_limit.calls_per_second",
            "positive whole number",
        ),
    ],
)
def test_bad_catalog_names_file_key_and_problem(tmp_path: Path, old: str, new: str, key: str, problem: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert key in message
    assert problem in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("schema: [unclosed\n", "not valid YAML"),
        ("- a list\n", "must be a mapping, got list"),
        ("", "must be a mapping, got NoneType"),
        (GOOD.split("statuses:")[0] + "statuses: []\n", "statuses: must list at least one row"),
    ],
)
def test_unusable_documents(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CatalogError, match=re.escape(problem)) as caught:
        load_catalog(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_unreadable_file_is_a_catalog_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(CatalogError, match="cannot read catalog"):
        load_catalog(missing)


def test_parse_catalog_names_the_origin() -> None:
    with pytest.raises(CatalogError, match=r"^inline\.yaml: colour: unknown key$"):
        parse_catalog((GOOD + "colour: blue\n").encode(), "inline.yaml")
