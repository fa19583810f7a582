"""Time ``forensics.custody.check_chain`` on a million-entry custody log.

Usage::

    python benchmarks/bench_verify.py [--entries 1000000] [--runs 3] [--rebuild]

Builds a custody log of ``--entries`` acquire entries shaped like the ones ``forensics add``
writes (one evidence reference with SHA-256, SM3 and MD5, the source path, size and times, a few
intake facts, where the copy is stored), through ``CustodyLog.append`` in batches of 10,000
drafts, and keeps it in ``benchmarks/out/`` so that later runs reuse it (``--rebuild`` makes it
again).  It then reads the file once so that the page cache is warm and times, best of
``--runs`` each:

* ``check_chain(path)``, the verifier (reading the file included);
* ``sha256sum FILE`` and ``hashlib.sha256`` over the whole file: what hashing the bytes costs;
* reading the file alone (``Path.read_bytes``);
* a plain loop doing ``json.loads`` on every line: what a naive verifier pays before it has
  hashed anything.

Target (issue): ``check_chain`` at least 700,000 entries a second.  This is a measurement, not a
test: the exit status is 0 whenever the figures could be taken (the target met or not), 2 when
they could not (or ``check_chain`` found problems in the log, which it must not).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forensics.case import format_evidence_id  # noqa: E402
from forensics.custody import (  # noqa: E402
    Action,
    CustodyLog,
    EntryDraft,
    EvidenceRef,
    check_chain,
)

TARGET_PER_SECOND = 700_000
BATCH = 10_000
OUT = ROOT / "benchmarks" / "out"
CHECK = "check_chain"
CHUNK = 8 << 20


def draft(n: int) -> EntryDraft:
    """The ``n``-th acquire entry: the shape ``forensics.ingest._commit`` gives one."""
    seed = n.to_bytes(8, "big")
    sha256 = hashlib.sha256(seed).hexdigest()
    size = 10_240 + (n * 7919) % 2_000_000
    mtime_s = 1_795_156_500 + n * 3
    ns = n * 1_000_003 % 1_000_000_000
    folder = ("weibo", "wechat", "douyin", "email")[n % 4]
    details = {
        "source": {
            "path": f"/home/examiner/captures/{folder}/2026-11-{1 + n % 28:02d}/{n:07d}.png",
            "relative": f"2026-11-{1 + n % 28:02d}/{n:07d}.png",
            "size": size,
            "mtime": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(mtime_s)) + f".{ns // 1000:06d}Z",
            "mtime_ns": str(mtime_s * 1_000_000_000 + ns),
        },
        "intake": {
            "category": "post",
            "platform": "微博",
            "url": f"https://weibo.com/1234567890/N{n:07d}",
            "captured_by": "当事人",
            "carrier": "none",
        },
        "stored_as": f"store/sha256/{sha256[:2]}/{sha256}",
        "store_copy": "new",
    }
    ref = EvidenceRef(
        format_evidence_id(n), size, sha256,
        hashlib.sha256(b"sm3" + seed).hexdigest(),  # stands in for the SM3 digest
        hashlib.md5(seed, usedforsecurity=False).hexdigest(),
    )
    return EntryDraft(Action.ACQUIRE, (ref,), details)


def build(path: Path, entries: int) -> None:
    """Write a log of ``entries`` acquire entries to ``path`` (via a temporary name)."""
    tmp = path.with_name(path.name + ".part")
    for leftover in (tmp, Path(str(tmp) + ".lock")):
        leftover.unlink(missing_ok=True)
    log = CustodyLog(tmp, actor="王鉴定")
    log.host = "examiner-laptop"
    start = time.perf_counter()
    for first in range(1, entries + 1, BATCH):
        log.append([draft(n) for n in range(first, min(first + BATCH, entries + 1))])
        done = min(first + BATCH - 1, entries)
        print(f"\r  {done:>9,} entries, {time.perf_counter() - start:6.1f} s", end="", flush=True)
    print()
    os.replace(tmp, path)
    Path(str(tmp) + ".lock").unlink(missing_ok=True)


def cached_log(entries: int, rebuild: bool) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"custody-{entries}.jsonl"
    if path.exists() and not rebuild:
        head = CustodyLog(path).head()
        if head is not None and head.seq == entries:
            print(f"reusing {path}")
            return path
    print(f"building {path} ({entries:,} entries in batches of {BATCH:,}) ...", flush=True)
    build(path, entries)
    return path


def best_of(runs: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="log length (1000000)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (3)")
    parser.add_argument("--rebuild", action="store_true", help="build the log again")
    args = parser.parse_args(argv)
    if args.entries < 1 or args.runs < 1:
        parser.error("--entries and --runs must be positive")

    path = cached_log(args.entries, args.rebuild)
    size = path.stat().st_size
    with path.open("rb") as f:  # warm the page cache for every contender
        while f.read(CHUNK):
            continue  # reading is the point: it fills the page cache

    def sha256sum() -> str:
        return subprocess.run(["sha256sum", str(path)], capture_output=True, text=True,
                              check=True).stdout.split()[0]

    def hashlib_whole() -> str:
        h = hashlib.sha256()
        with path.open("rb") as f:
            while block := f.read(CHUNK):
                h.update(block)
        return h.hexdigest()

    def read_only() -> int:
        return len(path.read_bytes())

    def json_loop() -> int:
        n = 0
        with path.open("rb") as f:
            for line in f:
                json.loads(line)
                n += 1
        return n

    def replay() -> int:
        # What `forensics verify` adds to the chain walk: every entry parsed and checked.
        return sum(1 for _ in CustodyLog(path).iter_entries(0, strict=False))

    contenders: list[tuple[str, Callable[[], object]]] = [
        (CHECK, lambda: check_chain(path)),
        ("replay: parse every entry", replay),
        ("sha256sum FILE", sha256sum),
        ("hashlib.sha256 (whole file)", hashlib_whole),
        ("read_bytes only", read_only),
        ("json.loads every line", json_loop),
    ]
    print(f"\n{args.entries:,} entries, {size / 1e6:.1f} MB ({size / args.entries:.0f} bytes a "
          f"line), best of {args.runs}, warm page cache, {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}\n")
    results: dict[str, float] = {}
    outputs: dict[str, object] = {}
    for name, fn in contenders:
        try:
            results[name], outputs[name] = best_of(args.runs, fn)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"  {name}: failed: {exc}")
        else:
            print(f"  {name}: {results[name]:.3f} s", flush=True)

    ours = results.get(CHECK)
    print(f"\n{'contender':<30} {'seconds':>8} {'entries/s':>11} {'MB/s':>8} {'x check_chain':>14}")
    for name, seconds in results.items():
        ratio = f"{seconds / ours:.2f}" if ours else "-"
        print(f"{name:<30} {seconds:>8.3f} {args.entries / seconds:>11,.0f} "
              f"{size / 1e6 / seconds:>8.1f} {ratio:>14}")

    if sha := outputs.get("sha256sum FILE"):
        agree = sha == outputs.get("hashlib.sha256 (whole file)")
        print(f"\nsha256sum and hashlib agree: {agree}")
    if ours is None:
        print("check_chain not measured")
        return 2
    result = outputs[CHECK]
    if result.problems or result.entries != args.entries:  # type: ignore[attr-defined]
        print(f"check_chain found problems in a log built to be perfect: {result}")
        return 2
    rate = args.entries / ours
    verdict = "met" if rate >= TARGET_PER_SECOND else "missed"
    print(f"check_chain: passed, {result.entries:,} entries, head {result.head}")  # type: ignore[attr-defined]
    print(f"target: >= {TARGET_PER_SECOND:,} entries/s: {rate:,.0f} entries/s, {verdict}")
    for name in ("sha256sum FILE", "hashlib.sha256 (whole file)", "json.loads every line"):
        if name in results:
            print(f"  check_chain / {name}: {ours / results[name]:.2f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
