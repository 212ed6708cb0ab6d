"""Safe reads of XML bodies for body.py: the root's name and the text of named children, in one expat pass.

Bodies are untrusted: any DOCTYPE is refused as soon as it starts (so no entity is ever declared or
expanded, no external resource read) and nesting is bounded by the caller's limit (body.py's
MAX_XML_DEPTH).
"""

from __future__ import annotations

from xml.parsers import expat

__all__ = ["read_root_fields", "xml_root_tag"]


def read_root_fields(text: str, names: tuple[str, ...], max_depth: int) -> tuple[str, dict[str, str | None]]:
    """The root tag and the text of the root's first child of each of `names`, in one expat pass;
    raises on malformed XML, any DTD, or nesting past `max_depth`.

    Names are read the way ElementTree reads them (`{uri}local` for a namespaced element), and a
    child's text is ElementTree's `.text`: the character data before its first sub-element.
    Refusing the DOCTYPE means no entity can be declared, so none is ever expanded.
    """
    parser = _dtd_free_parser(namespace_separator="}")
    fields: dict[str, str | None] = dict.fromkeys(names)
    seen: set[str] = set()  # fields whose first element has started: later ones are not read
    root: list[str] = []
    depth = 0
    capturing: list[str] = []  # the field whose text is being read, if any
    pieces: list[str] = []

    def start(name: str, _attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise ValueError(f"XML nested deeper than {max_depth} elements")
        if capturing:
            _finish()
        if depth == 1:
            root.append("{" + name if "}" in name else name)
        elif depth == 2 and name in fields and name not in seen:
            seen.add(name)
            capturing.append(name)

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1
        if capturing:
            _finish()

    def _finish() -> None:
        name = capturing.pop()
        fields[name] = "".join(pieces) if pieces else None
        pieces.clear()

    def data(chunk: str) -> None:
        if capturing:
            pieces.append(chunk)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.Parse(text, True)
    return root[0], fields


def xml_root_tag(text: str) -> str:
    """The root element's name of a well-formed, DTD-free document, without building a tree.

    Resource representations are most XML bodies; checking them with expat alone (no element
    objects) is several times cheaper than the full safe parse. Callers guarantee the depth bound
    (fewer '<' than the depth limit); a DOCTYPE is refused, so no entity can be declared or expanded.
    """
    parser = _dtd_free_parser()
    found: list[str] = []

    def first_element(name: str, _attrs: object) -> None:
        found.append(name)
        parser.StartElementHandler = None

    parser.StartElementHandler = first_element
    parser.Parse(text, True)
    return found[0]


def _refuse_dtd(*_: object) -> None:
    raise ValueError("DTDs are not allowed in bodies")


def _dtd_free_parser(namespace_separator: str | None = None) -> expat.XMLParserType:
    """An expat parser that raises at the start of any DOCTYPE (so no entity is ever declared, hence
    none expanded) and on any external entity reference."""
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd  # type: ignore[assignment]
    return parser
