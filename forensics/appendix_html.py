"""The litigation appendix as one self-contained HTML file (issue 7).

:func:`render_html` turns a case into a single HTML document, Chinese first and then English:
:func:`forensics.appendix_model.build_appendix` gathers what it says, :func:`draw_html` draws
that model (the PDF of :mod:`forensics.appendix_pdf` draws the same model).  Nine sections, each
with an id for the table of contents at the top:

1. ``cover``: title, case number, examiner, the date of the custody head entry (never the time
   of rendering), package version, the custody head and its anchors, and the notice that this is
   a party's own analysis, not a judicial appraisal (鉴定意见; 证据规定 art. 41);
2. ``evidence-list``: the 证据目录 of :func:`forensics.appendix.evidence_list` with the court
   form's lines (证据规定 art. 19);
3. ``exhibits``: one per item, in the evidence-list order: PNG, JPEG, GIF and WebP shown from the
   stored original's own bytes (a ``data:`` URI, never re-encoded); other images and recordings
   named, with the reason they are not shown (and a recording's frames, as PNG, when a frame
   sampler is given); text evidence as parsed, capped per item;
4. ``hashes``: :func:`forensics.appendix.hash_table`;
5. ``integrity``: the latest ``verify`` entry of the custody log, or a plain statement that the
   case was never verified (never "passed");
6. ``timeline``: every event of :meth:`Case.timeline` (facts: times as read) with the findings
   of :meth:`Case.findings` (inferences) kept in a separate, differently drawn block and
   referenced beside the events they concern;
7. ``spread``: the per-post table of :meth:`Case.spread` with the reference marks (counts and
   times, no legal conclusion) and the cascade and curve figures as PNG ``data:`` URIs;
8. ``method``: how each step was done, the sources of error, and the court's authenticity
   factors (证据规定 art. 93/94, 互联网法院规定 art. 11) with what in this case speaks to each;
9. ``reproducibility``: package, Python and dependency versions, parameters, item digests and
   the custody head.

Captured content is written by the other side, so the document is built for hostile text: every
text is escaped by :func:`_esc` (there is no template engine and no markup from the data; the
only markup is what :func:`draw_html` writes for each block type of the model), there is
no ``<script>`` at all, a Content-Security-Policy forbids everything but inline styles and
``data:`` images, URLs are shown as text (never links), and invisible or direction-changing
characters (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF, U+00AD and control characters)
are replaced by visible markers such as ``⟦U+202E⟧`` and counted in a note at the top.

The same case, package version and parameters give the same bytes: there is no time of rendering
in the file, the figures are written by :func:`forensics.figures.save_figure`, and every table
has a fixed order.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "c", title="示例", case_number="(2026)1号")
>>> html = render_html(case, lang="zh")
>>> html.startswith(b"<!DOCTYPE html>"), b"<script" in html, b'id="reproducibility"' in html
(True, False, True)
>>> _esc("a\\u202eb<")
'a<span class="inv">⟦U+202E⟧</span>b&lt;'
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forensics.appendix_model import (
    _INVISIBLE,
    DEPENDENCIES,
    LANGS,
    MAX_EXHIBIT_CHARS,
    MAX_FIGURE_POSTS,
    SECTIONS,
    Appendix,
    Block,
    Box,
    Exhibit,
    FrameSampler,
    Heading,
    Items,
    Mark,
    Para,
    Picture,
    Pre,
    Say,
    Section,
    Span,
    Table,
    build_appendix,
    flag_note,
    say_text,
)
from forensics.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case

__all__ = [
    "CSP",
    "DEPENDENCIES",
    "LANGS",
    "MAX_EXHIBIT_CHARS",
    "MAX_FIGURE_POSTS",
    "SECTIONS",
    "draw_html",
    "render_html",
    "write_html",
]

#: The Content-Security-Policy of the document: nothing may be fetched or run.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
#: The image types a ``data:`` URI may carry (what browsers show from bytes as they are).
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")

# --- escaping ------------------------------------------------------------------------------------


def _marker(ch: str) -> str:
    return f'<span class="inv">⟦U+{ord(ch):04X}⟧</span>'


def _esc(text: object) -> str:
    """``text`` as HTML text: escaped (``& < > " '``), with every invisible or direction
    character replaced by a visible marker."""
    s = "" if text is None else str(text)
    s = escape(s.replace("\r\n", "\n"), quote=True)
    if _INVISIBLE.search(s) is None:
        return s
    return _INVISIBLE.sub(lambda m: _marker(m.group()), s)


#: Joins cells escaped together (:meth:`_Draw.cells`): a private-use character, unchanged by
#: escaping and not among the invisible ones; a text that has it is escaped on its own.
_SEP = "\ue000"


def _id(text: str) -> str:
    """A fragment id made only of safe characters."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Source Han Sans SC","Microsoft YaHei",
sans-serif;font-size:10.5pt;line-height:1.5;color:#111;margin:1.5em auto;max-width:60em;padding:0 1em}
h1{font-size:18pt}h2{font-size:14pt;border-bottom:1px solid #444;margin-top:2em}
h3{font-size:11.5pt;margin-bottom:.2em}
.en{color:#444;font-weight:normal}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:9pt}
th,td{border:1px solid #999;padding:2px 4px;vertical-align:top;text-align:left;
unicode-bidi:isolate;overflow-wrap:anywhere}
th{background:#eee}
code,.hash{font-family:"DejaVu Sans Mono","Noto Sans Mono",monospace;font-size:8.5pt;
overflow-wrap:anywhere}
.notice{border:2px solid #a00;padding:.5em;font-weight:bold}
.inv{background:#ffd54f;color:#000;border:1px solid #b26a00;font-family:monospace;font-size:8pt;
padding:0 1px}
.flagnote{border-left:4px solid #b26a00;padding-left:.5em}
.facts{border:1px solid #555}
.inference{border:2px dashed #6a1b9a;background:#f7f0fa;padding:.3em .6em;margin:.5em 0}
.inference h3{color:#6a1b9a}
.ref{color:#6a1b9a;font-weight:bold}
.exhibit{border-top:1px solid #bbb;padding:.4em 0;break-inside:avoid-page}
figure{margin:.3em 0}
.exhibit img{display:block;max-width:100%;max-height:22cm;min-width:6cm;image-rendering:auto;
border:1px solid #ccc}
figcaption{font-size:9pt}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit;font-size:9pt;
background:#fafafa;border:1px solid #ddd;padding:.4em;unicode-bidi:isolate}
.missing{color:#a00}
.unreached{color:#555}
.figure img{max-width:100%}
nav ol{columns:2}
@page{size:A4;margin:18mm 15mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}
h2{break-before:page}thead{display:table-header-group}tr{break-inside:avoid}
a{color:inherit;text-decoration:none}nav{break-after:page}}
"""


def render_html(case: Case, *, lang: str = "both", groups: Mapping[str, str] | None = None,
                progress: bool | None = None, pseudonymize: Callable[[str], str] | None = None,
                frames: FrameSampler | None = None) -> bytes:
    """The appendix of ``case`` as one self-contained HTML document (UTF-8 bytes).

    Parameters
    ----------
    case : forensics.case.Case
    lang : {"both", "zh", "en"}
        Chinese then English (default), Chinese only, or English only.  The court-form columns
        of the evidence list stay in Chinese.
    groups : mapping, optional
        Evidence number to group label, as :func:`forensics.appendix.evidence_list` takes it.
    progress : bool, optional
        Progress bars while parsing and analysing.
    pseudonymize, frames : callable, optional
        As :func:`forensics.appendix_model.build_appendix` takes them.

    Returns
    -------
    bytes
        ``draw_html(build_appendix(case, ...))``: the same bytes for the same case, version and
        parameters.  Items not parsed yet are parsed first (and the parse logged, when the case
        is writable), so the document names the custody head it was made from.

    Raises
    ------
    InputError
        ``lang`` is not one of :data:`LANGS`, or ``groups`` names an unknown item.
    """
    return draw_html(build_appendix(case, lang=lang, groups=groups, pseudonymize=pseudonymize,
                                    frames=frames, progress=progress))


def write_html(case: Case, path: str | os.PathLike[str], **kw: Any) -> Path:
    """Write :func:`render_html` of ``case`` to ``path`` atomically; return the path.

    ``kw`` are the options of :func:`render_html` (``lang``, ``groups``, ``progress``,
    ``pseudonymize``, ``frames``).
    """
    from forensics.durable import atomic_write

    target = Path(path)
    atomic_write(target, render_html(case, **kw))
    return target


def draw_html(appendix: Appendix) -> bytes:
    """``appendix`` as one self-contained HTML document (UTF-8 bytes).

    Every data string is escaped and its invisible characters drawn as markers; our words are
    escaped; the only markup is the one written here for each block type.  There is no
    ``<script>`` and nothing to fetch (:data:`CSP`).

    Raises
    ------
    InputError
        ``appendix.lang`` is not one of :data:`LANGS`, or a :class:`Picture` carries a media type
        that is not a browser image (:data:`_IMAGE_TYPES`).

    Examples
    --------
    >>> from forensics.appendix_model import Appendix, Section
    >>> a = Appendix(lang="en", title="T\u202e", case_number="1", heading=Say("附录", "Appendix"),
    ...              notice=Say("注意", "Note"), flags=(("U+202E", 1),), head=None,
    ...              sections=(Section("cover", 1, Say("封面", "Cover"),
    ...                                (Para(("<b>", Mark("ab", "hash"))),)),))
    >>> html = draw_html(a).decode()
    >>> '<p>&lt;b&gt;<code class="hash">ab</code></p>' in html, "<title>T<span" in html
    (True, True)
    """
    if appendix.lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {appendix.lang!r}")
    d = _Draw(appendix.lang)
    heading = escape(say_text(appendix.heading, appendix.lang))
    title = _esc(appendix.title)
    toc = "".join(f'<li><a href="#{_id(s.id)}">{s.number}. {d.heading(s.heading)}</a></li>'
                  for s in appendix.sections)
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{"en" if appendix.lang == "en" else "zh-CN"}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title} · {heading}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<h1>{heading}：{title}</h1>\n"
        f"{d.block(Para((appendix.notice,), 'notice'))}\n"
        f'<nav><h2 id="toc">{d.heading(Say("目录", "Contents"))}</h2><ol>{toc}</ol></nav>\n'
        f"{d.block(flag_note(appendix.flags))}\n"
        + "\n".join(d.section(s) for s in appendix.sections) + "\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


# --- the blocks ----------------------------------------------------------------------------------

_PARA_CLASS = {"p": "", "notice": ' class="notice"', "missing": ' class="missing"',
               "flag": ' class="flagnote"'}
_TABLE_CLASS = {"timeline": ' class="facts"'}


class _Draw:
    """Draws the blocks of an appendix in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._marks: dict[Mark, str] = {}

    def say(self, s: Say) -> str:
        """Our own words in the document's language(s), escaped."""
        return escape(say_text(s, self.lang))

    def heading(self, s: Say) -> str:
        if self.lang in ("zh", "en") or s.zh == s.en:
            return self.say(s)
        return f'{escape(s.zh)}<span class="en"> {escape(s.en)}</span>'

    def text(self, t: str | Say) -> str:
        """A piece of text: data escaped and flagged, a line break as ``<br>``."""
        return self.say(t) if isinstance(t, Say) else _esc(t).replace("\n", "<br>")

    def span(self, span: Span) -> str:
        return "".join(self.mark(p) if isinstance(p, Mark) else self.text(p) for p in span)

    def cells(self, spans: Sequence[Span]) -> list[str]:
        """:meth:`span` of many cells; those of plain data text (most of a long table) are
        escaped together, in one pass over their joined text, with the same result."""
        # one piece of data text (the usual cell), or none; any other is drawn as a span
        plain = [x[0] if len(x) == 1 and type(x[0]) is str else "" if not x else None
                 for x in spans]
        other = [i for i, x in enumerate(plain) if x is None]
        texts = [x for x in plain if x is not None] if other else plain
        joined = _SEP.join(texts)  # type: ignore[arg-type]
        if not texts or joined.count(_SEP) != len(texts) - 1:  # the separator is in the data
            return [self.span(x) for x in spans]
        done = _esc(joined).replace("\n", "<br>").split(_SEP)
        if not other:
            return done
        out: list[str] = [""] * len(spans)
        drawn: dict[int, str] = {}  # the same span object (a finding's references) drawn once
        for i in other:
            x = spans[i]
            out[i] = drawn.get(id(x)) or drawn.setdefault(id(x), self.span(x))
        keep = [i for i, x in enumerate(plain) if x is not None]
        for i, text in zip(keep, done, strict=True):
            out[i] = text
        return out

    def lines(self, spans: Sequence[Span]) -> str:
        return "<br>".join(self.span(x) for x in spans)

    def mark(self, m: Mark) -> str:
        # the same marks recur (a finding's reference beside thousands of events): drawn once
        done = self._marks.get(m)
        if done is None:
            done = self._marks[m] = self._mark(m)
        return done

    def _mark(self, m: Mark) -> str:
        x = self.text(m.text)
        target = _id(m.target)
        if m.style == "code":
            return f"<code>{x}</code>"
        if m.style == "hash":
            return f'<code class="hash">{x}</code>'
        if m.style == "bold":
            return f"<b>{x}</b>"
        if m.style in ("missing", "unreached"):
            return f'<span class="{m.style}">{x}</span>'
        if m.style == "anchor" and target:
            return f'<span class="ref" id="{target}">{x}</span>'
        if m.style == "ref" and target:
            return f'<a class="ref" href="#{target}">{x}</a>'
        if m.style == "pageref" and target:
            return f'<a href="#{target}">{x}</a>'
        return f'<span class="ref">{x}</span>' if m.style in ("ref", "anchor") else x

    def section(self, s: Section) -> str:
        inner = "\n".join(self.block(b) for b in s.blocks)
        return (f'<section id="{_id(s.id)}">\n<h2>{s.number}. {self.heading(s.heading)}</h2>\n'
                f"{inner}\n</section>")

    def block(self, b: Block) -> str:
        if isinstance(b, Para):
            return f"<p{_PARA_CLASS[b.style]}>{self.span(b.content)}</p>"
        if isinstance(b, Heading):
            return f"<h3>{self.heading(b.text)}</h3>"
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, Pre):
            return f"<pre>{_esc(b.text)}</pre>"
        if isinstance(b, Items):
            tag = "ol" if b.ordered else "ul"
            return f"<{tag}>" + "".join(f"<li>{self.span(e)}</li>" for e in b.entries) + f"</{tag}>"
        if isinstance(b, Picture):
            return self.picture(b)
        if isinstance(b, Exhibit):
            body = "".join(self.block(x) for x in b.body)
            return (f'<div class="exhibit" id="{_id(b.anchor)}"><h3>{self.span(b.title)}</h3>'
                    f"<figure>{body}<figcaption>{self.lines(b.caption)}</figcaption></figure>"
                    "</div>")
        if isinstance(b, Box):
            anchor = f' id="{_id(b.anchor)}"' if b.anchor else ""
            body = "".join(self.block(x) for x in b.body)
            return f'<div class="{b.style}"{anchor}><h3>{self.heading(b.title)}</h3>{body}</div>'
        raise TypeError(f"not a block of the appendix model: {type(b).__name__}")

    def table(self, t: Table) -> str:
        if t.kind == "kv":
            return ("<table>" + "".join(f"<tr><th>{self.span(r[0])}</th><td>"
                                        + "".join(self.span(c) for c in r[1:]) + "</td></tr>"
                                        for r in t.rows) + "</table>")
        head = "".join(f"<th>{self.span(h)}</th>" for h in t.header)
        cells = self.cells([c for r in t.rows for c in r])
        width = len(t.rows[0]) if t.rows else 0
        if not width or any(len(r) != width for r in t.rows):  # ragged rows: each as it is
            at, body_rows = 0, []
            for r in t.rows:
                body_rows.append("<tr><td>" + "</td><td>".join(cells[at:at + len(r)])
                                 + "</td></tr>" if r else "<tr></tr>")
                at += len(r)
            body = "".join(body_rows)
        else:  # one join over the cells laid out with their tags between them
            import numpy as np

            laid = np.empty((len(t.rows), 2 * width + 1), dtype=object)
            laid[:, 0] = "<tr><td>"
            laid[:, 1:2 * width:2] = np.array(cells, dtype=object).reshape(len(t.rows), width)
            laid[:, 2:2 * width - 1:2] = "</td><td>"
            laid[:, 2 * width] = "</td></tr>"
            body = "".join(laid.ravel().tolist())
        return (f"<table{_TABLE_CLASS.get(t.kind, '')}><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")

    def picture(self, p: Picture) -> str:
        if p.media_type not in _IMAGE_TYPES:
            raise InputError(f"picture {p.alt!r}: media type {p.media_type!r} is not one a "
                             f"browser shows from its bytes ({', '.join(_IMAGE_TYPES)})")
        uri = f"data:{p.media_type};base64,{base64.b64encode(p.data).decode('ascii')}"
        img = f'<img src="{uri}" alt="{_esc(p.alt)}">'
        if not p.caption:
            return img
        return (f'<figure class="figure">{img}<figcaption>{self.lines(p.caption)}</figcaption>'
                "</figure>")
