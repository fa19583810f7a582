"""The case as CASE/UCO JSON-LD (``forensics export CASE --format case-uco DEST``).

CASE (Cyber-investigation Analysis Standard Expression, https://caseontology.org) and UCO
(Unified Cyber Ontology, https://unifiedcyberontology.org) are the open ontologies forensic tools
use to hand cases to one another.  :func:`write_case_uco` writes one file, ``case.jsonld``, that
``case_validate`` of the ``case-utils`` package accepts against CASE 1.5.0 / UCO 1.5.0:

* the case as a ``case-investigation:Investigation`` (name: case number and title) whose
  ``uco-core:object`` lists every other node;
* each evidence item as a ``uco-observable:File`` with a ``FileFacet`` (file name, size) and a
  ``ContentDataFacet`` holding its digests as ``uco-types:Hash`` nodes (SHA-256, MD5, SM3), and a
  ``case-investigation:ProvenanceRecord`` whose ``exhibitNumber`` is the evidence number (an
  extracted attachment also names its ``rootExhibitNumber`` and is linked to its parent by an
  ``Extracted_From`` relationship);
* each item's capture, as its intake facts state it, as an investigative action ``capture``:
  who captured it (``uco-identity:Identity``), with what tool, from which URL (a
  ``uco-observable:URL`` with a ``URLFacet``), when, resulting in the file;
* every custody log entry, in order, as a ``case-investigation:InvestigativeAction`` named by
  its action, at its time, performed by its actor, with the tool and version that wrote it as
  instrument, the files it names as object (as result for ``acquire``), informed by the entry
  before it (the chain: each entry hashes its predecessor); the sequence number, both chain
  digests and the host are in its description (UCO has no property for them).

Descriptions are ``key: value`` lines; a line break inside a value is written escaped (``\\n``),
so text from the case (a note, a name) cannot forge a line such as ``entry_sha256:``.

Every node's IRI is ``kb:`` (``urn:uuid:``) and a UUID (version 5) made from the case (its number
and the digest of its first custody entry) and what the node stands for (an entry's sequence
number and digest, a file's SHA-256), so the same case always gives the same bytes: JSON with
sorted keys and a fixed indentation, nothing that depends on when or where it was written.

Hash methods (UCO 1.5.0, ``types:Hash``): ``types:hashMethod`` is a plain ``xsd:string``; the
values of the semi-open vocabulary ``vocabulary:HashNameVocab`` ("SHA256", "MD5", ...) are
checked by the shape ``types:Hash-hashMethod-in-shape`` at severity ``sh:Info`` only.  A method
outside the vocabulary is spelled as a plain string (UCO issue 629, "How is a hash using an
algorithm name not in UCO supposed to be spelled?": ``types:hashMethod "FooHash"``), so SM3
(GB/T 32905-2016) is ``"SM3"``.  ``case_validate`` counts that ``sh:Info`` result as not
conforming unless given ``--allow-info``.  So SM3 is left out by default (the export must be
accepted by ``case_validate`` as it is; the SM3 digests stay in the custody log, the hash table
and a bag's ``manifest-sm3.txt``), and ``sm3=True`` puts it in for a receiver that takes it.

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> from forensics.case import Case
>>> tmp = Path(tempfile.mkdtemp())
>>> case = Case.init(tmp / "case", title="张三诉李四", case_number="(2026)京0491民初1号")
>>> _ = (tmp / "post.png").write_bytes(b"screenshot")
>>> _ = case.add([tmp / "post.png"], parse=False, progress=False)
>>> (tmp / "out").mkdir()
>>> written = write_case_uco(case, tmp / "out")
>>> [p.name for p in written.files]
['case.jsonld']
>>> doc = json.loads(written.files[0].read_text(encoding="utf-8"))
>>> [n["uco-core:name"] for n in doc["@graph"]
...  if n["@type"] == "case-investigation:InvestigativeAction"]
['init', 'acquire']
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from forensics import __version__
from forensics._progress import progress_bar
from forensics.case import summarize
from forensics.custody import LOG_FILE, Action, Entry, EvidenceRef
from forensics.durable import atomic_write
from forensics.errors import InputError
from forensics.export import Written

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case, Item

__all__ = ["CONTEXT", "HASH_METHODS", "OUTPUT_NAME", "case_uco_document", "write_case_uco"]

OUTPUT_NAME = "case.jsonld"

#: The JSON-LD context: the CASE 1.x / UCO 1.x namespaces and ``kb:`` for this case's nodes.
CONTEXT: Mapping[str, str] = {
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "kb": "urn:uuid:",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: ``DigestSet`` attribute -> ``types:hashMethod`` value.  SHA256 and MD5 are members of UCO's
#: ``vocabulary:HashNameVocab``; SM3 is not, and is written as a plain string (module docstring).
HASH_METHODS: tuple[tuple[str, str], ...] = (("sha256", "SHA256"), ("md5", "MD5"), ("sm3", "SM3"))

#: Intake facts that describe the capture (on the ``capture`` action) rather than the item.
_CAPTURE_FACTS = ("url", "captured_at", "captured_by", "tool", "method")
_ITEM_FACTS = ("category", "platform", "publisher", "publisher_id", "displayed_time", "carrier",
               "purpose", "note")

_Node = dict[str, object]


class _Graph:
    """The nodes of the document in a fixed order, each IRI once."""

    def __init__(self, namespace: uuid.UUID) -> None:
        self.namespace = namespace
        self.nodes: dict[str, _Node] = {}

    def iri(self, kind: str, *key: str) -> str:
        """``kb:`` and a UUID v5 of the case namespace, the node kind and its key (as a JSON
        array: no two keys give the same name, whatever characters they hold)."""
        name = json.dumps([kind, *key], ensure_ascii=False)
        return "kb:" + str(uuid.uuid5(self.namespace, name))

    def add(self, node: _Node) -> str:
        iri = str(node["@id"])
        self.nodes.setdefault(iri, node)
        return iri

    def identity(self, name: str) -> str:
        return self.add({"@id": self.iri("identity", name), "@type": "uco-identity:Identity",
                         "uco-core:name": name})

    def tool(self, name: str, version: str | None = None) -> str:
        node: _Node = {"@id": self.iri("tool", name, version or ""), "@type": "uco-tool:Tool",
                       "uco-core:name": name}
        if version:
            node["uco-tool:version"] = version
        return self.add(node)

    def url(self, value: str) -> str:
        iri = self.iri("url", value)
        return self.add({"@id": iri, "@type": "uco-observable:URL", "uco-core:hasFacet": [{
            "@id": self.iri("url-facet", value), "@type": "uco-observable:URLFacet",
            "uco-observable:fullValue": value}]})


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _typed(datatype: str, value: str) -> dict[str, str]:
    return {"@type": datatype, "@value": value}


def _datetime(t: datetime) -> dict[str, str]:
    """An ``xsd:dateTime`` in UTC with microseconds, as the custody log writes times."""
    return _typed("xsd:dateTime", t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def _parse_utc(text: str | None) -> datetime | None:
    """An ISO 8601 time with an offset, or None (another form is left to the description)."""
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


#: Line breaks (every one ``str.splitlines`` splits at) written escaped inside a value, so that
#: a value cannot start a ``key: value`` line of its own.
_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\v": "\\v", "\f": "\\f",
                              "\x1c": "\\x1c", "\x1d": "\\x1d", "\x1e": "\\x1e",
                              "\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _lines(pairs: Iterable[tuple[str, object]]) -> str:
    r"""``key: value`` lines, one a pair with a value; line breaks inside a value are escaped
    (``\n``), so hostile text (a note, a name) cannot forge a line such as ``entry_sha256:``.

    >>> print(_lines([("note", "x\nentry_sha256: 00"), ("empty", None), ("seq", 3)]))
    note: x\nentry_sha256: 00
    seq: 3
    """
    return "\n".join(f"{k}: {str(v).translate(_LINE_BREAKS)}" for k, v in pairs
                     if v not in (None, ""))


def _file(g: _Graph, ref: EvidenceRef, name: str | None, sm3: bool) -> str:
    """The ``File`` of one content (keyed by its SHA-256), with its digests."""
    iri = g.iri("file", ref.sha256)
    if iri in g.nodes:
        return iri
    size = _typed("xsd:integer", str(ref.size))
    hashes = [{"@id": g.iri("hash", ref.sha256, method), "@type": "uco-types:Hash",
               # UCO 1.5.0 types:Hash: hashMethod is a plain string (xsd:string); a name
               # outside vocabulary:HashNameVocab (SM3) is reported at sh:Info only.  Written
               # untyped: rdflib and so pyshacl tell "SHA256"^^xsd:string from the plain
               # "SHA256" of the shape's sh:in list, and would report every method.
               "uco-types:hashMethod": method,
               "uco-types:hashValue": _typed("xsd:hexBinary", getattr(ref, attr))}
              for attr, method in HASH_METHODS if sm3 or attr != "sm3"]
    file_facet: _Node = {"@id": g.iri("file-facet", ref.sha256),
                         "@type": "uco-observable:FileFacet", "uco-observable:sizeInBytes": size}
    if name:
        file_facet["uco-observable:fileName"] = name
    content = {"@id": g.iri("content-facet", ref.sha256),
               "@type": "uco-observable:ContentDataFacet", "uco-observable:hash": hashes,
               "uco-observable:sizeInBytes": size}
    return g.add({"@id": iri, "@type": "uco-observable:File",
                  "uco-core:hasFacet": [file_facet, content]})


def _root_of(item: Item, items: Mapping[str, Item]) -> str:
    seen = {item.evidence_id}
    while item.extracted_from in items and item.extracted_from not in seen:
        item = items[item.extracted_from]  # type: ignore[index]
        seen.add(item.evidence_id)
    return item.evidence_id


def _item_nodes(g: _Graph, item: Item, items: Mapping[str, Item], sm3: bool) -> str | None:
    """The item's file, provenance record and capture; returns the capture action's IRI."""
    file_iri = _file(g, item.ref, item.name, sm3)
    f = item.facts
    record: _Node = {
        "@id": g.iri("provenance-record", item.evidence_id, item.digests.sha256),
        "@type": "case-investigation:ProvenanceRecord",
        "case-investigation:exhibitNumber": item.evidence_id,
        "uco-core:object": [_ref(file_iri)],
        "uco-core:description": _lines([
            ("evidence", item.evidence_id), ("name", item.name),
            ("stored as", item.stored_as), ("acquired in custody entry", item.acquired_seq),
            ("extracted from", item.extracted_from),
            *((k, getattr(f, k)) for k in _ITEM_FACTS)]),
    }
    if item.extracted_from is not None:
        record["case-investigation:rootExhibitNumber"] = _root_of(item, items)
        parent = items.get(item.extracted_from)
        if parent is not None:
            parent_iri = _file(g, parent.ref, parent.name, sm3)
            g.add({"@id": g.iri("extracted-from", item.digests.sha256, parent.digests.sha256),
                   "@type": "uco-observable:ObservableRelationship",
                   "uco-core:source": [_ref(file_iri)], "uco-core:target": _ref(parent_iri),
                   "uco-core:kindOfRelationship": "Extracted_From",
                   "uco-core:isDirectional": _typed("xsd:boolean", "true")})
    g.add(record)
    if not any(getattr(f, k) for k in _CAPTURE_FACTS):
        return None
    capture: _Node = {
        "@id": g.iri("capture", item.evidence_id, item.digests.sha256),
        "@type": "case-investigation:InvestigativeAction", "uco-core:name": "capture",
        "uco-action:result": [_ref(file_iri)],
        "uco-core:description": _lines([
            ("capture of", item.evidence_id), ("captured at (as stated)", f.captured_at),
            ("captured by", f.captured_by), ("tool", f.tool), ("method", f.method),
            ("URL", f.url)]),
    }
    when = _parse_utc(f.captured_at)
    if when is not None:
        capture["uco-action:startTime"] = capture["uco-action:endTime"] = _datetime(when)
    if f.captured_by:
        capture["uco-action:performer"] = _ref(g.identity(f.captured_by))
    if f.tool:
        capture["uco-action:instrument"] = [_ref(g.tool(f.tool))]
    if f.url:
        capture["uco-action:object"] = [_ref(g.url(f.url))]
    return g.add(capture)


def _entry_node(g: _Graph, e: Entry, files: Mapping[str, str], informed_by: list[str]) -> _Node:
    node: _Node = {
        "@id": g.iri("custody-entry", str(e.seq), e.entry_sha256),
        "@type": "case-investigation:InvestigativeAction",
        "uco-core:name": e.action,
        "uco-action:startTime": _datetime(e.time),
        "uco-action:endTime": _datetime(e.time),
        "uco-core:description": f"custody entry {e.seq} of {LOG_FILE}\n" + _lines([
            ("seq", e.seq), ("entry_sha256", e.entry_sha256), ("prev_sha256", e.prev_sha256),
            ("host", e.host), ("evidence", " ".join(r.evidence_id for r in e.evidence)),
            ("summary", summarize(e))]),
    }
    if e.actor:
        node["uco-action:performer"] = _ref(g.identity(e.actor))
    if e.tool:
        node["uco-action:instrument"] = [_ref(g.tool(e.tool, e.tool_version))]
    named = [_ref(files[r.sha256]) for r in dict.fromkeys(e.evidence)]
    if named:
        node["uco-action:result" if e.action == Action.ACQUIRE else "uco-action:object"] = named
    if informed_by:
        node["case-investigation:wasInformedBy"] = [_ref(i) for i in informed_by]
    return node


def case_uco_document(case: Case, *, sm3: bool = False,
                      progress: bool | None = None) -> dict[str, object]:
    """The case as a CASE/UCO JSON-LD document (``@context`` and ``@graph``).

    Parameters
    ----------
    case : Case
    sm3 : bool, default False
        Give each file's SM3 digest as a ``types:Hash`` too (a method outside UCO's
        ``HashNameVocab``: ``case_validate`` reports it at ``sh:Info``; see the module docstring).
    progress : bool, optional
        A progress bar over the custody entries (default: in a terminal or a notebook).

    Returns
    -------
    dict
        ``{"@context": CONTEXT, "@graph": [...]}``: the investigation first, then the files,
        provenance records, captures and everything they name, then the custody actions in log
        order.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from forensics.case import Case
    >>> case = Case.init(Path(tempfile.mkdtemp()) / "c", case_number="(2026)测1号")
    >>> doc = case_uco_document(case)
    >>> doc["@graph"][0]["@type"], doc["@graph"][0]["uco-core:name"]
    ('case-investigation:Investigation', '(2026)测1号')
    """
    entries = case.log.entries()
    if not entries:
        raise InputError(f"{case.root / LOG_FILE}: no custody entries; nothing to export")
    meta = case.metadata
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:forensics:case:" + json.dumps(
        [meta.case_number, entries[0].entry_sha256], ensure_ascii=False))
    g = _Graph(namespace)
    head = entries[-1]
    items = {it.evidence_id: it for it in case.items if it.acquired_seq <= head.seq}
    investigation = g.add({"@id": g.iri("investigation"),
                           "@type": "case-investigation:Investigation"})
    captures = {eid: _item_nodes(g, it, items, sm3) for eid, it in items.items()}
    files: dict[str, str] = {}
    actions: list[_Node] = []
    previous: str | None = None
    with progress_bar(total=len(entries), desc="CASE/UCO", unit="entry",
                      enabled=progress) as bar:
        for e in entries:
            for r in e.evidence:
                known = items.get(r.evidence_id)
                files[r.sha256] = _file(g, r, known.name if known else None, sm3)
            informed = [previous] if previous else []
            if e.action == Action.ACQUIRE:
                informed += [c for r in e.evidence if (c := captures.get(r.evidence_id))]
            node = _entry_node(g, e, files, informed)
            actions.append(node)
            previous = str(node["@id"])
            bar.update(1)  # type: ignore[attr-defined]
    for node in actions:
        g.add(node)
    name = " ".join(p for p in (meta.case_number, meta.title) if p) or "case"
    inv = g.nodes[investigation]
    inv["uco-core:name"] = name
    inv["uco-core:description"] = _lines([
        ("title", meta.title), ("case number", meta.case_number), ("examiner", meta.examiner),
        ("time zone", meta.timezone),
        ("exported by", f"forensics {__version__} from {LOG_FILE}, {len(entries)} entries"),
        ("custody head", f"entry {head.seq} sha256:{head.entry_sha256}")])
    created = _parse_utc(meta.created_at)
    if created is not None:
        inv["uco-core:startTime"] = _datetime(created)
    inv["uco-core:object"] = [_ref(i) for i in g.nodes if i != investigation]
    return {"@context": dict(CONTEXT), "@graph": list(g.nodes.values())}


def write_case_uco(case: Case, dest: Path, *, progress: bool | None = None,
                   sm3: bool = False) -> Written:
    """Write ``case`` as CASE/UCO JSON-LD into ``dest/case.jsonld`` (see the module docstring).

    Parameters
    ----------
    case : Case
    dest : Path
        An existing folder (:func:`forensics.export.export` makes it).
    progress : bool, optional
        A progress bar over the custody entries.
    sm3 : bool, default False
        Include the SM3 digests (:func:`case_uco_document`).

    Returns
    -------
    Written
        The one file written, and a note on the SM3 digests when they are included.
    """
    doc = case_uco_document(case, sm3=sm3, progress=progress)
    text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    out = Path(dest) / OUTPUT_NAME
    try:
        atomic_write(out, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    notes = (("SM3 is outside UCO's HashNameVocab: case_validate reports each SM3 hash at "
              "sh:Info (conforms with --allow-info)",) if sm3 else
             ("SHA-256 and MD5 written; SM3 left out (not in UCO's HashNameVocab): it is in the "
              "custody log and a bag's manifest-sm3.txt",))
    return Written((out,), notes)
