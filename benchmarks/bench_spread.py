"""Spread analysis of a 1,000,000-repost cascade: ours against igraph and networkx, in one run.

The cascade is synthetic, seeded (``numpy.random.default_rng(SEED)``) and written once in the
documented repost-list CSV form (``docs/formats/reposts.md``, columns ``post_id, account_id,
account_name, parent_account_id, time, text, views, repost_id, parent_repost_id``) under
``benchmarks/out/spread/`` (git-ignored), keyed by seed and size, so a re-run skips making it.
Making it is not timed.  Its shape:

* one original post and ``size - 1`` repost rows; each repost picks its parent among the posts
  before it with probability proportional to a Pareto(1) fitness (the original weighs as much as
  ``size`` ordinary accounts), so out-degree is heavy-tailed: at 1,000,000 rows the original and
  one account have about 184,000 direct reposts each, a few more 5,000 to 25,000, and 84 % of
  the reposts have none; depth reaches 15;
* times ISO 8601 with ``+08:00``: arrivals log-normal after the original (median 3 hours), each
  repost at least 1 s after its parent; the rows newest first, as a platform's repost list
  shows them;
* ``repost_id`` (16-digit ids increasing with time) and ``parent_repost_id`` on every row;
  ``post_id`` is the original's id;
* account names ``用户<uid>`` (10-digit uids); a few hundred accounts repost twice; a handful of
  rows repeated exactly (exact duplicate rows);
* texts: a short comment, and for reposts of reposts the Weibo ``//@name:`` chain of the parent
  (dropped on a fifth of the rows, as some exports give only the reposter's own words); a few
  reposts rewrite the original's wording;
* views as integers, ``1.2万`` or ``10万+`` for the larger ones, empty on 5 % of the rows.

Three contenders, each in a fresh subprocess (one at a time: the machine has 2 cores), each
timed from the file to the measures, nothing prepared outside the clock (imports excepted):

* **ours**: ``forensics.spread.read_repost_list`` + ``forensics.spread.analyze`` (read, build,
  measures, mark-crossing times);
* **igraph**: pandas ``read_csv(dtype=str, engine="pyarrow")``, times parsed with pandas, exact
  duplicate rows dropped, an ``igraph.Graph`` from ``parent_repost_id -> repost_id`` edges, BFS
  from the root for depths, subtree sizes level by level with numpy (descendants, and the
  Wiener index: sum over edges of s*(n-s), the structural virality being that over n(n-1)/2),
  distinct accounts, and the time of the 500th repost under each counting rule;
* **networkx**, as a naive analyst would: pandas ``read_csv(dtype=str)``, ``nx.DiGraph`` from
  the edges, ``nx.shortest_path_length`` from the root, subtree sizes over
  ``nx.dfs_postorder_nodes``; the same measures.

Measures compared (ours and networkx against igraph; exit status 1 when any differs): nodes,
repost rows, unique reposts, distinct accounts (the originator included), max depth, max breadth
(most nodes at one depth), structural virality (relative 1e-9), and per repost id its depth
and its number of descendants; the time of the 500th repost counted as ``rows`` (every repost
row), ``unique`` (exact duplicates removed) and ``accounts`` (each account's first repost).

Memory: each contender reads its own ``/proc/self/status`` when the clock stops: ``VmHWM``
(peak resident set of the whole process, imports included: this is "peak MiB" below and what
the 1 GiB target is held to) and ``VmHWM`` minus the ``VmRSS`` it had just before the clock
started ("delta").  Times are the best of ``--repeat`` runs (networkx: ``--nx-repeat``), peak
the largest seen.

Targets (printed PASS or MISS; they do not change the exit status): ours no slower than igraph,
and ours under 1 GiB peak.

    python benchmarks/bench_spread.py [--size 1000000] [--repeat 3] [--nx-repeat 1]
        [--skip networkx] [--seed 6]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out" / "spread"
SEED = 6
GENERATOR = 2  # part of the cached file's name: bump it when make_cascade changes
COLUMNS = ("post_id", "account_id", "account_name", "parent_account_id", "time", "text", "views",
           "repost_id", "parent_repost_id")
CONTENDERS = ("ours", "igraph", "networkx")
MARK = 500
TARGET_PEAK_MIB = 1024.0
START = np.datetime64("2026-11-20T06:32:05", "s")  # 14:32:05 at +08:00
ORIGINAL_TEXT = "原帖：某公司老板张某卷款跑路了，员工工资三个月没发，大家转告！"
CHANGED_TEXTS = ("某公司老板张某卷款三千万跑路了，已被警方抓获！", "张某卷款跑路是真的，他还欠了上亿赌债",
                 "听说某公司老板张某跑到国外去了，员工工资一分没有")
COMMENTS = ("转发微博", "", "真的假的？", "太过分了！", "顶", "已转", "求真相", "关注", "转发",
            "这是真的吗", "支持维权", "[怒]", "帮转", "希望早日解决")
COMMENT_P = (0.30, 0.10, 0.06, 0.06, 0.06, 0.06, 0.05, 0.05, 0.06, 0.05, 0.04, 0.04, 0.04, 0.03)


# ---------------------------------------------------------------------------------------------
# The cascade


def make_cascade(size: int, seed: int = SEED) -> pd.DataFrame:
    """A seeded cascade of ``size`` rows (one post) in the documented repost-list CSV columns."""
    rng = np.random.default_rng(seed)
    dups = min(5, max(1, size // 2000))
    n = size - dups  # distinct rows: the original and the reposts
    # Parents: fitness-proportional choice among the posts before (heavy-tailed out-degree).
    fitness = rng.pareto(1.0, n) + 1.0
    fitness[0] = float(n)
    cum = np.cumsum(fitness)
    parent = np.searchsorted(cum, rng.random(n) * np.concatenate([[0.0], cum[:-1]]), side="right")
    parent[0] = -1
    # Times: arrivals log-normal after the original (median 3 hours), each at least 1 s after
    # its parent.
    arrival = np.sort(rng.lognormal(np.log(3 * 3600.0), 1.2, n).astype(np.int64)).tolist()
    plist = parent.tolist()
    secs = [0] * n
    depth = [0] * n
    for j in range(1, n):
        p = plist[j]
        secs[j] = max(arrival[j], secs[p] + 1)
        depth[j] = depth[p] + 1
    size_below = [1] * n
    for j in range(n - 1, 0, -1):
        size_below[plist[j]] += size_below[j]
    reach = np.asarray(size_below) - 1
    # Accounts: 10-digit uids, distinct, except a few hundred accounts reposting twice.
    uid = 1_000_000_000 + rng.permutation(n).astype(np.int64) * 4000 + rng.integers(0, 4000, n)
    twice = min(300, n // 50)
    if twice:
        pick = rng.choice(np.arange(1, n), 2 * twice, replace=False)
        first, second = pick[:twice], pick[twice:]
        ok = (parent[second] != first) & (parent[first] != second)
        uid[second[ok]] = uid[first[ok]]
    account = uid.astype(str).astype(object)
    name = ("用户" + account).astype(object)
    # Texts: a comment, then the parent's //@ chain when the parent is itself a repost.
    own = rng.choice(np.array(COMMENTS, dtype=object), n, p=COMMENT_P)
    changed = np.flatnonzero((np.asarray(depth) == 1) & (rng.random(n) < 0.002))
    own[changed] = rng.choice(np.array(CHANGED_TEXTS, dtype=object), len(changed))
    own[0] = ORIGINAL_TEXT
    text = own.tolist()
    names = name.tolist()
    for j in range(1, n):
        p = plist[j]
        if depth[p] >= 1:
            text[j] = f"{text[j]}//@{names[p]}:{text[p]}"
    text = np.asarray(text, dtype=object)
    bare = rng.random(n) < 0.2
    text[bare] = own[bare]
    # Views: grow with what descends from the row; displayed forms for the larger ones.
    views = (reach + 1) * rng.integers(3, 30, n) + rng.integers(0, 50, n)
    shown = views.astype(str).astype(object)
    r = rng.random(n)
    wan = (views >= 10_000) & (r < 0.5)
    shown[wan] = pd.Series(views[wan] / 10_000).map("{:.1f}万".format).to_numpy(dtype=object)
    shown[(views >= 100_000) & (r < 0.25)] = "10万+"
    shown[rng.random(n) < 0.05] = ""
    # Ids increasing with time; rows newest first.
    order = np.lexsort((np.arange(n), np.asarray(secs)))
    mid = np.empty(n, dtype=np.int64)
    mid[order] = 4_880_000_000_000_000 + np.cumsum(rng.integers(1, 5000, n))
    mids = mid.astype(str).astype(object)
    wall = START + np.asarray(secs, dtype="timedelta64[s]") + np.timedelta64(8, "h")
    times = (pd.Series(np.datetime_as_string(wall, unit="s")) + "+08:00").to_numpy(dtype=object)
    parent_account = np.where(parent >= 0, account[parent], "")
    parent_mid = np.where(parent >= 0, mids[parent], "")
    frame = pd.DataFrame({
        "post_id": mids[0], "account_id": account, "account_name": name,
        "parent_account_id": parent_account, "time": times, "text": text, "views": shown,
        "repost_id": mids, "parent_repost_id": parent_mid,
    }, columns=list(COLUMNS))
    again = np.sort(rng.choice(np.arange(1, n), dups, replace=False))
    rank = np.concatenate([np.argsort(order), np.argsort(order)[again] + 0.5])
    newest_first = np.concatenate([np.arange(n), again])[np.argsort(-rank, kind="stable")]
    return frame.iloc[newest_first].reset_index(drop=True)


def cascade_file(size: int, seed: int) -> tuple[Path, float]:
    """The cached CSV for ``size`` and ``seed`` (made when missing) and the seconds making took."""
    path = OUT / f"reposts-v{GENERATOR}-seed{seed}-{size}.csv"
    if path.is_file():
        return path, 0.0
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    frame = make_cascade(size, seed)
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    tmp.replace(path)
    return path, time.perf_counter() - t


# ---------------------------------------------------------------------------------------------
# The contenders (each runs in its own process: ``--contender NAME``)


def _status(key: str) -> float:
    """``VmHWM``/``VmRSS`` of this process from /proc, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _nth_times(ns: np.ndarray, dup: np.ndarray, root: np.ndarray, account_first: np.ndarray,
               nth: int) -> dict[str, str | None]:
    """The time of the ``nth`` repost counted as rows, unique rows and accounts (ISO UTC).

    ``ns`` are the rows' times as int64 nanoseconds (NaT the smallest int64), ``account_first``
    each account's first repost time (likewise).
    """
    out: dict[str, str | None] = {}
    nat = np.iinfo(np.int64).min
    for rule, v in (("rows", ns[~root]), ("unique", ns[~root & ~dup]), ("accounts", account_first)):
        v = v[v != nat]
        if len(v) < nth:
            out[rule] = None
            continue
        at = np.partition(v, nth - 1)[nth - 1]
        out[rule] = str(np.datetime_as_string(np.datetime64(int(at), "ns"), unit="s")) + "Z"
    return out


def run_igraph(path: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    import igraph as ig

    df = pd.read_csv(path, dtype=str, engine="pyarrow", keep_default_na=False)
    times = pd.to_datetime(df["time"], format="%Y-%m-%dT%H:%M:%S%z", utc=True)
    ns = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    # One vertex per id (repost ids, then parent ids outside the list, then "" for none).
    ids, uniques = pd.factorize(pd.concat([df["repost_id"], df["parent_repost_id"]], ignore_index=True))
    rows = len(df)
    rid, pid = ids[:rows], ids[rows:]
    # Exact duplicate rows share their repost id: compare whole rows only where ids repeat.
    dup = np.zeros(rows, dtype=bool)
    again = np.bincount(rid)[rid] > 1
    dup[again] = df.iloc[np.flatnonzero(again)].duplicated().to_numpy()
    root_row = (df["parent_repost_id"] == "").to_numpy()
    keep = ~dup
    if np.bincount(rid[keep]).max() > 1:
        raise SystemExit("igraph: repost ids are not unique once exact duplicates are dropped")
    linked = keep & ~root_row
    g = ig.Graph(n=len(uniques), edges=list(zip(pid[linked].tolist(), rid[linked].tolist(), strict=True)),
                 directed=True)
    root = int(rid[keep & root_row][0])
    vids, layers, par = (np.asarray(x) for x in g.bfs(root))
    widths = np.diff(layers)
    depth = np.full(len(uniques), -1, dtype=np.int64)
    depth[vids] = np.repeat(np.arange(len(widths)), widths)
    size = np.ones(len(uniques), dtype=np.int64)
    for level in range(len(widths) - 1, 0, -1):
        nodes = vids[layers[level]:layers[level + 1]]
        size += np.bincount(par[nodes], weights=size[nodes], minlength=len(uniques)).astype(np.int64)
    n = len(vids)  # the tree's nodes (a row whose parent is not in the list is not in it)
    below = size[vids[1:]].astype(np.float64)
    wiener = float(np.sum(below * (n - below)))
    accounts, names = pd.factorize(df["account_id"])
    reposts = keep & ~root_row
    first = np.full(len(names), np.iinfo(np.int64).max)
    np.minimum.at(first, accounts[reposts], ns[reposts])
    measures = {
        "nodes": n, "repost_rows": int((~root_row).sum()), "unique_reposts": int(reposts.sum()),
        "distinct_accounts": len(names), "max_depth": len(widths) - 1,
        "max_breadth": int(widths.max()), "structural_virality": wiener / (n * (n - 1) / 2),
        "reached_500": _nth_times(ns, dup, root_row, first[first != np.iinfo(np.int64).max], MARK),
    }
    tree = rid[keep]
    per_node = pd.DataFrame({"repost_id": np.asarray(uniques)[tree], "depth": depth[tree],
                             "reach": size[tree] - 1})
    # per account (ours' accounts table): direct reposts, downstream reach, first repost
    kids = np.bincount(par[vids[1:]], minlength=len(uniques)) if n > 1 else np.zeros(len(uniques))
    acc_rows = accounts[keep]
    per_account = pd.DataFrame({
        "account_id": np.asarray(names, dtype=object),
        "direct_reposts": np.bincount(acc_rows, weights=kids[tree], minlength=len(names)).astype(np.int64),
        "downstream_reach": np.bincount(acc_rows, weights=size[tree] - 1,
                                        minlength=len(names)).astype(np.int64),
        "first_repost": np.where(first == np.iinfo(np.int64).max, -1, first),
    })
    return measures, per_node, per_account


def run_networkx(path: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    from collections import Counter

    import networkx as nx

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    times = pd.to_datetime(df["time"], format="ISO8601", utc=True)
    dup = df.duplicated().to_numpy()
    root_row = (df["parent_repost_id"] == "").to_numpy()
    unique = df[~dup]
    g = nx.DiGraph()
    g.add_nodes_from(unique["repost_id"])
    linked = unique[unique["parent_repost_id"] != ""]
    g.add_edges_from(zip(linked["parent_repost_id"], linked["repost_id"], strict=True))
    root = unique.loc[unique["parent_repost_id"] == "", "repost_id"].iloc[0]
    depth = nx.shortest_path_length(g, root)
    widths = Counter(depth.values())
    size: dict[str, int] = {}
    for v in nx.dfs_postorder_nodes(g, root):
        size[v] = 1 + sum(size[c] for c in g.successors(v))
    n = g.number_of_nodes()
    wiener = float(sum(s * (n - s) for v, s in size.items() if v != root))
    keep = ~dup & ~root_row
    first = times[keep].groupby(df["account_id"][keep]).min()
    ns = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    measures = {
        "nodes": n, "repost_rows": int((~root_row).sum()), "unique_reposts": int(keep.sum()),
        "distinct_accounts": int(df["account_id"].nunique()), "max_depth": max(widths),
        "max_breadth": max(widths.values()), "structural_virality": wiener / (n * (n - 1) / 2),
        "reached_500": _nth_times(ns, dup, root_row,
                                  first.to_numpy(dtype="datetime64[ns]").view(np.int64), MARK),
    }
    ids = list(size)
    per_node = pd.DataFrame({"repost_id": ids, "depth": [depth[v] for v in ids],
                             "reach": [size[v] - 1 for v in ids]})
    acc = unique.assign(direct=[g.out_degree(v) for v in unique["repost_id"]],
                        reach=[size[v] - 1 for v in unique["repost_id"]])
    per_account = acc.groupby("account_id").agg(direct_reposts=("direct", "sum"),
                                                downstream_reach=("reach", "sum")).reset_index()
    first_ns = first.to_numpy(dtype="datetime64[ns]").view(np.int64)
    per_account["first_repost"] = pd.Series(first_ns, index=first.index).reindex(
        per_account["account_id"]).fillna(-1).astype(np.int64).to_numpy()
    return measures, per_node, per_account


STEPS: dict[str, float] = {}


def run_ours(path: Path):
    from forensics.spread import analyze, read_repost_list

    t = time.perf_counter()
    table = read_repost_list(path)
    STEPS["read_repost_list"] = time.perf_counter() - t
    t = time.perf_counter()
    analysis = analyze(table)
    STEPS["analyze"] = time.perf_counter() - t
    return table, analysis


def ours_measures(table: pd.DataFrame, analysis) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """The compared measures out of ``analyze``'s result (after the clock)."""
    post = analysis.posts.iloc[0]
    marks = analysis.marks
    marks = marks[marks["mark"] == f"{MARK} reposts"]
    reached: dict[str, str | None] = {}
    for rule, at in zip(marks["rule"], marks["reached_at"], strict=True):
        reached[str(rule)] = None if pd.isna(at) else pd.Timestamp(at).tz_convert("UTC").strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    nodes = analysis.nodes
    real = nodes[nodes["kind"].isin(["original", "repost"]) & ~nodes["duplicate"].astype(bool)]
    rows = pd.Series(table["repost_id"].to_numpy(), index=table["row"].to_numpy())
    measures = {
        "nodes": len(real), "repost_rows": int(post["repost_rows"]),
        "unique_reposts": int(post["unique_reposts"]), "distinct_accounts": int(post["distinct_accounts"]),
        "max_depth": int(post["max_depth"]), "max_breadth": int(post["max_breadth"]),
        "structural_virality": float(post["structural_virality"]), "reached_500": reached,
    }
    per_node = pd.DataFrame({"repost_id": rows.reindex(real["row"].to_numpy()).to_numpy(),
                             "depth": real["depth"].to_numpy(), "reach": real["reach"].to_numpy()})
    acc = analysis.accounts
    first = acc["first_repost"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(
        dtype="datetime64[ns]").view(np.int64)
    per_account = pd.DataFrame({"account_id": acc["account_id"].astype(str).to_numpy(),
                                "direct_reposts": acc["direct_reposts"].to_numpy(np.int64),
                                "downstream_reach": acc["downstream_reach"].to_numpy(np.int64),
                                "first_repost": np.where(acc["first_repost"].isna(), -1, first)})
    return measures, per_node, per_account


def contender(name: str, path: Path, result: Path) -> int:
    """Run one contender in this process; write its measures to ``result`` (.json + .parquet)."""
    if name == "ours":
        sys.path.insert(0, str(ROOT))
        import forensics.spread  # noqa: F401  (imported before the clock, as the others)
    elif name == "igraph":
        import igraph  # noqa: F401
    else:
        import networkx  # noqa: F401
    import pyarrow
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401

    base = _status("VmRSS")
    t = time.perf_counter()
    if name == "ours":
        out = run_ours(path)
    elif name == "igraph":
        out = run_igraph(path)
    else:
        out = run_networkx(path)
    seconds = time.perf_counter() - t
    peak = _status("VmHWM")
    measures, per_node, per_account = ours_measures(*out) if name == "ours" else out
    per_node.sort_values("repost_id").to_parquet(result.with_suffix(".parquet"), index=False)
    per_account.sort_values("account_id").to_parquet(
        result.with_name(result.name + "-accounts.parquet"), index=False)
    measures.update(seconds=seconds, peak_mib=peak, base_mib=base, steps=STEPS)
    result.with_suffix(".json").write_text(json.dumps(measures, ensure_ascii=False))
    return 0


# ---------------------------------------------------------------------------------------------
# The run


def spawn(name: str, path: Path, repeat: int) -> dict:
    """Best of ``repeat`` fresh processes of one contender (time: least; peak: largest)."""
    best: dict | None = None
    times, peaks = [], []
    for _ in range(repeat):
        result = OUT / f"result-{name}"
        p = subprocess.run([sys.executable, __file__, "--contender", name, "--csv", str(path),
                            "--result", str(result)], capture_output=True, text=True, check=False)
        if p.returncode != 0:
            sys.exit(f"{name} failed ({p.returncode}):\n{p.stderr[-3000:]}")
        m = json.loads(result.with_suffix(".json").read_text())
        times.append(m["seconds"])
        peaks.append(m["peak_mib"])
        if best is None or m["seconds"] < best["seconds"]:
            best = m
    assert best is not None
    best.update(runs=times, peak_mib=max(peaks),
                per_node=pd.read_parquet(OUT / f"result-{name}.parquet"),
                per_account=pd.read_parquet(OUT / f"result-{name}-accounts.parquet"))
    return best


SCALARS = ("nodes", "repost_rows", "unique_reposts", "distinct_accounts", "max_depth", "max_breadth",
           "structural_virality")


def differences(mine: dict, ref: dict) -> list[str]:
    """Every measure on which ``mine`` differs from ``ref`` (igraph), each with both values."""
    out = []
    for key in SCALARS:
        a, b = mine[key], ref[key]
        same = abs(a - b) <= 1e-9 * max(1.0, abs(b)) if key == "structural_virality" else a == b
        if not same:
            out.append(f"{key}: {a!r} vs igraph {b!r}")
    for rule, at in ref["reached_500"].items():
        got = mine["reached_500"].get(rule, "(no such rule)")
        if got != at:
            out.append(f"time of the {MARK}th repost ({rule}): {got} vs igraph {at}")
    a, b = mine["per_node"], ref["per_node"]
    if a["repost_id"].duplicated().any():
        out.append(f"per node: {int(a['repost_id'].duplicated().sum())} repost ids on more than one node")
    both = a.merge(b, on="repost_id", how="outer", suffixes=("", "_ref"), indicator=True)
    for side, label in (("left_only", "only in ours"), ("right_only", "only in igraph")):
        k = int((both["_merge"] == side).sum())
        if k:
            ex = both.loc[both["_merge"] == side, "repost_id"].head(3).tolist()
            out.append(f"per node: {k} repost ids {label} (e.g. {ex})")
    both = both[both["_merge"] == "both"]
    for col in ("depth", "reach"):
        bad = both[both[col].to_numpy() != both[col + "_ref"].to_numpy()]
        if len(bad):
            ex = ", ".join(f"{r.repost_id}: {getattr(r, col):.0f} vs {getattr(r, col + '_ref'):.0f}"
                           for r in bad.head(3).itertuples())
            out.append(f"per node {col}: {len(bad):,} of {len(both):,} differ (e.g. {ex})")
    a, b = mine["per_account"], ref["per_account"]
    both = a.merge(b, on="account_id", how="outer", suffixes=("", "_ref"), indicator=True)
    k = int((both["_merge"] != "both").sum())
    if k:
        out.append(f"per account: {k} accounts in one result only")
    both = both[both["_merge"] == "both"]
    for col in ("direct_reposts", "downstream_reach", "first_repost"):
        bad = both[both[col].to_numpy() != both[col + "_ref"].to_numpy()]
        if len(bad):
            ex = ", ".join(f"{r.account_id}: {getattr(r, col)} vs {getattr(r, col + '_ref')}"
                           for r in bad.head(3).itertuples())
            out.append(f"per account {col}: {len(bad):,} of {len(both):,} differ (e.g. {ex})")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000, help="rows of the cascade")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--repeat", type=int, default=3, help="runs of ours and igraph (best counts)")
    ap.add_argument("--nx-repeat", type=int, default=1, help="runs of networkx")
    ap.add_argument("--skip", action="append", default=[], choices=CONTENDERS)
    ap.add_argument("--contender", choices=CONTENDERS, help=argparse.SUPPRESS)
    ap.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.contender:
        return contender(a.contender, a.csv, a.result)
    if a.size < 10:
        sys.exit("--size must be at least 10")
    path, made = cascade_file(a.size, a.seed)
    load = os.getloadavg()[0]
    results = {}
    for name in CONTENDERS:
        if name not in a.skip:
            results[name] = spawn(name, path, a.nx_repeat if name == "networkx" else a.repeat)
    ref = results.get("igraph")
    made_text = f"made in {made:.1f} s, not timed" if made else "cached"
    print(f"cascade: {a.size:,} rows, seed {a.seed}, {path.stat().st_size / 2**20:.0f} MiB "
          f"({path.relative_to(ROOT)}, {made_text}); {os.cpu_count()} CPUs, load average {load:.2f}")
    if ref:
        print(f"measures (igraph): nodes {ref['nodes']:,}, distinct accounts "
              f"{ref['distinct_accounts']:,}, max depth {ref['max_depth']}, max breadth "
              f"{ref['max_breadth']:,}, structural virality {ref['structural_virality']:.4f}, "
              f"{MARK}th repost at {ref['reached_500']['unique']}")
    print(f"{'contender':<10} {'seconds':>8} {'peak MiB':>9} {'delta MiB':>10} {'s / igraph':>11} "
          f"{'MiB / igraph':>13}  runs (s)")
    for name, m in results.items():
        ratio_t = f"{m['seconds'] / ref['seconds']:.2f}" if ref else "-"
        ratio_m = f"{m['peak_mib'] / ref['peak_mib']:.2f}" if ref else "-"
        runs = ", ".join(f"{r:.2f}" for r in m["runs"])
        print(f"{name:<10} {m['seconds']:8.2f} {m['peak_mib']:9.0f} {m['peak_mib'] - m['base_mib']:10.0f} "
              f"{ratio_t:>11} {ratio_m:>13}  {runs}")
    if "ours" in results:
        steps = results["ours"]["steps"]
        print("ours, best run: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
    status = 0
    if ref:
        for name in ("ours", "networkx"):
            if name in results:
                diff = differences(results[name], ref)
                print(f"{name} vs igraph: " + ("agree" if not diff else f"{len(diff)} differences"))
                for line in diff:
                    print("  ", line)
                status |= bool(diff) if name == "ours" else 0
    if "ours" in results:
        m = results["ours"]
        if ref:
            ok = m["seconds"] <= ref["seconds"]
            print(f"target: ours no slower than igraph ({m['seconds']:.2f} s vs {ref['seconds']:.2f} s): "
                  f"{'PASS' if ok else 'MISS'}")
        ok = m["peak_mib"] < TARGET_PEAK_MIB
        print(f"target: ours under 1 GiB peak ({m['peak_mib']:.0f} MiB): {'PASS' if ok else 'MISS'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
