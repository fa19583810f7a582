"""Tests of forensics.spread: the repost table, the cascade forest, its measures, the reference
marks, changed-text variants, exports and the JSON contract of issue 6.

Fixtures are tiny repost lists written here by hand (ids, names and texts invented) in the
documented form (docs/formats/reposts.md) or as plain rows for :func:`forensics.spread.make_table`;
references are computed in the tests (networkx, :func:`forensics.parsers.reposts.
resolve_parent_reposts`, plain Python sorting).  Corpus tests read ../shared/corpus/propagation
(Marref Twitter cascades, O'Brien et al. 2020; Weibo CED, Song et al. 2018) and their expected
figures from ../shared/corpus/expected-*.json.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics import spread
from forensics.case import Case
from forensics.errors import InputError
from forensics.intake import IntakeFacts
from forensics.parsers import ParseContext, default_registry, parse_path
from forensics.parsers.reposts import resolve_parent_reposts
from forensics.records import Origin, Repost
from forensics.timestamps import parse_iso8601

CST = timezone(timedelta(hours=8))
BASE = datetime(2026, 11, 20, 10, 0, tzinfo=CST)
HEADER = "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id"


def at(minutes: float) -> str:
    """ISO 8601 with +08:00, ``minutes`` after 2026-11-20 10:00 Beijing time."""
    return (BASE + timedelta(minutes=minutes)).isoformat()


def row(account: str, parent: str = "", minutes: float | None = 0, **kw: object) -> dict:
    """One repost-table row of post P (``parent`` is a parent account id)."""
    d: dict[str, object] = {"post_id": "P", "account_id": account, "text": f"text of {account}"}
    if parent:
        d["parent_account_id"] = parent
    if minutes is not None:
        d["time_shown"] = at(minutes)
    d.update(kw)
    return d


ORIGINAL = row("O", minutes=0, text="某公司老板卷款跑路了，警方已立案调查")


def analyze_rows(rows: list[dict], **kw: object) -> spread.SpreadAnalysis:
    return spread.analyze(spread.make_table(rows), **kw)


def quality(sa: spread.SpreadAnalysis, post: str = "P") -> dict[str, int]:
    return sa.to_json()[[p["post_id"] for p in sa.to_json()].index(post)]["data_quality"]


def quality_rows(sa: spread.SpreadAnalysis, kind: str) -> str:
    q = sa.quality
    hit = q[q["kind"] == kind]
    assert len(hit) == 1, f"{kind} not in the quality frame:\n{q}"
    return str(hit["rows"].iat[0])


def _clean_except(q: dict[str, int], *keys: str) -> None:
    """Every required data-quality count is zero except ``keys``."""
    assert {k: v for k, v in q.items() if k in spread.QUALITY_KEYS and k not in keys and v} == {}


# -- 1. data quality: one tiny table each -------------------------------------------------------
def test_clean_list_has_no_quality_notes():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1), row("B", "A", 2), row("C", "O", 3)])
    assert all(v == 0 for v in quality(sa).values())
    assert sa.quality.empty
    nd = sa.nodes
    assert list(nd["kind"]) == ["original", "repost", "repost", "repost"]
    assert list(nd["parent_node"]) == [-1, 0, 1, 0]
    assert list(nd["known"]) == ["", "explicit", "explicit", "explicit"]


def test_duplicate_rows_are_kept_and_counted():
    dup = row("A", "O", 1)
    sa = analyze_rows([ORIGINAL, dup, dict(dup), row("B", "A", 2)])
    q = quality(sa)
    assert q["duplicate_rows"] == 1
    _clean_except(q, "duplicate_rows")
    nd = sa.nodes
    assert len(nd) == 4 and list(nd["duplicate"]) == [False, False, True, False]
    assert nd.at[2, "parent_node"] == nd.at[1, "parent_node"] == 0
    assert nd.at[2, "duplicate_of_row"] == 2 and nd.at[2, "rule"].startswith("exact duplicate")
    p = sa.to_json()[0]
    assert (p["repost_rows"], p["unique_reposts"], p["distinct_accounts"]) == (3, 2, 3)
    # the tree counts the duplicate once: B hangs under the first copy
    assert nd.at[3, "parent_node"] == 1 and nd.at[1, "reach"] == 1
    assert "3" in quality_rows(sa, "duplicate_rows")


def test_multi_parent_is_counted():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1), row("B", "O", 2), row("C", "A", 3),
                       row("C", "B", 4)])
    q = quality(sa)
    assert q["multi_parent"] == 1
    _clean_except(q, "multi_parent")
    assert len(sa.nodes) == 5
    assert list(sa.nodes["parent_node"]) == [-1, 0, 0, 1, 2]


def test_multi_parent_rows_are_listed():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1), row("B", "O", 2), row("C", "A", 3),
                       row("C", "B", 4)])
    assert quality_rows(sa, "multi_parent") != ""


def test_self_loop_is_counted():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1), row("A", "A", 2)])
    q = quality(sa)
    assert q["self_loops"] == 1
    nd = sa.nodes
    assert len(nd) == 3 and nd.at[2, "parent_node"] == 1 and nd.at[2, "depth"] == 2
    assert "3" in quality_rows(sa, "self_loops")
    # a repost naming its own repost id
    sa = analyze_rows([ORIGINAL, row("A", "O", 1, repost_id="R1", parent_repost_id="R1")])
    assert quality(sa)["self_loops"] == 1 and len(sa.nodes) >= 2


def test_two_cycle_by_repost_id_is_cut_and_kept():
    sa = analyze_rows([row("O", minutes=0, repost_id="R0"),
                       row("A", minutes=1, repost_id="R1", parent_repost_id="R2"),
                       row("B", minutes=2, repost_id="R2", parent_repost_id="R1")])
    q = quality(sa)
    assert q["cycles"] == 1
    _clean_except(q, "cycles")
    nd = sa.nodes
    assert len(nd) == 3
    # cut at its earliest row (A), hung under the original as an inferred link
    assert nd.at[1, "parent_node"] == 0 and nd.at[1, "known"] == "inferred"
    assert nd.at[2, "parent_node"] == 1 and nd.at[2, "known"] == "explicit"
    assert list(nd["depth"]) == [0, 1, 2]
    assert sa.to_json()[0]["max_depth"] == 2


def test_three_cycle_is_cut_and_kept():
    sa = analyze_rows([row("O", minutes=0),
                       row("A", minutes=1, repost_id="R1", parent_repost_id="R3"),
                       row("B", minutes=2, repost_id="R2", parent_repost_id="R1"),
                       row("C", minutes=3, repost_id="R3", parent_repost_id="R2")])
    q = quality(sa)
    assert q["cycles"] == 1 and len(sa.nodes) == 4
    assert list(sa.nodes["depth"]) == [0, 1, 2, 3]
    assert sa.nodes.at[0, "reach"] == 3


def test_cycle_without_any_original_gets_a_root():
    sa = analyze_rows([row("A", minutes=1, repost_id="R1", parent_repost_id="R2"),
                       row("B", minutes=2, repost_id="R2", parent_repost_id="R1")])
    assert quality(sa)["cycles"] == 1
    nd = sa.nodes
    assert len(nd) == 2 and (nd["parent_node"] == -1).sum() == 1
    assert sorted(nd["depth"]) == [0, 1]


def test_cycle_rows_are_listed():
    sa = analyze_rows([row("O", minutes=0),
                       row("A", minutes=1, repost_id="R1", parent_repost_id="R2"),
                       row("B", minutes=2, repost_id="R2", parent_repost_id="R1")])
    assert quality_rows(sa, "cycles") != ""


def test_account_cycle_without_ids_is_cut():
    sa = analyze_rows([ORIGINAL, row("A", "B", 1), row("B", "A", 2)])
    assert quality(sa)["cycles"] == 1 and len(sa.nodes) == 3
    assert (sa.nodes["parent_node"] == -1).sum() == 1


def test_negative_delay_is_counted():
    sa = analyze_rows([ORIGINAL, row("A", "O", -60), row("B", "A", 1)])
    q = quality(sa)
    assert q["negative_delays"] == 1
    _clean_except(q, "negative_delays")
    assert len(sa.nodes) == 3 and sa.nodes.at[1, "parent_node"] == 0
    assert "2" in quality_rows(sa, "negative_delays")


def test_same_minute_is_not_a_negative_delay():
    # "10:05" is an interval of a minute: a child in it is not certainly before its parent
    sa = analyze_rows([row("O", minutes=None, time_shown="2026-11-20 10:05"),
                       row("A", "O", None, time_shown="2026-11-20T10:05:20+08:00")])
    assert quality(sa)["negative_delays"] == 0


def test_deleted_intermediate_repost_is_a_missing_parent():
    sa = analyze_rows([row("O", minutes=0, repost_id="R0"),
                       row("A", "O", 1, repost_id="R1", parent_repost_id="R0"),
                       row("C", "B", 3, repost_id="R3", parent_repost_id="R2")])
    q = quality(sa)
    assert q["missing_parents"] == 1 and q["missing_root"] == 0
    _clean_except(q, "missing_parents")
    nd = sa.nodes
    assert len(nd) == 4
    ph = nd[nd["kind"] == "missing parent"]
    assert len(ph) == 1 and ph["account_id"].iat[0] == "B"
    assert ph["parent_node"].iat[0] == 0 and ph["known"].iat[0] == "inferred"
    assert nd.at[2, "parent_node"] == ph["node"].iat[0] and nd.at[2, "depth"] == 2
    assert "3" in quality_rows(sa, "missing_parents")


def test_missing_root_is_implied():
    sa = analyze_rows([row("A", "O", 1), row("B", "A", 2), row("C", "O", 3)])
    q = quality(sa)
    assert q["missing_root"] == 1 and q["missing_parents"] == 0
    nd = sa.nodes
    root = nd[nd["kind"] == "implied root"]
    assert len(root) == 1 and root["account_id"].iat[0] == "O"
    assert len(nd) == 4 and sa.to_json()[0]["originators"] == ["O"]
    assert list(nd["depth"][:3]) == [1, 2, 1]


def test_tie_is_unresolved_but_hung():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1, text="一"), row("A", "O", 1, text="二"),
                       row("B", "A", 5)])
    q = quality(sa)
    assert q["unresolved_parents"] == 1
    nd = sa.nodes
    assert nd.at[3, "rule"] == "unresolved" and nd.at[3, "parent_node"] in (1, 2)
    assert len(nd) == 4
    assert "4" in quality_rows(sa, "unresolved_parents")


def test_untimed_child_of_several_rows_is_unresolved():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1), row("A", "O", 2, text="again"),
                       row("B", "A", None)])
    q = quality(sa)
    assert q["unresolved_parents"] == 1 and q["untimed_rows"] == 1
    assert sa.nodes.at[3, "parent_node"] in (1, 2)


def test_row_naming_no_parent_is_an_inferred_link():
    sa = analyze_rows([ORIGINAL, row("A", minutes=1, text="我也听说了")])
    q = quality(sa)
    assert q["inferred_links"] == 1
    nd = sa.nodes
    assert nd.at[1, "parent_node"] == 0 and nd.at[1, "known"] == "inferred"
    assert len(nd) == 2
    assert "2" in quality_rows(sa, "inferred_links")


def test_untimed_rows_are_counted_and_kept():
    sa = analyze_rows([ORIGINAL, row("A", "O", None), row("B", "O", 2)])
    q = quality(sa)
    assert q["untimed_rows"] == 1
    p = sa.to_json()[0]
    assert p["repost_rows"] == 2 and len(sa.nodes) == 3


def test_untimed_rows_are_listed():
    sa = analyze_rows([ORIGINAL, row("A", "O", None), row("B", "O", 2)])
    assert "2" in quality_rows(sa, "untimed_rows")


def test_quality_rows_are_named_once():
    sa = analyze_rows([ORIGINAL, row("A", "O", -60)])
    assert quality_rows(sa, "negative_delays") == "row 2"


def test_quality_rows_name_the_evidence():
    t = spread.make_table([dict(ORIGINAL, evidence_id="E0007"),
                           dict(row("A", "O", -60), evidence_id="E0007")])
    sa = spread.analyze(t)
    assert quality_rows(sa, "negative_delays") == "E0007 row 2"


def test_everything_at_once_never_crashes():
    rows = [ORIGINAL, row("A", "O", 1), row("A", "O", 1), row("A", "A", 2), row("B", "Z", 3),
            row("C", minutes=4), row("D", "O", -9), row("E", "O", None),
            row("F", minutes=5, repost_id="R1", parent_repost_id="R2"),
            row("G", minutes=6, repost_id="R2", parent_repost_id="R1"),
            row("H", "B", 7), row("H", "C", 8), row("X", "Y", 9, post_id="Q")]
    sa = analyze_rows(rows)
    assert len(sa.nodes[sa.nodes["kind"].isin(("original", "repost"))]) == len(rows)
    q = quality(sa)
    assert all(q[k] >= 1 for k in ("duplicate_rows", "multi_parent", "self_loops", "cycles",
                                   "negative_delays", "missing_parents", "inferred_links",
                                   "untimed_rows"))
    assert quality(sa, "Q")["missing_root"] == 1
    assert set(sa.quality["kind"]) >= set(spread.QUALITY_KEYS)
    nd = sa.nodes
    assert ((nd["parent_node"] == -1) == (nd["depth"] == 0)).all()
    assert (nd.groupby("post_id")["parent_node"].apply(lambda s: (s == -1).sum()) == 1).all()


def test_to_json_with_views_on_one_original_only():
    t = spread.make_table([dict(ORIGINAL, views=5), dict(ORIGINAL, post_id="Q")])
    got = {p["post_id"]: p["views_original"] for p in spread.analyze(t).to_json()}
    assert got == {"P": 5, "Q": None}


def test_rows_without_account_id_never_crash():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1), row("", "O", 2), row("", "A", 3)])
    assert len(sa.nodes) == 4


_MESSY = st.fixed_dictionaries({
    "post_id": st.sampled_from(["P", "Q"]),
    "account_id": st.sampled_from(["a", "b", "c", "d"]),
    "account_name": st.sampled_from(["", "n1", "n2"]),
    "parent_account_id": st.sampled_from(["", "", "a", "b", "c", "z"]),
    "parent_name": st.sampled_from(["", "", "", "n1", "n2", "zz"]),
    "repost_id": st.sampled_from(["", "R1", "R2", "R3"]),
    "parent_repost_id": st.sampled_from(["", "", "", "R1", "R2", "R9"]),
    "time_shown": st.sampled_from(["", "2026-11-20 10:00", "2026-11-20T10:01:00+08:00",
                                   "2026-11-20 09:00", "2026-11-20 10:01:30"]),
    "text": st.sampled_from(["", "原文内容是这样的", "原文内容是那样的", "转发微博", "x//@n1:y"]),
    "evidence_id": st.sampled_from(["", "E1", "E2"]),
})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MESSY, max_size=14))
def test_messy_lists_give_a_forest(rows):
    """Duplicates, self-loops, cycles, missing parents and ties in any mix: every row is kept,
    each post is one tree, and depth, children, reach and virality are those of that tree."""
    sa = analyze_rows(rows)
    nd = sa.nodes
    assert nd["kind"].iloc[: len(rows)].isin(("original", "repost")).all()
    assert nd["node"].tolist() == list(range(len(nd)))
    tree = nd[~nd["duplicate"]]
    g = nx.DiGraph()
    g.add_nodes_from(tree["node"])
    g.add_edges_from((r.parent_node, r.node) for r in tree.itertuples() if r.parent_node >= 0)
    assert not len(g) or nx.is_forest(g)
    for r in tree.itertuples():
        if r.parent_node >= 0:
            parent = nd.loc[r.parent_node]
            assert parent["post_id"] == r.post_id and not parent["duplicate"]
            assert r.depth == parent["depth"] + 1
        assert r.children == g.out_degree(r.node)
        assert r.reach == len(nx.descendants(g, r.node))
    for p in sa.to_json():
        sub = tree[tree["post_id"] == p["post_id"]]
        assert (sub["parent_node"] == -1).sum() == 1 and p["nodes"] == len(sub)
        assert p["repost_rows"] >= p["unique_reposts"]
        if len(sub) > 1:
            assert p["structural_virality"] == pytest.approx(
                nx.average_shortest_path_length(g.subgraph(sub["node"]).to_undirected()))
        json.dumps(p, allow_nan=False)
        sa.cumulative(p["post_id"])


def test_json_reports_the_configured_mark():
    rows = [ORIGINAL] + [row(f"u{i}", "O", i) for i in range(1, 6)]
    j = analyze_rows(rows, mark_reposts=3).to_json()[0]
    maps = [v for k, v in j.items() if k.startswith("reached_") and "repost" in k]
    assert any(m.get("rows") == _iso(BASE + timedelta(minutes=3)) for m in maps)


def test_empty_table():
    sa = spread.analyze(spread.make_table([]))
    assert sa.to_json() == [] and sa.nodes.empty and sa.posts.empty


def test_not_a_repost_table():
    with pytest.raises(InputError, match="not a repost table"):
        spread.analyze(pd.DataFrame({"post_id": ["P"]}))
    with pytest.raises(InputError):
        spread.analyze(spread.make_table([ORIGINAL]), amplifier_min_reach=0)


# -- 2. parent resolution agrees with the reference implementation ----------------------------------
_ORIGIN = Origin("E0001", "00" * 32, "reposts", "2")
_ROW = st.tuples(st.integers(0, 1),             # post
                 st.integers(0, 4),             # account
                 st.sampled_from("naaaNrr"),    # parent: none, account, chain name, repost id
                 st.integers(0, 5),             # parent target
                 st.one_of(st.none(), st.integers(0, 4)),  # minute (ties, no time)
                 st.integers(0, 9))             # repost id (collisions; 9 = none)


def _both(spec: list[tuple]) -> tuple[list[Repost], list[dict]]:
    recs, rows = [], []
    for i, (post, acc, how, target, minute, rid) in enumerate(spec):
        base = dict(post_id=f"P{post}", account_id=f"a{acc}", account_name=f"name{acc % 4}",
                    text=f"t{i}", repost_id=f"R{rid}" if rid < 9 else "")
        parent: dict[str, object] = {}
        if how == "a":
            parent = dict(parent_account_id=f"a{target}", parent_source="explicit")
        elif how == "N":
            parent = dict(chain=(f"name{target}",), parent_source="chain")
        elif how == "r":
            parent = dict(parent_repost_id=f"R{target}", parent_source="explicit")
        shown = "" if minute is None else f"2026-11-20T10:0{minute}:00+08:00"
        tv = parse_iso8601(shown, "repost:time") if shown else None
        recs.append(Repost(_ORIGIN, f"row {i + 1}", time=tv, time_shown=shown, row=i + 1,
                           **base, **parent))
        trow = dict(base, time_shown=shown, row=i + 1)
        if how == "N":
            trow["parent_name"] = f"name{target}"
        else:
            trow.update({k: v for k, v in parent.items() if k != "parent_source"})
        rows.append(trow)
    return recs, rows


_CYCLE_RULES = ("cycle cut here", "root chosen in a cycle (earliest row)")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, min_size=1, max_size=25))
def test_parent_rows_agree_with_resolve_parent_reposts(spec):
    recs, rows = _both(spec)
    links = resolve_parent_reposts(recs)
    nd = spread.analyze(spread.make_table(rows)).nodes
    n = len(rows)
    for lk in links:
        node = nd.iloc[lk.index]
        assert node["node"] == lk.index
        if node["rule"] in _CYCLE_RULES:
            continue
        where = f"row {lk.row}: reference {lk.rule} {lk.parent_row}, analysis {node['rule']} " \
                f"{node['parent_node']}"
        if lk.rule == "unresolved":
            assert node["rule"] == "unresolved", where
        elif lk.rule == "original":
            # the post's first parentless row is its root; the others hang under it, inferred
            if node["parent_node"] == -1:
                assert node["kind"] == "original", where
            else:
                assert node["rule"] == "no parent named (time order)", where
                assert node["known"] == "inferred", where
        elif lk.rule == "not-in-list":
            assert node["rule"] == "not-in-list", where
            assert node["parent_node"] >= n, where  # a placeholder node, not a row
        else:
            assert node["rule"] == lk.rule, where
            assert node["parent_node"] == lk.parent_index, where


def test_parent_resolution_doc_example():
    # the example of resolve_parent_reposts' docstring, through the analysis
    rows = [row("A", "", 0), row("B", "A", 5), row("B", "A", 20), row("C", "B", 10),
            row("D", "B", 30), row("E", "B", 1)]
    nd = analyze_rows(rows).nodes
    assert list(nd["rule"][:5]) == ["", "only", "only", "latest-before", "latest-before"]
    assert list(nd["parent_node"][:5]) == [-1, 0, 0, 1, 2]
    assert nd.at[5, "rule"] == "unresolved"


# -- 3. depth, reach, breadth, structural virality against networkx --------------------------------
def _tree_rows(parents: list[int], post: str) -> list[dict]:
    rows = []
    for i, p in enumerate(parents):
        t = BASE + timedelta(seconds=i)
        rows.append(dict(post_id=post, account_id=f"{post}-{i}", repost_id=f"{post}-R{i}",
                         parent_repost_id="" if p < 0 else f"{post}-R{p}", earliest=t, latest=t,
                         time_shown=t.isoformat(), text="x"))
    return rows


def _nx_measures(parents: list[int]) -> dict[str, object]:
    g = nx.DiGraph()
    g.add_nodes_from(range(len(parents)))
    g.add_edges_from((p, i) for i, p in enumerate(parents) if p >= 0)
    depth = nx.shortest_path_length(g, 0)
    n = len(parents)
    return {
        "depth": [depth[i] for i in range(n)],
        "reach": [len(nx.descendants(g, i)) for i in range(n)],
        "children": [g.out_degree(i) for i in range(n)],
        "max_depth": max(depth.values()),
        "max_breadth": max(Counter(depth.values()).values()),
        "virality": nx.average_shortest_path_length(g.to_undirected()) if n > 1 else 0.0,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 10**6), max_size=60), min_size=1, max_size=3))
def test_measures_agree_with_networkx(trees):
    rows, expected = [], {}
    for k, draws in enumerate(trees):
        parents = [-1] + [d % (i + 1) for i, d in enumerate(draws)]
        post = f"T{k}"
        rows += _tree_rows(parents, post)
        expected[post] = _nx_measures(parents)
    sa = spread.analyze(spread.make_table(rows))
    for post, exp in expected.items():
        nd = sa.nodes[sa.nodes["post_id"] == post]
        assert list(nd["depth"]) == exp["depth"]
        assert list(nd["reach"]) == exp["reach"]
        assert list(nd["children"]) == exp["children"]
        p = sa.posts.set_index("post_id").loc[post]
        assert p["max_depth"] == exp["max_depth"]
        assert p["max_breadth"] == exp["max_breadth"]
        assert p["structural_virality"] == pytest.approx(exp["virality"], rel=1e-9, abs=1e-12)


def test_measures_in_random_order():
    # rows listed children first: the measures do not depend on the order of the rows
    parents = [-1, 0, 0, 1, 1, 3, 2, 6, 6, 6]
    rows = _tree_rows(parents, "P")[::-1]
    sa = spread.analyze(spread.make_table(rows))
    exp = _nx_measures(parents)
    nd = sa.nodes.sort_values("row")
    p = sa.to_json()[0]
    assert (p["max_depth"], p["max_breadth"]) == (exp["max_depth"], exp["max_breadth"])
    assert p["structural_virality"] == pytest.approx(exp["virality"])
    assert sorted(nd["reach"]) == sorted(exp["reach"])


def test_twenty_thousand_deep_chain():
    n = 20_000
    parents = [-1, *range(n - 1)]
    sa = spread.analyze(spread.make_table(_tree_rows(parents, "P")))
    p = sa.to_json()[0]
    assert p["max_depth"] == n - 1 and p["max_breadth"] == 1
    assert p["structural_virality"] == pytest.approx((n + 1) / 3)
    nd = sa.nodes
    assert nd["depth"].tolist() == list(range(n))
    assert nd["reach"].tolist() == list(range(n - 1, -1, -1))
    g = nx.DiGraph((f"n{a}", f"n{b}") for a, b in zip(parents[1:], range(1, n), strict=True))
    assert nx.shortest_path_length(g, "n0", f"n{n - 1}") == p["max_depth"]


def test_star_and_single_node():
    sa = analyze_rows([ORIGINAL] + [row(f"A{i}", "O", i) for i in range(1, 6)])
    p = sa.to_json()[0]
    assert (p["max_depth"], p["max_breadth"]) == (1, 5)
    # a star of 6 nodes: 5 pairs at distance 1, 10 at distance 2
    assert p["structural_virality"] == pytest.approx(25 / 15)
    assert p["structural_virality"] == pytest.approx(
        nx.average_shortest_path_length(nx.star_graph(5)))
    sa = analyze_rows([ORIGINAL])
    p = sa.to_json()[0]
    assert (p["repost_rows"], p["max_depth"], p["structural_virality"]) == (0, 0, 0.0)


# -- 4. the reference marks -------------------------------------------------------------------------
def _kth(times: list[datetime], k: int) -> datetime | None:
    times = sorted(times)
    return times[k - 1] if len(times) >= k else None


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_500th_repost_per_counting_rule():
    rows = [ORIGINAL]
    for i in range(1, 500):
        rows.append(row(f"u{i}", "O", i * 2))
    rows.append(row("u5", "O", 1001, text="又转一次"))   # an account reposting twice
    for i in (10, 20, 30):                               # exact duplicate rows
        rows.append(dict(rows[i]))
    rows.append(row("O", "u7", 1003, text="原作者自己转发"))  # the originator reposting
    rows.append(row("u500", "O", 1005))
    rows.append(row("u501", "O", 1007))
    times = {"rows": [], "unique": [], "accounts": {}}
    seen = set()
    for r in rows[1:]:
        t = datetime.fromisoformat(r["time_shown"])
        times["rows"].append(t)
        key = tuple(sorted(r.items()))
        if key in seen:
            continue
        seen.add(key)
        times["unique"].append(t)
        if r["account_id"] != "O":
            times["accounts"].setdefault(r["account_id"], t)
    expected = {"rows": _kth(times["rows"], 500), "unique": _kth(times["unique"], 500),
                "accounts": _kth(list(times["accounts"].values()), 500)}
    assert len({expected[k] for k in expected}) == 3  # the fixture tells the rules apart
    sa = analyze_rows(rows)
    got = sa.to_json()[0]["reached_500_reposts_at"]
    assert {k: got[k] for k in ("rows", "unique")} == {k: _iso(expected[k])
                                                         for k in ("rows", "unique")}
    m = sa.marks.set_index(["mark", "rule"])
    assert m.loc[("500 reposts", "rows"), "count"] == len(rows) - 1
    assert m.loc[("500 reposts", "unique"), "count"] == len(rows) - 4
    assert got["displayed"] is None


def test_accounts_rule_leaves_out_the_originator():
    rows = [ORIGINAL] + [row(f"u{i}", "O", i) for i in range(1, 500)]
    rows.append(row("O", "u7", 600, text="原作者自己转发"))
    sa = analyze_rows(rows)
    assert sa.to_json()[0]["reached_500_reposts_at"]["accounts"] is None
    assert sa.marks.set_index(["mark", "rule"]).loc[("500 reposts", "accounts"), "count"] == 499


def test_accounts_rule_counts_each_account_once():
    rows = [ORIGINAL] + [row(f"u{i}", "O", i) for i in range(1, 501)]
    rows += [row(f"u{i}", "O", 600 + i, text="again") for i in range(1, 11)]
    sa = analyze_rows(rows)
    got = sa.to_json()[0]["reached_500_reposts_at"]
    assert got["accounts"] == _iso(BASE + timedelta(minutes=500))
    assert got["rows"] == _iso(BASE + timedelta(minutes=500))
    rows = rows[:400] + [row(f"u{i}", "O", 600 + i, text="again") for i in range(1, 200)]
    got = analyze_rows(rows).to_json()[0]["reached_500_reposts_at"]
    assert got["accounts"] is None and got["rows"] is not None


def test_interval_times_give_latest_and_earliest_bounds():
    cap = datetime(2026, 11, 21, 0, 0, tzinfo=CST)
    rows = [ORIGINAL] + [row(f"u{i}", "O", i) for i in range(1, 500)]
    rows.append(row("late", "O", None, time_shown="3分钟前"))
    sa = spread.analyze(spread.make_table(rows, captured_at=cap))
    m = sa.marks.set_index(["mark", "rule"]).loc[("500 reposts", "rows")]
    assert m["reached_at"] == pd.Timestamp("2026-11-20T15:57:00Z")
    assert m["reached_earliest"] == pd.Timestamp("2026-11-20T15:56:00Z")
    assert sa.to_json()[0]["reached_500_reposts_at"]["rows"] == "2026-11-20T15:57:00Z"
    # without the capture time the relative time is unknown: 499 timed, the mark not reached
    sa = spread.analyze(spread.make_table(rows))
    assert sa.to_json()[0]["reached_500_reposts_at"]["rows"] is None
    assert sa.to_json()[0]["data_quality"]["untimed_rows"] == 1


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_displayed_reposts_reach_at_the_capture_time(tmp_path):
    p = _write(tmp_path, "r.csv", "post_id,account_id,parent_account_id,time,text,reposts\n"
                                  "P,O,,2026-11-20T10:00:00+08:00,原文,1.2万\n"
                                  "P,A,O,2026-11-20T10:01:00+08:00,转发微博,\n")
    cap = "2026-11-20T15:00:00+08:00"
    sa = spread.analyze(spread.read_repost_list(p, captured_at=cap, evidence_id="E1"))
    j = sa.to_json()[0]
    assert j["reached_500_reposts_at"]["displayed"] == "2026-11-20T07:00:00Z"
    assert j["reached_500_reposts_at"]["rows"] is None
    assert j["data_quality"]["approximate_counts"] == 1
    m = sa.marks.set_index(["mark", "rule"]).loc[("500 reposts", "displayed")]
    assert m["count"] == 12000 and "approximate" in m["explanation"]
    # unknown capture time: not reached at a known time, and the explanation says why
    sa = spread.analyze(spread.read_repost_list(p))
    assert sa.to_json()[0]["reached_500_reposts_at"]["displayed"] is None
    m = sa.marks.set_index(["mark", "rule"]).loc[("500 reposts", "displayed")]
    assert "capture time is not known" in m["explanation"]


def test_displayed_counts_of_a_capture_are_used():
    d = spread.DisplayedCount("P", "reposts", 720, "exact", "720",
                              datetime(2026, 11, 21, 8, tzinfo=UTC), "E9", "ab" * 32,
                              "social:post")
    below = spread.DisplayedCount("P", "reposts", 300, "exact", "300",
                                  datetime(2026, 11, 21, 2, tzinfo=UTC), "E8", "cd" * 32,
                                  "social:post")
    sa = spread.analyze(spread.make_table([ORIGINAL, row("A", "O", 1)]), displayed=[d, below])
    m = sa.marks.set_index(["mark", "rule"]).loc[("500 reposts", "displayed")]
    assert m["reached_at"] == pd.Timestamp("2026-11-21T08:00:00Z")
    assert m["reached_earliest"] == pd.Timestamp("2026-11-21T02:00:00Z")


def test_views_rules(tmp_path):
    body = "post_id,account_id,parent_account_id,time,text,views\n" \
           "P,O,,2026-11-20T10:00:00+08:00,原文,1.2万\n" \
           "P,A,O,2026-11-20T10:01:00+08:00,转发,10万+\n" \
           "Q,O2,,2026-11-20T10:00:00+08:00,另一条,100\n" \
           "Q,B,O2,2026-11-20T10:01:00+08:00,转发,2000\n" \
           "Q,C,O2,2026-11-20T10:02:00+08:00,转发,2000\n" \
           "R,O3,,2026-11-20T10:00:00+08:00,第三条,10\n" \
           "R,D,O3,2026-11-20T10:03:00+08:00,转发,20\n"
    p = _write(tmp_path, "v.csv", body)
    sa = spread.analyze(spread.read_repost_list(p, captured_at="2026-11-20T12:00:00+08:00",
                                                evidence_id="E1"))
    j = {x["post_id"]: x["reached_5000_views_at"] for x in sa.to_json()}
    assert j["P"] == {"original_displayed": "2026-11-20T04:00:00Z",
                      "all_rows_displayed": "2026-11-20T04:00:00Z"}
    assert j["Q"] == {"original_displayed": None, "all_rows_displayed": None}
    assert j["R"] == {"original_displayed": None, "all_rows_displayed": None}
    v = sa.posts.set_index("post_id")
    assert v.at["P", "views_original"] == 12000 and v.at["P", "views_original_kind"] == "approximate"
    assert v.at["Q", "views_shown_total"] == 4100
    # 5,100 views over the rows of one file reach the mark; split over two files they do not
    more = body + "Q,E,O2,2026-11-20T10:04:00+08:00,转发,1000\n"
    p2 = _write(tmp_path, "v2.csv", more)
    sa = spread.analyze(spread.read_repost_list(p2, captured_at="2026-11-20T12:00:00+08:00",
                                                evidence_id="E2"))
    q = next(x for x in sa.to_json() if x["post_id"] == "Q")
    assert q["reached_5000_views_at"]["all_rows_displayed"] == "2026-11-20T04:00:00Z"


def test_marks_not_reached_are_null_with_an_explanation():
    sa = analyze_rows([ORIGINAL, row("A", "O", 1)])
    j = sa.to_json()[0]
    assert set(j["reached_500_reposts_at"].values()) == {None}
    assert set(j["reached_5000_views_at"].values()) == {None}
    assert (sa.marks["explanation"].str.len() > 0).all()
    assert sa.marks["reached_at"].isna().all()


def test_other_marks_by_parameter():
    rows = [ORIGINAL] + [row(f"u{i}", "O", i) for i in range(1, 6)]
    sa = analyze_rows(rows, mark_reposts=3)
    m = sa.marks
    assert set(m["mark"]) == {"3 reposts", "5000 views"}
    got = m[(m["mark"] == "3 reposts") & (m["rule"] == "rows")]["reached_at"].iat[0]
    assert got == pd.Timestamp(BASE + timedelta(minutes=3))


def test_combined_view_counts_one_year_together():
    def post(pid: str, when: datetime, n: int, who: str = "O") -> list[dict]:
        out = [dict(post_id=pid, account_id=who, time_shown=when.isoformat(), text=f"{pid} 原文")]
        out += [dict(post_id=pid, account_id=f"{pid}-u{i}", parent_account_id=who,
                     time_shown=(when + timedelta(minutes=i)).isoformat(), text="转发")
                for i in range(1, n + 1)]
        return out

    t1 = datetime(2025, 1, 1, 10, tzinfo=CST)
    t2 = datetime(2025, 7, 1, 10, tzinfo=CST)
    t3 = datetime(2027, 7, 1, 10, tzinfo=CST)
    rows = post("P1", t1, 300) + post("P2", t2, 300) + post("P3", t3, 300) + \
        post("X", t2, 5, who="Other")
    sa = analyze_rows(rows)
    c = sa.combined.set_index("post_id")
    assert c.at["P2", "posts_combined"] == 2 and set(c.at["P2", "posts"].split("; ")) == {"P1", "P2"}
    assert c.at["P2", "repost_rows"] == 600
    assert c.at["P2", "reached_500_reposts_at"] == pd.Timestamp(t2 + timedelta(minutes=200))
    assert c.at["P3", "posts_combined"] == 1 and c.at["P3", "repost_rows"] == 300
    assert pd.isna(c.at["P3", "reached_500_reposts_at"])
    assert c.at["P1", "posts_combined"] == 1
    assert c.at["X", "posts_combined"] == 1 and c.at["X", "originator"] == "Other"
    assert "not a legal conclusion" in c.at["P2", "note"]
    # no single post reaches the mark
    assert all(v["rows"] is None for v in (p["reached_500_reposts_at"] for p in sa.to_json()))
    # the JSON carries the combined view, labelled
    (p2,) = [p for p in sa.to_json() if p["post_id"] == "P2"]
    (view,) = p2["combined_one_year"]
    assert view["posts"] == ["P1", "P2"] and view["repost_rows"] == 600
    assert view["reached_500_reposts_at"] == "2025-07-01T05:20:00Z"
    assert "not a legal conclusion" in view["note"]


def test_cumulative_curve():
    rows = [ORIGINAL, row("A", "O", 1), row("A", "O", 1), row("B", "O", 1, text="b"),
            row("A", "B", 3, text="a2", views=7), row("C", "O", None)]
    sa = analyze_rows(rows)
    c = sa.cumulative()
    assert list(c.columns) == ["time", "rows", "unique", "accounts", "views"]
    assert c["time"].is_monotonic_increasing and c["time"].is_unique
    assert list(c["rows"]) == [3, 4] and list(c["unique"]) == [2, 3]
    assert list(c["accounts"]) == [2, 2] and list(c["views"]) == [0, 7]
    assert str(c["time"].dt.tz) == "UTC"
    with pytest.raises(InputError):
        sa.cumulative("nope")
    two = analyze_rows([ORIGINAL, dict(ORIGINAL, post_id="Q")])
    with pytest.raises(InputError, match="name one"):
        two.cumulative()
    assert two.cumulative("Q").empty


# -- 5. changed-text variants -------------------------------------------------------------------------
def test_changed_text_variant_with_diff():
    rows = [ORIGINAL,
            row("A", "O", 1, text="某公司老板卷款出国了，警方已立案调查"),
            row("B", "O", 2, text="转发微博"),
            row("C", "O", 3, text="某公司老板卷款跑路了，警方已立案调查"),
            row("D", "A", 4, text="转发微博//@A:某公司老板卷款出国了，警方已立案调查")]
    sa = analyze_rows(rows)
    v = sa.variants
    assert list(v["account_id"]) == ["A"]
    assert "[-跑路-]" in v["diff"].iat[0] and "{+出国+}" in v["diff"].iat[0]
    assert 0.6 <= v["similarity"].iat[0] < 1
    assert list(sa.nodes["changed_text"]) == [False, True, False, False, False]
    acc = sa.accounts.set_index("account_id")
    assert "changed-text variant" in acc.at["A", "roles"]
    assert "changed-text variant" not in acc.at["B", "roles"]
    assert sa.to_json()[0]["changed_text_variants"] == 1


def test_own_text_before_the_chain_is_compared():
    rows = [ORIGINAL,
            row("A", "O", 1, text="某公司老板卷款出逃了，警方已立案调查//@O:某公司老板卷款跑路了"),
            row("B", "O", 2, text="某公司老板卷款跑路了，警方已立案调查 //@O: 原文")]
    v = analyze_rows(rows).variants
    assert list(v["account_id"]) == ["A"]


def test_variant_threshold_is_a_parameter():
    rows = [ORIGINAL, row("A", "O", 1, text="某公司老板卷款出国了，警方已立案调查")]
    assert analyze_rows(rows, variant_min_similarity=0.99).variants.empty
    assert len(analyze_rows(rows, variant_min_similarity=0.5).variants) == 1


# -- 6. read_repost_list: the same table as the parser path --------------------------------------------
_COMPARED = ["post_id", "account_id", "parent_account_id", "parent_name", "parent_source",
             "earliest", "latest", "zone", "views", "views_kind"]

FIXTURES = {
    # ISO with offset, naive times, a relative time, rounded and lower-bound views, //@ chains
    # resolving to an id and to a name that two accounts carry
    "mixed": (
        f"{HEADER}\r\n"
        "P1,100,张三,,2026-11-20 14:32,原帖：某公司老板卷款跑路了,1.2万,R0,\r\n"
        "P1,200,李四_2024,100,2026-11-20T14:40:00+08:00,转发微博,\"3,456\",R1,R0\r\n"
        "P1,300,王五,,11-20 15:01,说得对//@李四_2024:转发微博,10万+,R2,\r\n"
        "P1,400,赵六,200,3分钟前,\"顶 //@李四_2024： 转发微博\",12,R3,\r\n"
        "P1,500,同名,100,2026-11-20T07:10:00Z,x,,R4,\r\n"
        "P1,501,同名,100,2026-11-20T07:11:00Z,y,,R5,\r\n"
        "P1,600,钱七,,2026-11-20T15:20:00+08:00,嗯//@同名:y,,R6,\r\n"
        "P1,700,孙八,,2026-11-20T15:25:00+08:00,嗯//@无名氏:y,,,\r\n"
        "P2,800,周九,,2026-11-20 15:00:30,另一条,7,,\r\n"
        "P2,801,吴十,,2026-11-20 15:02,好//@周九:另一条,5,,\r\n"
    ),
    # every parentless row of P3 states a chain: the earliest is the original
    "chained-original": (
        f"{HEADER}\n"
        "P3,1,甲,,2026-11-20 09:00,原帖//@某人:很早的原文,,,\n"
        "P3,2,乙,,2026-11-20 09:05,转//@甲:原帖,,,\n"
        "P3,3,丙,,2026-11-20 09:07,转//@乙:转,,,\n"
    ),
}


def _parser_table(data: bytes, cap: datetime | None) -> pd.DataFrame:
    ctx = ParseContext(evidence_id="E1", sha256=hashlib.sha256(data).hexdigest(), name="r.csv",
                       size=len(data), default_zone="Asia/Shanghai", captured_at=cap)
    art = default_registry().parse(io.BytesIO(data), ctx)
    assert art.parsed, art.unparsed_reason
    recs = pd.DataFrame([r.to_row() for r in art.records])
    events = pd.DataFrame([e.to_row() for e in art.events])
    captured = {"E1": cap.astimezone(UTC).isoformat() if cap else None}
    return spread.repost_table(recs, events, captured)


def _values(df: pd.DataFrame) -> pd.DataFrame:
    """The compared columns with text as plain str (a table may hold it categorical)."""
    out = df[_COMPARED].reset_index(drop=True).copy()
    for c in out.columns:
        if not (pd.api.types.is_datetime64_any_dtype(out[c]) or c == "views"):
            out[c] = out[c].astype(str).astype(object)
    return out


def _same_tables(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_values(fast), _values(slow), check_dtype=False)
    assert spread.analyze(fast).to_json() == spread.analyze(slow).to_json()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_read_repost_list_matches_the_parser(tmp_path, name, encoding):
    cap = datetime(2026, 11, 20, 16, 0, tzinfo=CST)
    data = FIXTURES[name].encode(encoding)
    p = tmp_path / "r.csv"
    p.write_bytes(data)
    fast = spread.read_repost_list(p, captured_at=cap, evidence_id="E1")
    slow = _parser_table(data, cap)
    assert list(fast.columns) == list(spread.TABLE_COLUMNS)
    assert (fast["sha256"] == hashlib.sha256(data).hexdigest()).all()
    _same_tables(fast, slow)


def test_read_repost_list_without_capture_time(tmp_path):
    data = FIXTURES["mixed"].encode()
    p = tmp_path / "r.csv"
    p.write_bytes(data)
    fast = spread.read_repost_list(p, evidence_id="E1")
    _same_tables(fast, _parser_table(data, None))
    assert fast["earliest"].isna().sum() == 2  # "11-20 15:01" and "3分钟前"
    assert any("captured_at" in w for w in fast.attrs["warnings"])


def test_read_repost_list_values(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes(FIXTURES["mixed"].encode("utf-8-sig"))
    t = spread.read_repost_list(p, captured_at="2026-11-20T16:00:00+08:00", evidence_id="E1")
    by = t.set_index("account_id")
    assert by.at["100", "zone"] == "assumed" and by.at["200", "zone"] == "explicit"
    assert by.at["100", "earliest"] == pd.Timestamp("2026-11-20T06:32:00Z")
    assert (by.at["400", "earliest"], by.at["400", "latest"]) == (
        pd.Timestamp("2026-11-20T07:56:00Z"), pd.Timestamp("2026-11-20T07:57:00Z"))
    assert (by.at["100", "views"], by.at["100", "views_kind"]) == (12000, "approximate")
    assert (by.at["300", "views"], by.at["300", "views_kind"]) == (100000, "at least")
    assert (by.at["200", "views"], by.at["200", "views_kind"]) == (3456, "exact")
    assert (by.at["300", "parent_account_id"], by.at["300", "parent_source"]) == ("200", "chain")
    assert (by.at["600", "parent_name"], by.at["600", "parent_account_id"]) == ("同名", "")
    assert by.at["700", "parent_name"] == "无名氏"
    assert by.at["100", "parent_source"] == ""
    assert list(t["row"]) == list(range(1, len(t) + 1))
    assert (t["evidence_id"] == "E1").all()
    assert t.attrs["source"]["path"] == str(p)


_BAD = {
    "missing column": ("post_id,account_id,account_name,time\nP,1,a,2026-11-20 10:00\n",
                       "parent_account_id"),
    "empty": ("", "not a repost list"),
}


@pytest.mark.parametrize("case_name", sorted(_BAD))
def test_read_repost_list_refuses_bad_input(tmp_path, case_name):
    text, message = _BAD[case_name]
    p = tmp_path / "bad.csv"
    p.write_bytes(text.encode())
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    with pytest.raises(InputError, match=message) as exc:
        spread.read_repost_list(p)
    assert str(p) in str(exc.value)
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before


_IRREGULAR = {
    # the fast reading hands these to the parser, which reads them row by row and says what is
    # wrong: the same rows, times and warnings as `forensics add`
    "too many fields": ((f"{HEADER}\nP,1,a,,2026-11-20 10:00,x,,,\n"
                         f"P,2,b,1,2026-11-20 10:01,y,,,,extra\n").encode(), "fields but"),
    "short row": (f"{HEADER}\nP,1,a,,2026-11-20 10:00,x,,,\nP,2,b,1\n".encode(), "fields but"),
    "invalid bytes": (f"{HEADER}\nP,1,a,,2026-11-20 10:00,".encode() + b"\xff\xfe\x80\x80\xff,,,\n",
                      "neither valid UTF-8 nor GB18030"),
    "blank row": (f"{HEADER}\nP,1,a,,2026-11-20 10:00,x,,,\n,,,,,,,,\nP,2,b,1,2026-11-20 10:01,y,,,\n"
                  .encode(), "empty row"),
    "duplicate column": (b"post_id,account_id,account_name,parent_account_id,time,text,text\n"
                         b"P,1,a,,2026-11-20 10:00,x,y\n", "more than once"),
}


@pytest.mark.parametrize("case_name", sorted(_IRREGULAR))
def test_irregular_files_are_read_as_the_parser_reads_them(tmp_path, case_name):
    data, warning = _IRREGULAR[case_name]
    p = tmp_path / "irregular.csv"
    p.write_bytes(data)
    before = hashlib.sha256(data).hexdigest()
    t = spread.read_repost_list(p, evidence_id="E1")
    assert t.attrs["source"]["read_by"] == "parser"
    assert any(warning in w for w in t.attrs["warnings"]), t.attrs["warnings"]
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
    art = parse_path(p, evidence_id="E1")
    rows = [r.row for r in art.records]
    assert list(t["row"]) == rows and len(t) == len(art.records)


def test_read_repost_list_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot open"):
        spread.read_repost_list(tmp_path / "nope.csv")


def test_read_repost_list_keeps_unreadable_values_as_shown(tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes(f"{HEADER}\nP,1,a,,2026-13-45 10:00,x,很多,,\nP,2,b,1,不是时间,y,12.5,,\n"
                  .encode())
    t = spread.read_repost_list(p)
    assert t["earliest"].isna().all() and t["views"].isna().all()
    assert list(t["time_shown"]) == ["2026-13-45 10:00", "不是时间"]
    assert list(t["views_shown"]) == ["很多", "12.5"]
    assert len(t.attrs["warnings"]) >= 3
    assert len(spread.analyze(t).nodes) == 2


# -- 7. exports ---------------------------------------------------------------------------------------------
_CSV_COLUMNS = {
    "accounts.csv": {"post_id", "account_id", "account_name", "direct_reposts", "downstream_reach",
                     "first_repost", "role", "roles"},
    "nodes.csv": {"node", "post_id", "kind", "account_id", "account_name", "parent_node", "depth",
                  "earliest", "latest", "known", "rule", "reach", "children", "evidence_id",
                  "sha256", "row", "text", "changed_text", "duplicate"},
    "marks.csv": {"post_id", "mark", "rule", "reached_at", "explanation"},
    "posts.csv": {"post_id", "originators", "repost_rows", "distinct_accounts", "unique_reposts",
                  "max_depth", "max_breadth", "structural_virality"},
    "variants.csv": {"node", "post_id", "account_id", "account_name", "evidence_id", "row",
                     "text", "original_text", "similarity", "diff"},
}


def _sample() -> spread.SpreadAnalysis:
    rows = [dict(ORIGINAL, evidence_id="E0001", sha256="ab" * 32, account_name="张三"),
            dict(row("A", "O", 1, text="某公司老板卷款出国了，警方已立案调查"), evidence_id="E0001",
                 account_name="李四"),
            dict(row("B", "A", 2), evidence_id="E0001", account_name="王五"),
            dict(row("C", "Z", None), evidence_id="E0002"),
            dict(row("D", "O", 3), evidence_id="E0001"),
            dict(row("D", "O", 3), evidence_id="E0001")]
    return spread.analyze(spread.make_table(rows))


def test_write_exports(tmp_path):
    sa = _sample()
    written = sa.write(tmp_path / "out")
    assert set(written) >= {"spread.json", "posts.csv", "accounts.csv", "nodes.csv",
                            "variants.csv", "marks.csv", "repost-graph.graphml",
                            "repost-graph.gexf", "repost-graph.json"}
    g = sa.graph()
    for name, reader in (("repost-graph.graphml", nx.read_graphml),
                         ("repost-graph.gexf", nx.read_gexf)):
        h = reader(written[name])
        assert (h.number_of_nodes(), h.number_of_edges()) == (g.number_of_nodes(),
                                                              g.number_of_edges()), name
    data = json.loads(written["repost-graph.json"].read_text(encoding="utf-8"))
    h = nx.node_link_graph(data, edges="edges")
    assert (h.number_of_nodes(), h.number_of_edges()) == (g.number_of_nodes(), g.number_of_edges())
    for name, cols in _CSV_COLUMNS.items():
        raw = written[name].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        df = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str)
        assert cols <= set(df.columns), (name, cols - set(df.columns))
    nodes = pd.read_csv(written["nodes.csv"], encoding="utf-8-sig", dtype=str)
    assert len(nodes) == len(sa.nodes) and "张三" in set(nodes["account_name"])
    assert json.loads(written["spread.json"].read_text(encoding="utf-8")) == \
        json.loads(json.dumps(sa.to_json()))
    gexf = written["repost-graph.gexf"].read_text(encoding="utf-8")
    assert 'mode="dynamic"' in gexf and "start" in gexf


def test_write_is_deterministic(tmp_path):
    a = _sample().write(tmp_path / "a")
    b = _sample().write(tmp_path / "b")
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_graph_levels():
    sa = _sample()
    g = sa.graph()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.nodes["post:P"]["kind"] == "post"
    assert g.has_edge("post:P", "account:O")
    e = g.get_edge_data("account:O", "account:A")
    (d,) = e.values()
    assert d["kind"] == "reposted_from" and d["evidence_id"] == "E0001" and d["known"] == "explicit"
    r = sa.graph(level="repost")
    tree = sa.nodes[~sa.nodes["duplicate"]]  # a duplicate row is not a node of the cascade
    assert isinstance(r, nx.DiGraph) and r.number_of_nodes() == len(tree) < len(sa.nodes)
    assert r.number_of_edges() == int((tree["parent_node"] >= 0).sum())
    assert nx.is_forest(r)
    with pytest.raises(InputError):
        sa.graph(level="nonsense")


def test_repr_html_says_no_legal_conclusion():
    html = _sample()._repr_html_()
    assert "不构成法律结论" in html and "情节严重" not in html


REPOSTS_CSV = (
    f"{HEADER}\n"
    "P1,100,张三,,2026-11-20 10:00,某公司老板卷款跑路了，警方已立案调查,1.2万,R0,\n"
    "P1,200,李四,100,2026-11-20 10:05,转发微博,10,R1,R0\n"
    "P1,300,王五,200,2026-11-20 10:07,某公司老板卷款出国了，警方已立案调查//@李四:转发微博,5,R2,R1\n"
    "P1,400,赵六,,2026-11-20 10:09,顶//@王五:某公司老板,3,R3,\n"
)


@pytest.fixture
def spread_case(case: Case, tmp_path: Path) -> Case:
    f = tmp_path / "reposts.csv"
    f.write_text(REPOSTS_CSV, encoding="utf-8")
    case.add([f], facts=IntakeFacts(captured_at="2026-11-20T16:00:00+08:00"), progress=False)
    return case


def test_case_spread_and_write_spread_logs_digests(spread_case, tmp_path):
    sa = spread_case.spread(progress=False)
    j = sa.to_json()[0]
    assert (j["post_id"], j["originators"], j["repost_rows"], j["max_depth"]) == ("P1", ["100"],
                                                                                  3, 3)
    assert j["reached_5000_views_at"]["original_displayed"] == "2026-11-20T08:00:00Z"
    assert j["link_kinds"]["chain"] == 1
    g = spread_case.repost_graph(progress=False)
    assert g.number_of_edges() == 4
    before = len(spread_case.log.entries())
    out = tmp_path / "exports"
    written = spread_case.write_spread(out, progress=False)
    entries = spread_case.log.entries()
    assert len(entries) == before + 1
    e = entries[-1]
    assert e.action == "export" and e.details["what"] == "spread"
    assert e.details["files"] == {name: hashlib.sha256(p.read_bytes()).hexdigest()
                                  for name, p in written.items()}
    assert [ref.evidence_id for ref in e.evidence] == ["E0001"]
    assert e.details["made_from_head"]["seq"] == before


# -- 8. the JSON contract of issue 6 ----------------------------------------------------------------
def test_json_contract():
    for p in _sample().to_json() + analyze_rows([ORIGINAL]).to_json():
        assert isinstance(p["post_id"], str)
        assert isinstance(p["originators"], list) and all(isinstance(x, str)
                                                          for x in p["originators"])
        for k in ("repost_rows", "distinct_accounts", "unique_reposts", "max_depth",
                  "max_breadth"):
            assert type(p[k]) is int, k
        assert type(p["structural_virality"]) is float
        for k in ("reached_500_reposts_at", "reached_5000_views_at"):
            assert isinstance(p[k], dict) and p[k]
            for rule, v in p[k].items():
                assert rule in spread.COUNTING_RULES
                assert v is None or (isinstance(v, str) and datetime.fromisoformat(
                    v.replace("Z", "+00:00")).utcoffset() == timedelta(0))
        q = p["data_quality"]
        assert set(spread.QUALITY_KEYS) <= set(q) and len(spread.QUALITY_KEYS) == 6
        assert set(spread.QUALITY_KEYS) == {"duplicate_rows", "multi_parent", "self_loops",
                                            "cycles", "negative_delays", "missing_parents"}
        assert all(type(v) is int for v in q.values())
        assert all(isinstance(v, str) for v in p["data_quality_notes"].values())
        assert set(p["data_quality_notes"]) == {k for k, v in q.items() if v}
        json.dumps(p, allow_nan=False)


def test_json_counts_of_the_sample():
    p = _sample().to_json()[0]
    assert p["originators"] == ["O"]
    assert (p["repost_rows"], p["unique_reposts"]) == (5, 4)
    assert p["distinct_accounts"] == 6  # O, A, B, C, D and the missing parent Z
    assert p["data_quality"]["duplicate_rows"] == 1
    assert p["data_quality"]["missing_parents"] == 1
    assert p["evidence"] == ["E0001", "E0002"]


def test_accounts_frame():
    acc = _sample().accounts.set_index("account_id")
    assert acc.at["O", "role"] == "originator"
    assert acc.at["A", "direct_reposts"] == 1 and acc.at["A", "downstream_reach"] == 1
    assert acc.at["Z", "role"].startswith("missing")
    assert acc.at["D", "first_repost"] == pd.Timestamp(at(3))
    sa = analyze_rows([ORIGINAL, row("A", "O", 1)] + [row(f"b{i}", "A", 2 + i)
                                                       for i in range(10)])
    acc = sa.accounts.set_index("account_id")
    assert acc.at["A", "role"] == "amplifier" and acc.at["b1", "role"] == "reposter"
    assert analyze_rows([ORIGINAL, row("A", "O", 1)] + [row(f"b{i}", "A", 2 + i)
                                                         for i in range(10)],
                        amplifier_min_reach=11).accounts.set_index("account_id").at[
        "A", "role"] == "reposter"


# -- 9. the shared corpus ---------------------------------------------------------------------------------
def _records(path: Path, evidence_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = parse_path(path, evidence_id=evidence_id)
    assert a.parsed, a.unparsed_reason
    return (pd.DataFrame([r.to_row() for r in a.records]),
            pd.DataFrame([e.to_row() for e in a.events]))


@pytest.mark.corpus
def test_corpus_marref_cascades(corpus):
    expected = json.loads((corpus / "expected-propagation.json").read_text())[
        "propagation/young_data_Marref_github.csv"]
    recs, events = _records(corpus / "propagation" / "young_data_Marref_github.csv", "E0001")
    sa = spread.analyze(spread.repost_table(recs, events))
    p = sa.posts
    assert len(p) == expected["trees"]
    assert int(p["nodes"].sum()) == expected["nodes_incl_seed"]
    assert round(float(p["nodes"].mean()), 3) == expected["mean_tree_size"]
    assert float(p["nodes"].median()) == expected["median_tree_size"]
    assert (int(p["nodes"].max()), int(p["nodes"].min())) == (expected["max_tree_size"],
                                                               expected["min_tree_size"])
    assert int(p["max_depth"].max()) == expected["max_depth"]
    assert round(float(p["max_depth"].mean()), 3) == expected["mean_depth"]
    assert int((p["max_depth"] == 1).sum()) == expected["trees_depth1_only"]
    assert int(p["repost_rows"].sum()) == expected["rows"]
    for k in ("duplicate_rows", "multi_parent", "self_loops", "cycles", "missing_parents"):
        assert int(p[k].sum()) == 0, k
    # the seed of every tree has no row: an implied root
    assert int(p["missing_root"].sum()) == expected["trees"]


CED_FILES = ("non-rumor-repost/4882_eu7gkP_1645311413.json",
             "rumor-repost/750_z7LzLjna8_2471932630.json")


@pytest.mark.corpus
@pytest.mark.parametrize("rel", CED_FILES)
def test_corpus_ced_cascade(corpus, rel):
    expected = json.loads((corpus / "expected-weibo.json").read_text())[
        f"propagation/weibo_ced/{rel}"]
    folder = corpus / "propagation" / "weibo_ced"
    recs, events = _records(folder / rel, "E0001")
    posts, _ = _records(folder / "original-microblog" / Path(rel).name, "E0002")
    sa = spread.analyze(spread.repost_table(recs, events), seen=spread.seen_posts(posts),
                        displayed=spread.displayed_counts(posts))
    (p,) = sa.to_json()
    source_uid = expected["source_uid_from_filename"]
    assert p["post_id"] == expected["source_mid"]
    assert p["originators"] == [source_uid]
    assert p["repost_rows"] == expected["records"]
    uids = set(recs["account_id"])
    assert len(uids) == expected["distinct_uids"]
    assert p["distinct_accounts"] == expected["distinct_uids"] + (source_uid not in uids)
    assert p["max_depth"] == expected["max_depth"]
    nd = sa.nodes[sa.nodes["kind"] == "repost"]
    hist = nd["depth"].value_counts().sort_index()
    assert {str(k): int(v) for k, v in hist.items()} == expected["depth_histogram"]
    first = pd.Timestamp(p["first_repost_time"])
    source = pd.Timestamp(p["original_time"])
    assert p["original_time"].replace("Z", "+00:00") == expected["source_time_utc"]
    assert round((first - source).total_seconds() / 3600, 3) == \
        expected["first_repost_minus_source_hours"]
    assert p["data_quality"]["negative_delays"] == expected["reposts_before_source"]
    assert p["data_quality"]["duplicate_rows"] == expected["duplicate_mids"]
    assert p["data_quality"]["missing_parents"] == expected["parent_not_in_file"]
    # the displayed count of the original-microblog file, at an unknown capture time
    m = sa.marks.set_index(["mark", "rule"]).loc[("500 reposts", "displayed")]
    assert m["count"] == expected["displayed_reposts"]
    assert math.isfinite(p["structural_virality"]) and p["structural_virality"] > 0


# -- posts seen in captures ----------------------------------------------------------------------
def test_capture_of_the_post_names_the_author_of_an_original_without_a_row(case, tmp_path):
    """The list has no row for the original; a screenshot whose intake URL names the post gives
    its author and displayed time, so the originator is the publisher, not a guess from the
    parents the reposts name."""
    lst = tmp_path / "reposts.csv"
    lst.write_text("post_id,account_id,account_name,parent_account_id,time,text\n"
                   "4882123456789012,200,李四,100,2026-11-20T14:40:00+08:00,转发微博\n"
                   "4882123456789012,300,王五,200,2026-11-20T15:01:00+08:00,说得对\n",
                   encoding="utf-8")
    shot = tmp_path / "Screenshot_post.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    case.add([lst], facts=IntakeFacts(captured_at="2026-11-21T09:00:00+08:00"), progress=False)
    case.add([shot], facts=IntakeFacts(
        url="https://weibo.com/100/4882123456789012?type=comment", publisher_id="100",
        publisher="张三", displayed_time="2026-11-20 14:32",
        captured_at="2026-11-21T09:00:00+08:00"), progress=False)
    sa = case.spread(progress=False)
    post = sa.to_json()[0]
    assert post["originators"] == ["100"]
    assert post["original_time"] == "2026-11-20T06:32:00Z"
    shot_id = next(it.evidence_id for it in case.items if it.name == shot.name)
    assert shot_id in post["evidence"]
    root = sa.nodes[sa.nodes["kind"] == "implied root"].iloc[0]
    assert root["evidence_id"] == shot_id and "intake facts" in root["note"]
    assert post["data_quality"]["negative_delays"] == 0


def test_capture_naming_another_post_is_not_used():
    from types import SimpleNamespace as NS

    item = NS(evidence_id="E0001", digests=NS(sha256="ab" * 32), facts=IntakeFacts(
        url="https://weibo.com/100/48821234567890123", publisher_id="100"))
    assert spread.captured_posts(["4882123456789012"], [item]) == []


# -- two captures of one list; curves; placeholders in the account graph --------------------------
def _capture(evidence: str, captured: str, views: int) -> pd.DataFrame:
    rows = [row("O", minutes=0, text="原文", views=views, evidence_id=evidence),
            row("A", "O", 5, views=views // 10, evidence_id=evidence),
            row("B", "A", 9, views=views // 10, evidence_id=evidence)]
    return spread.make_table(rows, captured_at=captured)


def test_two_captures_of_one_list_count_each_repost_once_and_read_the_later_counts():
    first = _capture("E0001", "2026-11-20T12:00:00+08:00", 3000)
    later = _capture("E0002", "2026-11-21T12:00:00+08:00", 8000)
    sa = spread.analyze(pd.concat([first, later], ignore_index=True))
    post = sa.to_json()[0]
    assert post["repost_rows"] == 4 and post["unique_reposts"] == 2  # rows: both copies
    assert post["data_quality"]["duplicate_rows"] == 3
    assert post["data_quality"]["unresolved_parents"] == 0
    assert post["originators"] == ["O"]
    # the original showed 3,000 views at the first capture and 8,000 at the second
    assert post["reached_5000_views_at"]["original_displayed"] == "2026-11-21T04:00:00Z"
    m = sa.marks[(sa.marks["rule"] == "original_displayed")].iloc[0]
    assert m["reached_earliest"] == pd.Timestamp("2026-11-20T04:00:00Z")
    # each file's rows summed within the file: 3000+300+300 < 5000 <= 8000+800+800
    assert post["reached_5000_views_at"]["all_rows_displayed"] == "2026-11-21T04:00:00Z"


def test_cumulative_accounts_leave_out_the_originator_and_views_start_with_the_original():
    sa = analyze_rows([row("O", minutes=0, views=100), row("A", "O", 5, views=10),
                       row("O", "A", 7, views=1), row("B", "O", 9, views=5)])
    cum = sa.cumulative("P")
    assert cum["accounts"].iat[-1] == 2  # A and B; O is the originator
    assert cum["rows"].iat[-1] == 3
    assert cum["views"].iat[0] == 100 and cum["views"].iat[-1] == 116
    acc_rule = sa.marks[(sa.marks["rule"] == "accounts")].iloc[0]
    assert acc_rule["count"] == cum["accounts"].iat[-1]


def test_parent_known_only_by_repost_id_is_a_node_of_the_account_graph():
    sa = analyze_rows([row("O", minutes=0, repost_id="R0"),
                       row("A", minutes=5, repost_id="R1", parent_repost_id="R9")])
    g = sa.graph()
    assert g.nodes["repost:R9"]["kind"] == "missing repost"
    assert g.has_edge("repost:R9", "account:A")
