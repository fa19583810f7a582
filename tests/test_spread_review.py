"""Review of the spread analysis (issue 6): reproducers of the defects a review found.

Each test names what the issue or docs/spread.md promises and the smallest input that broke it.
Inputs are invented here (ids, names, texts), in the documented repost-list form
(docs/formats/reposts.md) or as plain rows for :func:`forensics.spread.make_table`.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from forensics import spread
from forensics.case import Case
from forensics.cli import cli
from forensics.errors import InputError
from forensics.intake import IntakeFacts

HEADER = "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id\n"


def T(minute: int) -> str:
    return f"2026-11-20T10:{minute:02d}:00+08:00"


def _analyze(rows: list[dict], **kw: object) -> spread.SpreadAnalysis:
    return spread.analyze(spread.make_table(rows), progress=False, **kw)


def _q(sa: spread.SpreadAnalysis, post: str = "P") -> dict[str, int]:
    return {p["post_id"]: p for p in sa.to_json()}[post]["data_quality"]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# -- multi_parent: the (account, parent) pairs are packed with a width that ignores the names ------
# `pkey = n_acc + pname` can reach past `2 * n_acc + 2` when there are more distinct names than
# account ids (renamed accounts, rows of other posts, //@ names of deleted accounts): the packed
# key then spills into the next (post, account) pair.
_MULTI = [
    dict(post_id="P", account_id="O", account_name="o", time_shown=T(0)),
    dict(post_id="P", account_id="A", account_name="a", parent_account_id="O", time_shown=T(1)),
    dict(post_id="P", account_id="B", account_name="b", parent_account_id="O", time_shown=T(1)),
    dict(post_id="P", account_id="B", account_name="b", parent_account_id="A", time_shown=T(2)),
    dict(post_id="P", account_id="A", account_name="a", parent_name="zz", time_shown=T(5)),
]


@pytest.mark.parametrize("other_names", [0, 1, 2, 6])
def test_multi_parent_does_not_depend_on_the_rows_of_other_posts(other_names):
    # A (from O and from the //@ name zz) and B (from O and from A): 2 accounts with 2 parents.
    rows = _MULTI + [dict(post_id="Q", account_id="O", account_name=f"n{i}", time_shown=T(i))
                     for i in range(other_names)]
    assert _q(_analyze(rows))["multi_parent"] == 2


def test_many_names_and_few_account_ids_do_not_crash():
    rows = [dict(post_id="P", account_id="O", account_name="o0", time_shown=T(0))]
    rows += [dict(post_id="Q", account_id="O", account_name=f"n{i}", time_shown=T(i))
             for i in range(4)]
    rows += [dict(post_id="P", account_id="A", account_name="a", parent_name="zz",
                  time_shown=T(5))]
    sa = _analyze(rows)  # IndexError: boolean index did not match indexed array
    assert _q(sa)["multi_parent"] == 0


# -- times outside pandas' nanosecond range (1677-09-21 .. 2262-04-11) ----------------------------
# 0001-01-01T00:00:00Z is .NET's DateTime.MinValue, a common "no time" sentinel in exports.
_FAR = (HEADER
        + "P,1,a,,2026-11-20T10:00:00+08:00,orig,,,\n"
        + "P,2,b,1,0001-01-01T00:00:00Z,rt,,,\n"
        + "P,3,c,1,2300-01-01T00:00:00Z,rt,,,\n"
        + "P,4,d,1,2026-11-20 10:05,rt,,,\n")


def test_read_repost_list_never_moves_an_out_of_range_time_to_another_century(tmp_path):
    # got: 0001-01-01 read as 1754-08-30 and 2300-01-01 as 1715-06-13 (int64 overflow in a
    # datetime64[us] -> [ns] cast), zone "explicit", no warning
    t = spread.read_repost_list(_write(tmp_path, "far.csv", _FAR.encode()))
    for shown, e in zip(t["time_shown"], t["earliest"], strict=True):
        if shown.startswith(("0001", "2300")):
            assert pd.isna(e) or e.year == int(shown[:4]), (shown, e)
    assert t.attrs["warnings"], "an unreadable time must be listed"


@pytest.mark.parametrize("shown", ["2426-11-20 10:00", "1026-11-20 10:00", "2826/11/20 下午2:32"])
def test_read_repost_list_out_of_range_wall_time_is_not_an_exception(tmp_path, shown):
    # got: pandas.errors.OutOfBoundsDatetime from _ns(tv.earliest), outside the try
    p = _write(tmp_path, "far2.csv",
               (HEADER + f"P,1,a,,2026-11-20 10:00,x,,,\nP,2,b,1,{shown},y,,,\n").encode())
    try:
        t = spread.read_repost_list(p)
    except InputError as exc:
        assert str(p) in str(exc)
        return
    spread.analyze(t, progress=False).to_json()


def test_case_spread_with_an_out_of_range_time_does_not_crash(case, tmp_path):
    # got: OutOfBoundsDatetime in repost_table/_typed: `forensics spread CASE` dies with a
    # traceback and exit status 1 (the status that means "data-quality notes")
    f = _write(tmp_path, "far.csv", _FAR.encode())
    case.add([f], facts=IntakeFacts(captured_at="2026-11-20T16:00:00+08:00"), progress=False)
    sa = case.spread(progress=False)
    p = sa.to_json()[0]
    assert p["repost_rows"] == 3
    assert p["first_repost_time"] is None or p["first_repost_time"] >= "2026"


# -- read_repost_list: every failure is an InputError naming the file ------------------------------
_BAD_HEADERS = {
    "bare CR in the header": b"post_id,account\rid,account_id,parent_account_id,time\nP,1,2,,x\n",
    "header field over 128 KiB": (HEADER.strip() + "," + "x" * 140_000 + "\n").encode(),
}


@pytest.mark.parametrize("name", sorted(_BAD_HEADERS))
def test_read_repost_list_bad_header_is_an_input_error(tmp_path, name):
    # got: _csv.Error (not an InputError) from csv.reader on the header line
    p = _write(tmp_path, "bad.csv", _BAD_HEADERS[name])
    with pytest.raises(InputError) as exc:
        spread.read_repost_list(p)
    assert str(p) in str(exc.value)


_SEEDS = [
    (HEADER + "P1,100,张三,,2026-11-20T14:32:00+08:00,原帖,1.2万,R0,\n"
     "P1,200,李四,100,2026-11-20T14:40:00+08:00,转发微博,\"3,456\",R1,R0\n"
     "P1,300,王五,200,2026-11-20 15:01,说得对//@李四:转发微博,10万+,R2,R1\n"
     "P1,400,赵六,,3分钟前,顶//@李四:转发微博,12,R3,\n"),
    "post_id,account_id,parent_account_id,time\nP,A,,2026-11-20 10:00\nP,B,A,昨天 14:02\n"
    "P,C,B,11月20日 14:32\nP,B,A,2026/11/20 下午2:32\n",
]
_TOKENS = ["\n", "\r", ",", '"', "\x00", "//@", "2026-02-30", "0001-01-01T00:00:00Z", "2426",
           "9026", "3分钟前", "1.2万", "007", "\xff", "post_id", "time", "\u202e", "x" * 50]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(b) + 1)
        r = rng.random()
        if r < 0.3 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif r < 0.5:
            del b[i:i + rng.randint(1, 6)]
        else:
            tok = rng.choice(_TOKENS)
            b[i:i] = tok.encode("gb18030" if rng.random() < 0.2 else "utf-8")
    return bytes(b)


def test_read_repost_list_fuzz_only_input_errors(tmp_path):
    """Mutated repost lists: InputError naming the file, or a table analyze() accepts; the
    file is never changed.  (Seeded; a few seconds.)"""
    rng = random.Random(20261120)
    p = tmp_path / "fuzz.csv"
    failures: list[str] = []
    deadline = time.monotonic() + 6
    n = 0
    while time.monotonic() < deadline and n < 4000:
        n += 1
        data = _mutate(rng, rng.choice(_SEEDS).encode())
        p.write_bytes(data)
        cap = rng.choice([None, "2026-11-20T16:00:00+08:00"])
        try:
            t = spread.read_repost_list(p, captured_at=cap)
        except InputError as exc:
            if str(p) not in str(exc):
                failures.append(f"InputError without the path: {exc}")
            continue
        except Exception as exc:  # the point of the test
            failures.append(f"read: {type(exc).__name__}: {exc} <- {data[:120]!r}")
            continue
        finally:
            assert hashlib.sha256(p.read_bytes()).digest() == hashlib.sha256(data).digest()
        try:
            spread.analyze(t, progress=False).to_json()
        except Exception as exc:
            failures.append(f"analyze: {type(exc).__name__}: {exc} <- {data[:120]!r}")
    assert not failures, f"{len(failures)} of {n}:\n" + "\n".join(sorted(set(failures))[:10])


# -- exports: text the parser accepts must not break GraphML/GEXF ----------------------------------
def _ctl_list(tmp_path: Path) -> Path:
    return _write(tmp_path, "ctl.csv",
                  b"post_id,account_id,account_name,parent_account_id,time,text\n"
                  b"P,1,a,,2026-11-20T10:00:00+08:00,orig\n"
                  b"P,2,b\x1b,1,2026-11-20T10:01:00+08:00,bad\x0bvertical tab\n")


def test_write_keeps_control_characters_out_of_the_xml(tmp_path):
    # got: ValueError "All strings must be XML compatible" from lxml, after 8 of the 11 files
    # were written
    sa = spread.analyze(spread.read_repost_list(_ctl_list(tmp_path)), progress=False)
    written = sa.write(tmp_path / "out")
    assert {"repost-graph.graphml", "repost-graph.gexf", "repost-graph.json"} <= set(written)


def test_cli_out_with_a_control_character_is_written_and_logged(case, tmp_path):
    # got: a traceback, exit status 1 (the data-quality status), partial exports, no custody entry
    case.add([_ctl_list(tmp_path)], progress=False)
    before = len(case.log.entries())
    r = CliRunner().invoke(cli, ["spread", str(case.root), "--out", str(tmp_path / "o"),
                                 "--no-progress"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 0
    # the export, and the parsed tables kept for reuse on the way
    assert [e.action for e in case.log.entries()[before:]] == ["derived", "export"]


# -- provenance of the figures' export entry -------------------------------------------------------
def test_figures_entry_is_made_from_the_head_the_analysis_was_made_from(case, tmp_path):
    f = _write(tmp_path, "r.csv", (HEADER + "P,1,a,,2026-11-20T10:00:00+08:00,x,,,\n"
                                   "P,2,b,1,2026-11-20T10:01:00+08:00,y,,,\n").encode())
    case.add([f], progress=False)
    out = tmp_path / "o"
    r = CliRunner().invoke(cli, ["spread", str(case.root), "--out", str(out), "--figure",
                                 str(out / "f.png"), "--no-progress"])
    assert r.exit_code == 0, r.output
    spread_entry, figures_entry = Case.open(case.root).log.entries()[-2:]
    assert figures_entry.details["what"] == "spread figures"
    # got: the figures entry names the spread export entry written a moment before as its head
    assert figures_entry.details["made_from_head"] == spread_entry.details["made_from_head"]


# -- a post whose only rows form a cycle ----------------------------------------------------------
def test_cycle_only_post_says_the_original_has_no_row_and_agrees_on_roles():
    sa = _analyze([dict(post_id="P", account_id="A", parent_account_id="B", time_shown=T(1)),
                   dict(post_id="P", account_id="B", parent_account_id="A", time_shown=T(2))])
    p = sa.to_json()[0]
    roles = dict(zip(sa.accounts["account_id"], sa.accounts["role"], strict=True))
    # docs/spread.md 8: missing_root is "1 when the original has no row"; got 0
    assert p["data_quality"]["missing_root"] == 1
    # got: originators ["A"] in the JSON while accounts calls A a "reposter"
    for who in p["originators"]:
        assert roles[who] == "originator"


# -- over_time and the accounts rule ---------------------------------------------------------------
def test_over_time_accounts_follow_the_accounts_rule():
    sa = _analyze([dict(post_id="P", account_id="O", time_shown=T(0)),
                   dict(post_id="P", account_id="O", parent_account_id="O", time_shown=T(1)),
                   dict(post_id="P", account_id="A", parent_account_id="O", time_shown=T(2)),
                   dict(post_id="P", account_id="B", parent_account_id="O", time_shown=T(3))])
    rule = sa.marks.set_index("rule").at["accounts", "count"]
    assert sa.cumulative()["accounts"].iloc[-1] == rule == 2
    # got 3: over_time counts the originator's own repost as a reposting account
    assert sa.over_time(freq="1h")["accounts_total"].iloc[-1] == rule


# -- docs/spread.md 5: "A post with no original row (implied root) gets no variants" --------------
def test_implied_root_compares_variants_with_a_captured_text():
    # the review found code and doc disagreeing; the code's rule is kept (a capture of the
    # post gives the original's wording) and docs/spread.md now says so
    rows = [dict(post_id="P", account_id="B", parent_account_id="O", time_shown=T(1),
                 text="某公司老板携款跑路了")]
    seen = [spread.SeenPost("P", "O", "张三", datetime(2026, 11, 20, 2, tzinfo=UTC), None,
                            "某公司老板卷款跑路了", "E9", "ab" * 32, "social:post")]
    sa = spread.analyze(spread.make_table(rows), seen=seen, progress=False)
    assert sa.to_json()[0]["changed_text_variants"] == 1
    assert sa.variants["diff"].iat[0] == "某公司老板[-卷-]{+携+}款跑路了"
    bare = spread.analyze(spread.make_table(rows), progress=False)
    assert bare.to_json()[0]["changed_text_variants"] == 0  # no text of the original: none


# -- read_repost_list is documented as "the same reading as the parser" ----------------------------
def test_long_field_is_read_as_the_parser_reads_it(case, tmp_path):
    # the parser skips a row with a field over 128 KiB (formats/reposts.md 1.7): the case then
    # has no original row; --list keeps the row.  The two paths disagree on missing_root.
    f = _write(tmp_path, "long.csv", (HEADER + "P,1,a,,2026-11-20 10:00," + "长" * 140_000
                                      + ",,,\nP,2,b,1,2026-11-20 10:01,y,,,\n").encode())
    fast = spread.analyze(spread.read_repost_list(f), progress=False).to_json()[0]
    case.add([f], progress=False)
    slow = case.spread(progress=False).to_json()[0]
    assert fast["data_quality"] == slow["data_quality"]
    assert fast["nodes"] == slow["nodes"]


# -- the fast paths of issue 6's "Measured" target: each gives what the plain way gives ---------------
def _messy_rows(seed: int, n: int = 400, posts: int = 7) -> list[dict]:
    """Rows over several posts and evidence files: duplicates, several parents, missing
    parents, chains, untimed rows, views shown in every form."""
    rng = random.Random(seed)
    rows = []
    for p in range(posts):
        rows.append(dict(post_id=f"P{p}", account_id=f"{p}00", account_name=f"原{p}",
                         time_shown=T(p), text="某公司老板卷款跑路了，员工工资三个月没发",
                         views=12000, views_kind="approximate", repost_id=f"9{p}0",
                         evidence_id=f"E{p % 3}"))
    for i in range(n):
        p = rng.randrange(posts)
        acc = str(rng.randrange(1, 60))
        r = dict(post_id=f"P{p}", account_id=acc, account_name=f"用户{acc}",
                 time_shown=T(rng.randrange(1, 59)) if rng.random() > 0.05 else "",
                 text=rng.choice(["转发", "某公司老板携款跑路了，员工工资三个月没发",
                                  f"顶//@用户{rng.randrange(1, 60)}:转发", ""]),
                 views=rng.choice([None, 12, 3456, 100000]),
                 views_kind=rng.choice(["exact", "approximate", "at least"]),
                 evidence_id=f"E{rng.randrange(3)}", repost_id=f"{p}{i:04d}")
        how = rng.random()
        if how < 0.5:
            r["parent_account_id"] = rng.choice([f"{p}00", str(rng.randrange(1, 70))])
        elif how < 0.8:
            r["parent_repost_id"] = rng.choice([f"9{p}0", f"{p}{rng.randrange(n):04d}"])
        elif how < 0.9:
            r["parent_name"] = f"用户{rng.randrange(1, 70)}"
        rows.append(r)
        if rng.random() < 0.05:
            rows.append(dict(r))  # an exact duplicate row
    return rows


def _same_analysis(a: spread.SpreadAnalysis, b: spread.SpreadAnalysis) -> None:
    for name in ("nodes", "posts", "accounts", "marks", "variants", "combined", "quality"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tables_and_hashing_give_the_same_analysis(monkeypatch, seed):
    # keys counted on a table indexed by the key, or numbered by hashing first; the k-th time
    # by a partial sort per post or by one sort of all
    table = spread.make_table(_messy_rows(seed), captured_at="2026-11-20T12:00:00+08:00")
    dense = spread.analyze(table, progress=False)
    monkeypatch.setattr(spread, "_DENSE_SLACK", -10**18)
    monkeypatch.setattr(spread, "_FEW_POSTS", 0)
    hashed = spread.analyze(table, progress=False)
    _same_analysis(dense, hashed)
    assert dense.to_json()[0]["data_quality"]["duplicate_rows"] >= 0


def _big_list(tmp_path: Path) -> Path:
    """A repost list of several of the reader's 4 MiB blocks, with values to strip, empty ids,
    chains and shown counts."""
    rng = random.Random(6)
    lines = [HEADER.rstrip("\n")]
    lines.append("P,100,张三,,2026-11-20T10:00:00+08:00,原帖：某公司老板卷款跑路了,1.2万,R0,")
    for i in range(1, 30_000):
        parent = rng.randrange(i)
        pid = f"R{parent}" if rng.random() < 0.9 else ""
        acc = f" {100 + i} " if i % 997 == 0 else str(100 + i)
        text = "转发微博" * rng.randrange(1, 40) + f"//@用户{100 + parent}:转发"
        views = rng.choice(["", "12", "10万+", "3,456", "007"])
        lines.append(f"P,{acc},用户{100 + i},{100 + parent if pid else ''},"
                     f"2026-11-20T10:{i % 60:02d}:00+08:00,{text},\"{views}\",R{i},{pid}")
    f = tmp_path / "big.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert f.stat().st_size > 2 * (4 << 20)
    return f


def test_chunked_columns_read_and_analyze_as_one_chunk(tmp_path):
    import pyarrow as pa

    f = _big_list(tmp_path)
    t = spread.read_repost_list(f, evidence_id="E1")
    assert t.attrs["source"]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert pa.array(t["text"]).num_chunks > 1  # the reader's blocks, kept
    whole = t.copy()
    for c in whole.columns:
        arr = pa.array(whole[c]) if isinstance(whole[c].dtype, pd.StringDtype) else None
        if isinstance(arr, pa.ChunkedArray):
            whole[c] = pd.Series(arr.combine_chunks(), dtype=whole[c].dtype)
    _same_analysis(spread.analyze(t, progress=False), spread.analyze(whole, progress=False))
    assert t["account_id"].iat[997] == "1097"  # stripped
    assert list(t["views"].iloc[:1]) == [12000]


def test_digest_thread_matches_hashlib_and_a_given_digest_is_kept(tmp_path):
    f = _write(tmp_path, "r.csv", (HEADER + "P,1,a,,2026-11-20 10:00,x,,,\n").encode())
    before = f.read_bytes()
    assert spread.read_repost_list(f)["sha256"].iat[0] == hashlib.sha256(before).hexdigest()
    given = "ab" * 32
    assert spread.read_repost_list(f, sha256=given)["sha256"].iat[0] == given
    assert f.read_bytes() == before


def test_digest_thread_read_error_is_an_input_error(tmp_path):
    import os

    fd = os.open(tmp_path, os.O_RDONLY)  # a directory: reading it fails in the thread
    try:
        digest = spread._Sha256(fd, path=tmp_path)
    finally:
        os.close(fd)  # the thread read its own duplicate
    with pytest.raises(InputError, match="cannot read") as exc:
        digest.hexdigest()
    assert str(tmp_path) in str(exc.value)


def test_own_texts_cut_at_the_literal_chain_first():
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = random.Random(4)
    seps = ["//@", " //@", "// @", "／／＠", "//＠", "\u3000//@", "/／@", "///@", "//", "\t//@"]
    texts = []
    for _ in range(3000):
        own = "".join(rng.choice(["某", "公司", " ", "\u3000", "a", "/", "@"])
                      for _ in range(rng.randrange(0, 25)))
        tail = "".join(rng.choice(seps) + "名:" + "原文" * rng.randrange(3) for _ in range(2))
        texts.append(own + (tail if rng.random() < 0.8 else ""))
    text = pd.Series(texts, dtype="str")
    cand = np.arange(len(texts))
    shortest = np.array([rng.randrange(0, 12) for _ in texts])
    kept, codes, values = spread._own_texts(text, cand, shortest)
    full = pc.utf8_trim_whitespace(pc.replace_substring_regex(
        pa.array(texts), r"(?s)\s*[/／]{2}\s*[@＠].*$", "", max_replacements=1)).to_pylist()
    assert [values[c] for c in codes] == [full[i] for i in kept]
    dropped = np.setdiff1d(cand, kept)
    assert all(len(full[i]) < shortest[i] - 1 for i in dropped)
    assert len(dropped)  # the cut left some out


@pytest.mark.parametrize("n_posts", [1, 3, 100])
def test_kth_time_per_post(monkeypatch, n_posts):
    import numpy as np

    rng = np.random.default_rng(n_posts)
    nat = np.iinfo(np.int64).min
    post = rng.integers(0, n_posts, 5000)
    times = rng.integers(0, 10**6, 5000)
    times[rng.random(5000) < 0.1] = nat
    want = []
    for p in range(n_posts):
        got = np.sort(times[(post == p) & (times != nat)])
        want.append(got[9] if len(got) >= 10 else nat)
    assert spread._kth(post, times, 10, n_posts).tolist() == want
    monkeypatch.setattr(spread, "_FEW_POSTS", 0)
    assert spread._kth(post, times, 10, n_posts).tolist() == want


def test_number_reading_on_chunked_strings():
    import numpy as np
    import pyarrow as pa

    values = ["", "0", "00", "123456789012345", "1234567890123456", "１２", " 1", "1.5", "7",
              "abcdefghijklmnopqrstuvwxyz", "99", "-3", "+4", "5", "", "x" * 20, "6"]
    chunked = pa.chunked_array([pa.array(values[:5], pa.large_string()),
                                pa.array(values[5:], pa.large_string())])
    s = pd.Series(chunked, dtype="str")
    want = np.array([bool(re.fullmatch(r"[0-9]{1,15}", v)) for v in values])
    assert spread._plain_numbers(s, 15).tolist() == want.tolist()
    assert spread._ints_where(chunked, want, 0).tolist() == [int(v) if w else 0
                                                             for v, w in zip(values, want, strict=True)]
    ids = pa.chunked_array([pa.array(["", "12", "3"], pa.large_string()),
                            pa.array(["4", ""], pa.large_string()).slice(0)])
    assert spread._id_ints(ids).tolist() == [-1, 12, 3, 4, -1]
    assert spread._id_ints(pa.array(["", "5", "6"], pa.large_string()).slice(1)).tolist() == [5, 6]
    assert spread._numeric_ids(ids) and not spread._numeric_ids(pa.chunked_array([["1", "01"]]))


def test_pick_filters_chunked_strings_in_order():
    import numpy as np
    import pyarrow as pa

    s = pd.Series(pa.chunked_array([pa.array(["a", "b"], pa.large_string()),
                                    pa.array(["c", " d"], pa.large_string())]), dtype="str")
    got = spread._pick(s, np.array([1, 3]))
    assert got.tolist() == ["b", " d"] and got.dtype == s.dtype
    assert spread._pick(pd.Series([1, 2, 3]), np.array([0, 2])).tolist() == [1, 3]
    assert spread._stripped(s).tolist() == ["a", "b", "c", "d"]
