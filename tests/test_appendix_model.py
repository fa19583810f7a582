"""The appendix content model: sections, digests, pseudonyms, frames, flags, determinism.

The cases are made on the fly: a generated PNG screenshot, a chat in the package's generic CSV
form, a repost list captured (by its intake facts) before the posts it lists (so the cross-checks
make a finding), and a "recording" that is only a few bytes with an ``.mp4`` name (the frame
sampler is a stand-in callable here; forensics/frames.py has its own tests).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from forensics.appendix import made_from_head
from forensics.appendix_html import draw_html, render_html
from forensics.appendix_model import (
    SECTIONS,
    Appendix,
    Block,
    Box,
    Exhibit,
    Heading,
    Items,
    Mark,
    Para,
    Picture,
    Pre,
    Say,
    Section,
    Table,
    build_appendix,
    plain_text,
)
from forensics.demo import _png
from forensics.errors import InputError
from forensics.intake import IntakeFacts

CHAT = ("time,sender_id,sender_name,text\n"
        "2026-11-20T14:35:02+08:00,u1,张三,张三说过这句话\n"
        "2026-11-20T14:35:40+08:00,u2,王五,收到\n")
REPOSTS = (
    "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id\n"
    "P1,100,发布者,,2026-11-20T14:02:00+08:00,原帖内容,300,R0,\n"
    "P1,200,转发者甲,100,2026-11-20T14:10:00+08:00,转发微博,20,R1,R0\n"
)


@pytest.fixture
def small(case, tmp_path):
    """A screenshot, a chat naming 张三 and a repost list captured before its posts."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "shot.png").write_bytes(_png(16, 24))
    (src / "chat.csv").write_text(CHAT, encoding="utf-8")
    (src / "reposts.csv").write_text(REPOSTS, encoding="utf-8")
    case.add([src / "shot.png"], facts=IntakeFacts(category="post", publisher="某某",
                                                   captured_by="张三"), progress=False)
    case.add([src / "chat.csv"], facts=IntakeFacts(category="message"), progress=False)
    case.add([src / "reposts.csv"], facts=IntakeFacts(captured_at="2026-11-19T10:00:00+08:00"),
             progress=False)
    return case


@pytest.fixture
def recording(case, tmp_path):
    """A case with one "recording": bytes no parser reads, under an .mp4 name."""
    f = tmp_path / "clip.mp4"
    f.write_bytes(b"\x00\x00\x00\x18ftypmp42 not a real video")
    case.add([f], progress=False)
    return case


# --- walking the model (independently of the module's own walker) -------------------------------

def blocks(a: Appendix) -> Iterator[Block]:
    def walk(bs):
        for b in bs:
            yield b
            if isinstance(b, Exhibit | Box):
                yield from walk(b.body)
    for s in a.sections:
        yield from walk(s.blocks)


def spans(a: Appendix) -> Iterator[tuple]:
    for b in blocks(a):
        if isinstance(b, Para):
            yield b.content
        elif isinstance(b, Table):
            yield from b.header
            for r in b.rows:
                yield from r
        elif isinstance(b, Items):
            yield from b.entries
        elif isinstance(b, Picture):
            yield from b.caption
        elif isinstance(b, Exhibit):
            yield b.title
            yield from b.caption


def pieces(a: Appendix) -> Iterator[str | Say | Mark]:
    for span in spans(a):
        yield from span


def data_texts(a: Appendix, *, digests: bool = True) -> Iterator[str]:
    """Every data string of the model (digests only when asked)."""
    for p in pieces(a):
        if isinstance(p, str):
            yield p
        elif isinstance(p, Mark) and isinstance(p.text, str) and (digests or p.style != "hash"):
            yield p.text
    for b in blocks(a):
        if isinstance(b, Pre):
            yield b.text
        elif isinstance(b, Picture):
            yield b.alt


def says(a: Appendix) -> Iterator[Say]:
    for p in pieces(a):
        if isinstance(p, Say):
            yield p
        elif isinstance(p, Mark) and isinstance(p.text, Say):
            yield p.text
    for b in blocks(a):
        if isinstance(b, Heading):
            yield b.text
        elif isinstance(b, Box):
            yield b.title
    for s in a.sections:
        yield s.heading


def section(a: Appendix, sid: str) -> Section:
    return next(s for s in a.sections if s.id == sid)


def exhibit(a: Appendix, eid: str) -> Exhibit:
    return next(b for b in section(a, "exhibits").blocks
                if isinstance(b, Exhibit) and b.anchor == f"ex-{eid}")


# --- the tests -----------------------------------------------------------------------------------

def test_nine_sections_in_order_and_every_digest_in_the_hash_table(small):
    a = build_appendix(small, progress=False)
    assert [(s.id, s.number, s.heading) for s in a.sections] == [
        (sid, n, Say(zh, en)) for n, (sid, zh, en) in enumerate(SECTIONS, 1)]
    table = next(b for b in section(a, "hashes").blocks if isinstance(b, Table))
    assert table.kind == "hashes"
    cells = {p.text for r in table.rows for c in r for p in c if isinstance(p, Mark)
             and p.style == "hash"}
    for it in small.items:
        assert it.digests.sha256 in cells and it.digests.sm3 in cells and it.digests.md5 in cells
    head = made_from_head(small)  # the tables kept on the way (``derived``) change nothing
    assert a.head == (head.seq, head.entry_sha256) and small.head.action == "derived"
    assert ("lang", "both") in a.params and ("pseudonymize", "no") in a.params
    # every table says which table it is (the PDF sizes its columns by it)
    assert all(b.kind != "plain" for b in blocks(a) if isinstance(b, Table))


def test_pagerefs_and_finding_refs_point_at_anchors_that_exist(small):
    a = build_appendix(small, lang="en", progress=False)
    anchors = {b.anchor for b in section(a, "exhibits").blocks if isinstance(b, Exhibit)}
    assert anchors == {f"ex-{it.evidence_id}" for it in small.items}
    marks = [p for p in pieces(a) if isinstance(p, Mark)]
    pagerefs = [m for m in marks if m.style == "pageref"]
    assert {m.target for m in pagerefs} == anchors
    assert pagerefs[0].text == Say("见证据展示 E0001", "see exhibit E0001")
    # the repost list was captured before its posts: a finding, anchored and referenced
    found = {m.target for m in marks if m.style == "anchor"}
    refs = {m.target for m in marks if m.style == "ref"}
    assert "F1" in found and refs and refs <= found


def test_pseudonymize_reaches_every_data_text_and_never_our_words(small):
    plain = build_appendix(small, progress=False)
    assert any("张三" in t for t in data_texts(plain))

    def wrap(text: str) -> str:
        return "⟪" + text.replace("张三", "T0001") + "⟫"

    a = build_appendix(small, pseudonymize=wrap, progress=False)
    texts = list(data_texts(a, digests=False))
    assert texts and all(t.startswith("⟪") and t.endswith("⟫") for t in texts)
    assert not any("张三" in t for t in data_texts(a))
    assert any("T0001" in t for t in texts)
    assert a.title.startswith("⟪")
    # our words are untouched, and so are the digests
    assert list(says(a)) == list(says(plain))
    assert not any("⟪" in s.zh or "⟪" in s.en for s in says(a))
    def digests(ap: Appendix) -> set[str]:  # a figure's PNG digest changes with its labels
        figures = {p.text for b in blocks(ap) if isinstance(b, Picture) and b.source == "figure"
                   for c in b.caption for p in c if isinstance(p, Mark)}
        return {p.text for p in pieces(ap) if isinstance(p, Mark) and p.style == "hash"} - figures

    assert digests(a) == digests(plain)
    assert small.items[0].digests.sha256 in digests(a)
    assert ("pseudonymize", "yes") in a.params
    # and the drawn page holds the pseudonym only
    html = render_html(small, pseudonymize=lambda t: t.replace("张三", "T0001"),
                       progress=False).decode()
    assert "张三" not in html and "T0001" in html


def test_frames_become_pictures_captioned_with_both_digests(recording):
    it = recording.item("E0001")
    png0, png5 = _png(8, 8), _png(8, 9)
    calls = []

    def frames(case, item):
        calls.append(item.evidence_id)
        return [(0.0, png0), (5.0, png5)]

    a = build_appendix(recording, frames=frames, progress=False)
    assert calls == ["E0001"]
    body = exhibit(a, "E0001").body
    note, *pics = body
    assert isinstance(note, Para) and note.style == "missing"
    assert Mark(it.name, "code") in note.content  # the note still names the original
    assert [(p.source, p.media_type, p.data) for p in pics] == [
        ("frame", "image/png", png0), ("frame", "image/png", png5)]
    caption = plain_text(pics[1].caption[0], "en") + "\n" + plain_text(pics[1].caption[1], "en")
    assert "00:05" in caption and hashlib.sha256(png5).hexdigest() in caption
    assert it.digests.sha256 in caption
    assert ("frames", "yes") in a.params
    html = draw_html(a).decode()
    assert html.count('<figure class="figure"><img src="data:image/png;base64,') == 2
    # without the callable, only the note
    assert exhibit(build_appendix(recording, progress=False), "E0001").body == (note,)


def test_a_frame_sampler_that_cannot_is_shown_and_one_that_lies_is_refused(recording):
    def fails(case, item):
        raise InputError(f"{item.evidence_id}: clip.mp4 is truncated")

    body = exhibit(build_appendix(recording, frames=fails, progress=False), "E0001").body
    assert body[-1].style == "missing"
    assert "E0001: clip.mp4 is truncated" in plain_text(body[-1].content, "en")

    with pytest.raises(InputError, match=r"E0001 \(clip.mp4\): the frame at 0.0s .* not PNG"):
        build_appendix(recording, frames=lambda c, i: [(0.0, b"GIF89a")], progress=False)


def test_frames_are_asked_only_for_recordings(small):
    calls = []
    build_appendix(small, frames=lambda c, i: calls.append(i) or [], progress=False)
    assert calls == []


def test_flags_count_a_right_to_left_override_planted_in_a_chat(case, tmp_path):
    f = tmp_path / "chat.csv"
    f.write_text("time,sender_id,sender_name,text\n"
                 "2026-11-20T14:35:02+08:00,u1,李四,付款\u202e001\u202c元\n", encoding="utf-8")
    case.add([f], progress=False)
    a = build_appendix(case, progress=False)
    flags = dict(a.flags)
    occurrences = sum(t.count("\u202e") for t in data_texts(a))
    assert occurrences >= 2  # the exhibit's text and the timeline's content at least
    assert flags["U+202E"] == occurrences and flags["U+202C"] == occurrences
    assert [k for k, _ in a.flags] == ["U+202C", "U+202E"]  # in code-point order
    # counted after pseudonymizing: what is shown is what is counted
    clean = build_appendix(case, pseudonymize=lambda t: t.replace("\u202e", "").replace(
        "\u202c", ""), progress=False)
    assert clean.flags == ()


def test_two_builds_are_equal(small):
    assert build_appendix(small, progress=False) == build_appendix(small, progress=False)


def test_bad_language_and_unsafe_picture_are_refused(small):
    with pytest.raises(InputError, match="lang must be one of"):
        build_appendix(small, lang="fr")
    a = build_appendix(small, lang="en", progress=False)
    ok = Picture(data=_png(4, 4), media_type="image/png", alt="x", caption=(("c",),))
    bad = Picture(data=b"<svg onload=alert(1)>", media_type="image/svg+xml", alt="x")
    cover = section(a, "cover")

    def with_block(b):
        return Appendix(**{**{k: getattr(a, k) for k in a.__dataclass_fields__},
                           "sections": (Section(cover.id, 1, cover.heading, (b,)),)})

    assert b'<img src="data:image/png;base64,' in draw_html(with_block(ok))
    with pytest.raises(InputError, match="image/svg"):
        draw_html(with_block(bad))


def test_pseudonymized_figures_are_drawn_from_pseudonymized_accounts(small, monkeypatch):
    import forensics.spread_figures as sf

    seen = []
    real = sf.cascade_figure

    def spy(analysis, *a, **kw):
        seen.append(analysis)
        return real(analysis, *a, **kw)

    monkeypatch.setattr(sf, "cascade_figure", spy)
    names = {str(n) for n in build_appendix(small, progress=False) and seen[0].nodes[
        "account_name"].dropna() if str(n)}
    assert names
    seen.clear()

    def fn(text: str) -> str:
        for n in names:
            text = text.replace(n, "T0001")
        return text

    build_appendix(small, pseudonymize=fn, progress=False)
    labels = {str(v) for v in seen[0].nodes["account_name"].dropna()}
    assert labels == {"T0001"}
    for frame in (seen[0].nodes, seen[0].accounts, seen[0].posts):
        assert not any(n in str(v) for v in frame.to_numpy().ravel() for n in names)


def test_the_integrity_statement_lists_outside_proof(small, tmp_path):
    def outside(a: Appendix) -> list[Block]:
        blocks_ = list(section(a, "integrity").blocks)
        start = next(i for i, b in enumerate(blocks_) if isinstance(b, Heading)
                     and b.text == Say("外部证明（公证、存证平台的哈希清单或证书）",
                                       "Outside proof (notary, evidence platform: hash lists, "
                                       "certificates)"))
        return blocks_[start + 1:]

    none = outside(build_appendix(small, progress=False))
    assert "No outside statement" in plain_text(none[0].content, "en")
    shot = small.item("E0001")
    lst = tmp_path / "SHA256SUMS"
    lst.write_text(f"{shot.digests.sha256}  shot.png\n{'ab' * 32}  gone.mp4\n"
                   f"{'cd' * 32}  chat.csv\n")
    report = small.attest(lst, issuer="示例公证处", issued_at="2026-11-21T15:00:00+08:00")
    blocks_ = outside(build_appendix(small, lang="en", progress=False))
    table = next(b for b in blocks_ if isinstance(b, Table))
    assert table.kind == "attestations" and len(table.rows) == 1
    text = " | ".join(plain_text(c, "en") for c in table.rows[0])
    assert text.startswith(f"{report.recorded_seq} | 示例公证处 | sha256sum E0004 | — | "
                           "2026-11-21T15:00:00+08:00 | ")
    assert "matched 1 · mismatched 1 · missing 1 · unchecked 0" in text
    # the mismatch is a finding of the appendix too
    found = [b for b in blocks(build_appendix(small, lang="en", progress=False))
             if isinstance(b, Table) and b.kind == "findings"]
    assert any("attested-digest-mismatch" in plain_text(c, "en") for r in found[0].rows
               for c in r)
