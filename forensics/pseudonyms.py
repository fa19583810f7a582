"""Pseudonyms for third parties who are not needed for proof (个人信息保护法 arts. 6, 51).

The Personal Information Protection Law allows processing "to the minimum extent necessary"
(最小必要, art. 6) and asks processors to take measures such as de-identification (去标识化,
art. 51).  The material of a defamation case names many bystanders: the accounts that reposted
a post (``account_name`` / ``account_id`` of ``social:repost`` rows, ``//@name:`` chains and
``@name`` mentions in the texts), the other members of a chat (``sender_name`` /
``sender_id``), the correspondents of an e-mail (display names and addresses in ``from_``,
``to``, ``cc``, ``bcc``).  An appendix made with ``--pseudonymize`` shows each of them as a
stable pseudonym instead; the persons needed for proof keep their names: the parties the expert
names (``keep``) and the publishers the intake facts name (``publisher`` and ``publisher_id``
of every item and of every time it was brought in).

The pseudonym form is ``T0001``, ``T0002``, ... ("third party" 第三方 number 1, 2, ...; more
digits past 9999), the same shape as the evidence numbers ``E0001``: short, the same in Chinese
and English text, and free of characters that look like markup.  One person has one pseudonym:
the name and the id of an account that appear on the same record get the same number, so
"张三 (uid123)" becomes "T0007 (T0007)".  A number whose pseudonym is itself an identifier in the
case is skipped, so a pseudonym never reads as a real account.

The mapping is kept in the case, never in the output, at ``<case>/pseudonyms.json`` (UTF-8
JSON ``{"format": 1, "pairs": [[real, pseudonym], ...]}``, in assignment order).  Numbers once
given are never changed: later runs, and runs after new evidence is added, only append.  Each
extension is written atomically and recorded by one ``pseudonyms`` custody entry holding the
file's SHA-256 and counts, never the names (the log is shown in reports).  A file whose digest
does not match its custody entry is refused (a mapping changed by hand would silently change
the pseudonyms), except the one case an interrupted run leaves behind: the logged mapping with
pairs appended after it, which is then recorded.

Matching rules (:meth:`Pseudonyms.__call__`): names and ids shorter than 2 characters are never
mapped; matching is case-sensitive; an ASCII letter, digit or ``_`` at either end of a name
matches only at a word boundary (not inside a longer ASCII word or number, nor inside an e-mail
address or a dotted or hyphenated token), while Chinese characters match anywhere; the longest
name wins where names overlap ("张三丰" before "张三"); the text is replaced in one pass, so a
pseudonym is never replaced again.

Examples
--------
>>> p = Pseudonyms((("路人甲", "T0001"), ("2000000001", "T0001"), ("路人乙", "T0002")))
>>> p("顶//@路人甲:转发微博 (2000000001), 路人乙")
'顶//@T0001:转发微博 (T0001), T0002'
>>> p
Pseudonyms(3 identifiers, 2 persons)
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from forensics.custody import Action, EntryDraft
from forensics.durable import atomic_write
from forensics.errors import InputError, StorageError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case

__all__ = [
    "FORMAT_VERSION",
    "MAPPING_FILE",
    "MIN_LENGTH",
    "PSEUDONYM_PREFIX",
    "Pseudonyms",
    "pseudonyms",
    "third_parties",
]

#: Where the mapping is kept, relative to the case folder.
MAPPING_FILE = "pseudonyms.json"
#: The ``format`` member of the mapping file this version reads and writes.
FORMAT_VERSION = 1
#: Names and ids shorter than this are never mapped (a one-character name would hit everywhere).
MIN_LENGTH = 2
#: Pseudonyms are this letter and a number of at least four digits: ``T0001``.
PSEUDONYM_PREFIX = "T"
_PSEUDONYM = re.compile(re.escape(PSEUDONYM_PREFIX) + r"(\d{4,})")

_WORD = "A-Za-z0-9_"
#: Before an ASCII word character: no ASCII word character, nor one joined by ``.``/``@``/``-``.
_BEFORE = f"(?<![{_WORD}])(?<![{_WORD}][.@-])"
_AFTER = f"(?![{_WORD}])(?![.@-][{_WORD}])"
#: First characters per leaf of the dispatch tree (see :func:`_compile`).
_LEAF = 16
#: Deepest nesting of groups in the pattern (``re`` parses groups recursively).
_MAX_NESTING = 60
#: ``@name`` mentions as Weibo and WeChat write them (not the ``@`` of an e-mail address).
_MENTION = re.compile(r"(?<![A-Za-z0-9_.\-])[@＠]([\w\-]{2,30})(?![\w\-])")
#: Record types whose ``text`` is read for ``@name`` mentions.
_MENTION_TYPES = frozenset({"social:repost", "social:post", "chat:message"})
_EMAIL_FIELDS = ("from_", "to", "cc", "bcc")


def _is_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _class(chars: list[str]) -> str:
    """A character class for ``chars`` (sorted), consecutive code points written as ranges."""
    out: list[str] = []
    i = 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        out.append(re.escape(chars[i]) if i == j else
                   f"{re.escape(chars[i])}-{re.escape(chars[j])}")
        i = j + 1
    return "[" + "".join(out) + "]"


def _compile(names: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching every name, the longest at each place.

    The names are laid out as a trie (shared prefixes written once, longer continuations tried
    first, single-child runs written as one literal).  Python's ``re`` tries the branches of an
    alternation one after the other, so ten thousand first characters would be ten thousand
    tries per text position; the first character is instead chosen through a balanced tree of
    look-aheads on character classes (about log2(n) tests), which keeps 100,000 strings against
    10,000 names to a few seconds.
    """
    end = ""  # marks "a name ends here"; every real key is one character
    trie: dict[str, dict] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[end] = {}

    def run(ch: str, node: dict) -> tuple[str, dict]:
        lit = ch
        while end not in node and len(node) == 1:
            ((nxt, node),) = node.items()
            lit += nxt
        return lit, node

    def flat(node: dict, last: str) -> str:
        """The continuations below ``node`` as one flat alternation, longest first."""
        tails: list[str] = []
        stack = [(node, "")]
        while stack:
            n, prefix = stack.pop()
            if end in n:
                tails.append(prefix)
            stack.extend((n[c], prefix + c) for c in n if c)
        tails.sort(key=lambda t: (-len(t), t))
        return "(?:" + "|".join(re.escape(t) + (_AFTER if _is_word((last + t)[-1]) else "")
                                for t in tails) + ")"

    def rest(node: dict, last: str, depth: int) -> str:
        if depth > _MAX_NESTING:  # names nested in names hundreds deep: no deeper groups
            return flat(node, last)
        alts = []
        for ch in sorted(k for k in node if k):
            lit, child = run(ch, node[ch])
            alts.append(re.escape(lit) + rest(child, lit[-1], depth + 1))
        if end in node:
            alts.append(_AFTER if _is_word(last) else "")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    def branch(ch: str) -> str:
        lit, child = run(ch, trie[ch])
        return re.escape(lit) + rest(child, lit[-1], 1)

    def tree(chars: list[str]) -> str:
        if len(chars) <= _LEAF:
            return "(?:" + "|".join(branch(c) for c in chars) + ")"
        mid = len(chars) // 2
        left, right = chars[:mid], chars[mid:]
        return (f"(?:(?={_class(left)}){tree(left)}"
                f"|(?={_class(right)}){tree(right)})")

    # Names that start with an ASCII word character are tried only at a word's start: the
    # boundary is tested once, before the dispatch, which skips the inside of every number.
    words = sorted(c for c in trie if _is_word(c))
    others = sorted(c for c in trie if not _is_word(c))
    parts = [f"(?={_class(others)}){tree(others)}"] if others else []
    if words:
        parts.append(f"{_BEFORE}(?={_class(words)}){tree(words)}")
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class Pseudonyms:
    """A mapping of real names and ids to pseudonyms, applied to text by calling it.

    Parameters
    ----------
    pairs : tuple of (str, str)
        ``(real, pseudonym)`` in assignment order.  A real name appears once; one pseudonym may
        stand for several identifiers of one person (a name and an id).  Pairs whose real name
        is shorter than :data:`MIN_LENGTH` are kept but never applied.

    The mapping is private: ``repr`` and the notebook view show counts only.
    """

    pairs: tuple[tuple[str, str], ...] = ()
    _table: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pairs: list[tuple[str, str]] = []
        table: dict[str, str] = {}
        for p in self.pairs:
            if not (isinstance(p, tuple | list) and len(p) == 2
                    and all(isinstance(x, str) and x for x in p)):
                raise InputError(f"pseudonym pair {len(pairs) + 1} is not two non-empty strings "
                                 "(real, pseudonym)")
            real, alias = p
            pairs.append((real, alias))
            if real in table:
                raise InputError(f"pseudonym pair {len(pairs)}: the same real name or id is "
                                 "mapped twice")
            table[real] = alias
        object.__setattr__(self, "pairs", tuple(pairs))
        usable = {r: a for r, a in table.items() if len(r) >= MIN_LENGTH}
        object.__setattr__(self, "_table", usable)
        object.__setattr__(self, "_pattern", _compile(usable) if usable else None)

    def __call__(self, text: str) -> str:
        """``text`` with every real name and id replaced by its pseudonym, in one pass.

        Examples
        --------
        >>> p = Pseudonyms((("张三", "T0001"), ("uid123", "T0001"), ("张三丰", "T0002")))
        >>> p("张三丰转发了张三 (uid123) 的微博")
        'T0002转发了T0001 (T0001) 的微博'
        >>> p("uid1234 与 uid123abc 不是 uid123；mail uid123@example.com 也不是")
        'uid1234 与 uid123abc 不是 T0001；mail uid123@example.com 也不是'
        """
        if not isinstance(text, str):
            raise TypeError(f"pseudonyms apply to text (str), not {type(text).__name__}")
        if self._pattern is None:
            return text
        table = self._table
        return self._pattern.sub(lambda m: table[m[0]], text)

    @property
    def persons(self) -> int:
        """How many distinct pseudonyms (persons) the mapping holds."""
        return len({a for _, a in self.pairs})

    def __len__(self) -> int:
        return len(self.pairs)

    def __repr__(self) -> str:
        return f"Pseudonyms({len(self.pairs)} identifiers, {self.persons} persons)"

    def _repr_html_(self) -> str:
        return (f"<p>{escape(repr(self))}: third parties shown by pseudonym; the mapping is kept "
                f"in the case ({MAPPING_FILE}) and is not shown.</p>")


# --- who the third parties are -----------------------------------------------------------------


def _text(value: object) -> str | None:
    """A usable identifier from a cell (NaN, None and blanks are nothing)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _occurrences(frame: pd.DataFrame | None) -> Iterator[tuple[str | None, tuple[str, ...]]]:
    """(grouping key or None, identifiers) of each person a record names, in record order."""
    if frame is None or frame.empty or "data_type" not in frame.columns:
        return
    columns = [c for c in ("data_type", "account_id", "account_name", "parent_account_id",
                           "chain", "text", "sender_id", "sender_name", *_EMAIL_FIELDS)
               if c in frame.columns]
    order = frame["evidence_id"].astype(str) if "evidence_id" in frame.columns else None
    view = frame[columns]
    if order is not None:
        view = view.iloc[order.argsort(kind="stable")]
    for row in view.to_dict("records"):
        kind = row.get("data_type")
        if kind in ("social:repost", "social:post"):
            aid = _text(row.get("account_id"))
            name = _text(row.get("account_name"))
            if aid or name:
                yield (f"id:{aid}" if aid else None), tuple(x for x in (aid, name) if x)
            parent = _text(row.get("parent_account_id"))
            if parent:
                yield f"id:{parent}", (parent,)
            for n in (_text(row.get("chain")) or "").split("\n"):
                if n.strip():
                    yield None, (n.strip(),)
        elif kind == "chat:message":
            sid = _text(row.get("sender_id"))
            name = _text(row.get("sender_name"))
            if sid or name:
                yield (f"id:{sid}" if sid else None), tuple(x for x in (sid, name) if x)
        elif kind == "email:rfc822":
            for column in _EMAIL_FIELDS:
                value = _text(row.get(column))
                if not value:
                    continue
                for name, addr in email.utils.getaddresses([value]):
                    name, addr = name.strip(), addr.strip()
                    if addr and "@" not in addr:  # a bare word: a name, not an address
                        name, addr = name or addr, ""
                    if addr or name:
                        yield (f"mailto:{addr.lower()}" if addr else None), tuple(
                            dict.fromkeys(x for x in (addr, name) if x))
        if kind in _MENTION_TYPES:
            text = _text(row.get("text"))
            if text and ("@" in text or "＠" in text):
                for n in _MENTION.findall(text):
                    yield None, (n,)


def _groups(frame: pd.DataFrame | None) -> list[tuple[str, ...]]:
    """Identifiers grouped by person, each identifier in one group, by first appearance.

    A name seen with an id (or an e-mail address) belongs to the first id it is seen with, even
    where it appears alone first (a ``//@name`` chain before the account's own row).
    """
    occurrences = [(k, tuple(i for i in ids if len(i) >= MIN_LENGTH))
                   for k, ids in _occurrences(frame)]
    owner: dict[str, str] = {}
    for key, ids in occurrences:
        if key is not None:
            for i in ids:
                owner.setdefault(i, key)
    groups: dict[str, dict[str, None]] = {}
    for key, ids in occurrences:
        for i in ids:
            k = owner.setdefault(i, key if key is not None else f"name:{i}")
            groups.setdefault(k, {})[i] = None
    return [tuple(g) for g in groups.values() if g]


def _kept_identifiers(case: Case, keep: Iterable[str]) -> set[str]:
    """``keep`` and the publishers the intake facts name, stripped."""
    if isinstance(keep, str):
        raise InputError("keep must be a list of names and ids, not one string")
    out = {k.strip() for k in keep if isinstance(k, str) and k.strip()}
    for item in case.items:
        for facts in (item.facts, *(s.facts for s in item.sightings)):
            for value in (facts.publisher, facts.publisher_id):
                if value and value.strip():
                    out.add(value.strip())
    return out


def _split(case: Case, keep: Iterable[str], *, progress: bool | None = None
           ) -> tuple[list[tuple[str, ...]], set[str], set[str]]:
    """(third-party groups, every kept identifier, every identifier seen)."""
    kept = _kept_identifiers(case, keep)
    lowered = {k.lower() for k in kept if "@" in k}
    groups = _groups(case.records(progress=progress))
    third: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for g in groups:
        seen.update(g)
        if any(i in kept or ("@" in i and i.lower() in lowered) for i in g):
            kept.update(g)  # one person: kept whole (a publisher's id with the name)
        else:
            third.append(g)
    return third, kept, seen


def third_parties(case: Case, *, keep: Iterable[str] = (), progress: bool | None = None
                  ) -> tuple[tuple[str, ...], ...]:
    """The identifiers of the third parties a case's records name, grouped by person.

    Parameters
    ----------
    case : Case
        The case; its parsed records are read (``case.records()``).
    keep : iterable of str
        Names and ids of the persons needed for proof (the parties).  The publishers the intake
        facts name (``publisher``, ``publisher_id``) are always kept.  A person any of whose
        identifiers is kept is kept whole (a publisher named by id keeps the account's name).
    progress : bool, optional
        Passed on to the parsing of items not yet parsed.

    Returns
    -------
    tuple of tuple of str
        One tuple per person (an id or an e-mail address first where there is one, then the
        names seen with it), in order of first appearance: by evidence number, then row.
        Identifiers shorter than :data:`MIN_LENGTH` characters are left out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from forensics.case import Case
    >>> from forensics.intake import IntakeFacts
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "r.csv").write_text(
    ...     "post_id,account_id,account_name,parent_account_id,time,text\\n"
    ...     "P1,1001,大V,,2026-11-20T14:02:00+08:00,原文 @张三丰 看看\\n"
    ...     "P1,2001,路人甲,1001,2026-11-20T14:10:00+08:00,转发微博\\n", encoding="utf-8")
    >>> case = Case.init(d / "case")
    >>> _ = case.add([d / "r.csv"], facts=IntakeFacts(publisher_id="1001"))
    >>> third_parties(case, progress=False)
    (('张三丰',), ('2001', '路人甲'))
    """
    return tuple(_split(case, keep, progress=progress)[0])


# --- the mapping kept in the case --------------------------------------------------------------


def _serialize(pairs: Iterable[tuple[str, str]]) -> bytes:
    """The file's bytes: one pair a line, so that a later run's file extends an earlier one."""
    lines = [json.dumps([r, a], ensure_ascii=False) for r, a in pairs]
    body = ",\n".join(f"  {x}" for x in lines)
    return (f'{{"format": {FORMAT_VERSION}, "pairs": [\n{body}\n]}}\n' if lines else
            f'{{"format": {FORMAT_VERSION}, "pairs": []}}\n').encode("utf-8")


def _parse(data: bytes, path) -> tuple[tuple[str, str], ...]:
    """Pairs from the file's bytes; :class:`InputError` naming the file and the fault."""
    def bad(why: str) -> InputError:
        return InputError(f"{path}: not a usable pseudonym mapping ({why}); it was not changed. "
                          "Restore it from a backup of the case: the pseudonyms already given "
                          "must not change")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise bad(f"not UTF-8 text at byte {exc.start}") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise bad(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise bad("the top level is not an object")
    if doc.get("format") != FORMAT_VERSION:
        raise bad(f"format {doc.get('format')!r}; this version reads format {FORMAT_VERSION}")
    raw = doc.get("pairs")
    if not isinstance(raw, list):
        raise bad("no 'pairs' list")
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for n, p in enumerate(raw, start=1):
        if not (isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)):
            raise bad(f"pair {n} is not [real, pseudonym] (two strings)")
        real, alias = p
        if len(real) < MIN_LENGTH:
            raise bad(f"pair {n}: a real name or id shorter than {MIN_LENGTH} characters")
        if not _PSEUDONYM.fullmatch(alias):
            raise bad(f"pair {n}: {alias!r} is not a pseudonym of the form "
                      f"{PSEUDONYM_PREFIX}0001")
        if real in seen:
            raise bad(f"pair {n}: a real name or id mapped a second time")
        seen.add(real)
        pairs.append((real, alias))
    return tuple(pairs)


def _load(case: Case, *, writable: bool) -> tuple[tuple[tuple[str, str], ...], int]:
    """The mapping on file and how many of its pairs the custody log already records.

    Call under the log lock.
    """
    path = case.root / MAPPING_FILE
    last = None
    for e in case.log.iter_entries():
        if e.action == Action.PSEUDONYMS:
            last = e
    logged_sha = str(last.details.get("sha256", "")) if last is not None else ""
    logged_total = last.details.get("total") if last is not None else 0
    if last is not None and not (isinstance(logged_total, int) and logged_total >= 0):
        raise InputError(f"{case.root}: custody entry {last.seq} ({Action.PSEUDONYMS}) has no "
                         "usable 'total'; run `forensics verify` on the case")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if last is not None and not writable:
            raise InputError(
                f"{path}: missing in this backup or read-only copy, though custody entry "
                f"{last.seq} records it; make the appendix from the case itself, or copy "
                f"{MAPPING_FILE} from it") from None
        if last is not None:
            raise InputError(
                f"{path}: missing, but custody entry {last.seq} records it (sha256:"
                f"{logged_sha}); restore it from a backup of the case: new pseudonyms would "
                "not match those already given") from None
        return (), 0
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    pairs = _parse(data, path)
    if last is None:
        return pairs, 0  # written by a run stopped before its entry (or placed): recorded now
    total = int(logged_total)  # type: ignore[call-overload]
    sha = hashlib.sha256(data).hexdigest()
    if sha == logged_sha and len(pairs) == total:
        return pairs, total
    if (len(pairs) > total and data == _serialize(pairs)
            and hashlib.sha256(_serialize(pairs[:total])).hexdigest() == logged_sha):
        return pairs, total  # pairs appended by a run stopped before its entry: recorded now
    raise InputError(
        f"{path}: changed outside the tool: its SHA-256 {sha} does not match custody entry "
        f"{last.seq} (sha256:{logged_sha}, {total} pairs). Restore the recorded file from a "
        "backup of the case: the pseudonyms already given must not change")


def _extend(pairs: tuple[tuple[str, str], ...], groups: list[tuple[str, ...]],
            taken: set[str]) -> tuple[tuple[str, str], ...]:
    """``pairs`` with every identifier of ``groups`` not yet in it, numbered on."""
    table = dict(pairs)
    numbers = [int(m[1]) for a in table.values() if (m := _PSEUDONYM.fullmatch(a))]
    nxt = max(numbers, default=0) + 1
    out = list(pairs)
    for g in groups:
        known = [table[i] for i in g if i in table]
        if known:
            alias = known[0]
        else:
            while (alias := f"{PSEUDONYM_PREFIX}{nxt:04d}") in taken or alias in table:
                nxt += 1
            nxt += 1
        for i in g:
            if i not in table:
                table[i] = alias
                out.append((i, alias))
    return tuple(out)


def pseudonyms(case: Case, *, keep: Iterable[str] = (), progress: bool | None = None
               ) -> Pseudonyms:
    """The case's pseudonym mapping, extended to every third party its records name.

    The mapping kept at ``<case>/pseudonyms.json`` is read; the third parties not yet in it
    (:func:`third_parties`) get the next numbers, existing ones keep theirs.  When anything was
    added the file is rewritten atomically and one ``pseudonyms`` custody entry records its
    SHA-256, the pairs added and the total (never the names), under the log lock.  Nothing
    added: nothing written, nothing logged.

    Parameters
    ----------
    case : Case
        The case.
    keep : iterable of str
        Names and ids of persons needed for proof; intake publishers are always kept.  Kept
        persons are never replaced, even when an earlier run mapped them: their pairs stay in
        the file (their numbers are not reused) but are left out of the returned mapping.
    progress : bool, optional
        Passed on to the parsing of items not yet parsed.

    Returns
    -------
    Pseudonyms
        The callable the appendix applies to every data string.

    Raises
    ------
    InputError
        The file is corrupt, was changed outside the tool, or is missing although the log
        records it; or new pseudonyms are needed in a backup or a read-only case (make them in
        the case itself, then back it up again).
    StorageError
        The file could not be written (nothing was recorded).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from forensics.case import Case
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "chat.csv").write_text("time,sender_id,sender_name,text\\n"
    ...     "2026-11-20 14:35:02,wxid_1,李四,那条微博你看到了吗\\n", encoding="utf-8")
    >>> case = Case.init(d / "case")
    >>> _ = case.add([d / "chat.csv"])
    >>> p = pseudonyms(case, progress=False)
    >>> p("李四 (wxid_1)"), [e.details["added"] for e in case.log.entries()
    ...                      if e.action == "pseudonyms"]
    ('T0001 (T0001)', [2])
    """
    from forensics.artifacts import _writable

    groups, kept, seen = _split(case, keep, progress=progress)  # parsing: outside the lock
    path = case.root / MAPPING_FILE
    with case.log.lock:
        case.refresh()
        writable = _writable(case)
        pairs, logged = _load(case, writable=writable)
        new = _extend(pairs, groups, seen | kept)
        if len(new) > logged:
            if not writable:
                raise InputError(f"{case.root} is a backup or read-only: make pseudonyms in the "
                                 "case itself, then back it up again")
            data = _serialize(new)
            if new != pairs:
                try:
                    atomic_write(path, data)
                except OSError as exc:
                    raise StorageError(path, exc.strerror or str(exc)) from None
            case.record([EntryDraft(Action.PSEUDONYMS, details={
                "what": "third-party pseudonyms extended",
                "file": MAPPING_FILE, "sha256": hashlib.sha256(data).hexdigest(),
                "added": len(new) - logged, "total": len(new),
            })])
    return Pseudonyms(tuple(p for p in new if p[0] not in kept))

