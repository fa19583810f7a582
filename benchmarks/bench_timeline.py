"""Build and sort a timeline of 1,000,000 events, then write it as Parquet and CSV.

The events frame is synthetic but shaped like ``case.events()`` (the same columns, ISO 8601 UTC
strings ending in ``Z``, some with microseconds, one in ten an interval), made here before any
clock starts and shuffled (events arrive in file order, not time order).  The mix: reposts from
20,000 accounts with displayed times, chat messages from five people (their own lanes), e-mail
``Received`` hops, EXIF capture times and WARC dates, over 2,000 evidence items; every text and
location is distinct, so no summary or sort key repeats by accident.

Timed, best of ``--repeat`` runs each, in one run of this script:

* build + sort: ``forensics.timeline.build_timeline(events=...)``, all of it (the two time
  columns read, which time each row is, lanes, summaries, the sort into a new frame), nothing
  prepared outside the clock;
* the reference: ``pandas.to_datetime`` of the same 1,000,000 ``earliest`` strings with an
  explicit format (``ISO8601``: the strings carry optional fractions, which a strptime format
  cannot express), and of 1,000,000 whole-second strings with ``%Y-%m-%dT%H:%M:%S%z``.  The
  build itself reads its two time columns with Arrow's string-to-timestamp cast, not pandas;
  the reference says what one column costs the usual way, to judge the whole build against;
* Parquet write: ``to_parquet``; CSV write: ``to_csv`` (times formatted, text quoted).

Target: build and sort under 3 s on this machine.  Exit status 1 when it is missed.

    python benchmarks/bench_timeline.py [--events 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forensics.timeline import build_timeline, to_csv, to_parquet  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "timeline"
TARGET_SECONDS = 3.0
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def _names(n: int, rng: np.random.Generator) -> np.ndarray:
    s = rng.choice(list(SURNAMES), n)
    g1 = rng.choice(list(GIVEN), n)
    g2 = rng.choice(list(GIVEN), n)
    return (pd.Series(s) + pd.Series(g1) + pd.Series(g2) + pd.Series(np.arange(n)).astype(str)
            ).to_numpy(dtype=object)


def make_events(n: int, seed: int = 5) -> pd.DataFrame:
    """A shuffled events frame of ``n`` rows with the columns of ``case.events()``."""
    rng = np.random.default_rng(seed)
    i = pd.Series(np.arange(n)).astype(str)
    kind = rng.choice(5, n, p=[0.6, 0.2, 0.1, 0.05, 0.05])
    start = np.datetime64("2025-01-01T00:00:00", "us")
    micros = rng.integers(0, 2 * 365 * 86400, n) * 1_000_000
    fraction = rng.random(n) < 0.2
    micros = micros + np.where(fraction, rng.integers(1, 1_000_000, n), 0)
    earliest = start + micros.astype("timedelta64[us]")
    interval = (kind == 0) & (rng.random(n) < 1 / 6)  # displayed "3分钟前": one minute wide
    latest = earliest + np.where(interval, 60_000_000, 0).astype("timedelta64[us]")

    def iso(values: np.ndarray) -> pd.Series:
        s = pd.Series(np.datetime_as_string(values, unit="us"))
        return s.str.replace(".000000", "", regex=False) + "Z"

    wall = pd.Series(np.datetime_as_string(earliest + np.timedelta64(8, "h"), unit="s"))
    wall = wall.str.replace("T", " ", regex=False)
    accounts = _names(20_000, rng)
    people = np.array(["张三", "李四", "王五", "赵六", "钱七"], dtype=object)
    actor = np.where(kind == 0, accounts[rng.integers(0, len(accounts), n)],
                     np.where(kind == 1, people[rng.integers(0, 5, n)],
                              np.where(kind == 2, "张三 <zs@example.com>", "")))
    table = {
        0: ("social:repost", "Reposted", "repost:time(displayed)", "reposts", "assumed",
            "Asia/Shanghai", "minute"),
        1: ("chat:message", "Message Sent", "chat:time", "chat_wechat", "assumed",
            "Asia/Shanghai", "second"),
        2: ("email:rfc822", "Message Received", "", "email", "explicit", "+08:00", "second"),
        3: ("image:exif", "Content Created", "exif:DateTimeOriginal", "image", "assumed",
            "Asia/Shanghai", "second"),
        4: ("web:warc:response", "Archived (WARC-Date)", "warc:WARC-Date", "warc", "explicit",
            "+00:00", "second"),
    }
    cols = {name: np.array([table[k][j] for k in range(5)], dtype=object)[kind]
            for j, name in enumerate(("data_type", "description", "time_source", "parser", "zone",
                                      "zone_name", "precision"))}
    hop = pd.Series(rng.integers(0, 5, n)).astype(str)
    source = pd.Series(cols["time_source"])
    source = source.where(kind != 2, "email:Received[" + hop + "]")
    text = np.where(kind == 0, ("//@张三: 转发过五百了，大家看看 #" + i).to_numpy(dtype=object),
                    np.where(kind == 1, ("群里说的：这件事情是真的\n第" + i + "条").to_numpy(dtype=object),
                             np.where(kind == 2, ("Re: 关于那篇帖子 " + i).to_numpy(dtype=object), "")))
    url = np.where(kind == 4, ("https://weibo.com/123/abc?i=" + i).to_numpy(dtype=object), "")
    item = rng.integers(1, 2001, n)
    evidence_id = ("E" + pd.Series(item).astype(str).str.zfill(4)).to_numpy(dtype=object)
    sha = np.array([f"{k:064x}" for k in range(2001)], dtype=object)[item]
    events = pd.DataFrame({
        "evidence_id": evidence_id, "sha256": sha, "parser": cols["parser"],
        "parser_version": "1", "data_type": cols["data_type"],
        "description": cols["description"], "location": ("row " + i).to_numpy(dtype=object),
        "utc": iso(earliest).where(~interval, None), "earliest": iso(earliest),
        "latest": iso(latest), "original": wall, "time_source": source,
        "precision": cols["precision"], "zone": cols["zone"], "zone_name": cols["zone_name"],
        "actor": actor, "text": text, "url": url,
    })
    events = events.astype({c: "str" for c in events.columns})
    return events.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def best_of(repeat: int, fn) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), times, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    events = make_events(a.events)
    made = time.perf_counter() - t
    whole = pd.Series(events["earliest"].str.slice(0, 19) + "+00:00")
    load = os.getloadavg()[0]

    t_ref, _, _ = best_of(a.repeat, lambda: pd.to_datetime(events["earliest"], format="ISO8601",
                                                            utc=True))
    t_ref2, _, _ = best_of(a.repeat, lambda: pd.to_datetime(whole, format="%Y-%m-%dT%H:%M:%S%z",
                                                             utc=True))
    t_build, runs, df = best_of(a.repeat, lambda: build_timeline(events=events))
    pq_path, csv_path = OUT / "timeline.parquet", OUT / "timeline.csv"
    t_pq, _, _ = best_of(a.repeat, lambda: to_parquet(df, pq_path))
    t_csv, _, _ = best_of(a.repeat, lambda: to_csv(df, csv_path))

    print(f"events: {a.events:,} synthetic (made in {made:.1f} s, not timed); "
          f"{os.cpu_count()} CPUs, load average {load:.2f}; best of {a.repeat}")
    print(f"reference: to_datetime, format ISO8601       {t_ref:7.3f} s")
    print(f"reference: to_datetime, %Y-%m-%dT%H:%M:%S%z   {t_ref2:7.3f} s")
    print(f"build + sort (build_timeline)                {t_build:7.3f} s  "
          f"(runs: {', '.join(f'{r:.3f}' for r in runs)}; "
          f"{t_build / t_ref:.1f}x the ISO8601 reference)")
    print(f"Parquet write                                {t_pq:7.3f} s  "
          f"({pq_path.stat().st_size / 1e6:.1f} MB)")
    print(f"CSV write                                    {t_csv:7.3f} s  "
          f"({csv_path.stat().st_size / 1e6:.1f} MB)")
    print(f"rows: {len(df):,}, lanes: {df['lane'].nunique()}, intervals: "
          f"{int(df['utc'].isna().sum()):,}")
    ok = t_build < TARGET_SECONDS
    print(f"target: build + sort under {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
