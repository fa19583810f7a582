"""Time ``forensics.digests.hash_file`` against the reference command-line tools.

Usage::

    python benchmarks/bench_digests.py [--size-mib 1024] [--keep] [--runs 3]

Creates a file of random data (in a temporary folder, or in ``benchmarks/out/`` with ``--keep``,
where it is kept and reused) and reads it once so the page cache is warm.  Then, in ``--runs``
rounds, times one after another: ``sha256sum``, ``md5sum``, ``openssl dgst -sm3``, our
``hash_file`` in-process (all three digests in one pass), the same with the worker threads
disabled (for reference), and ``python -m forensics.cli hash FILE`` when ``forensics/cli.py``
exists; each line reports its best round.

Target: all three digests in at most 1.15 times the wall time of ``openssl dgst -sm3`` alone.
The exit status is 0 when the target is met, 1 when it is missed, 2 when it could not be
measured.  The digests of every tool are cross-checked against ours.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forensics import digests  # noqa: E402

TARGET_RATIO = 1.15
CHUNK = 8 << 20


def make_file(path: Path, size: int) -> None:
    """Write ``size`` random bytes to ``path`` (kept if it already has that size)."""
    if path.exists() and path.stat().st_size == size:
        print(f"reusing {path} ({size / 2**20:.0f} MiB)")
        return
    print(f"writing {size / 2**20:.0f} MiB of random data to {path} ...", flush=True)
    with path.open("wb") as f:
        left = size
        while left:
            n = min(CHUNK, left)
            f.write(os.urandom(n))
            left -= n


def warm(path: Path) -> None:
    """Read the file once so every timing below sees a warm page cache."""
    with path.open("rb") as f:
        while f.read(CHUNK):
            continue  # reading is the point: it fills the page cache


def busy_cpu_seconds() -> float | None:
    """CPU seconds spent by the whole machine (all CPUs, not idle), from /proc/stat (Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn: Callable[[], str]) -> tuple[float, str, float | None]:
    """Run ``fn`` once; return its wall time, its output and the CPUs other processes used.

    The last value (CPU seconds the rest of the machine spent meanwhile, per wall second) shows
    whether a run was slowed by other work on a shared machine.
    """
    busy, own = busy_cpu_seconds(), own_cpu_seconds()
    start = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - start
    busy_after = busy_cpu_seconds()
    others = None
    if busy is not None and busy_after is not None:
        others = max(0.0, (busy_after - busy) - (own_cpu_seconds() - own)) / wall
    return wall, out, others


def command(argv: list[str], **kwargs: object) -> Callable[[], str]:
    def run() -> str:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    return run


def in_process(path: Path, threshold: int | None = None) -> Callable[[], str]:
    def run() -> str:
        saved = digests._THREAD_THRESHOLD
        if threshold is not None:
            digests._THREAD_THRESHOLD = threshold
        try:
            ds = digests.hash_file(path)
        finally:
            digests._THREAD_THRESHOLD = saved
        return f"{ds.sha256} {ds.sm3} {ds.md5}"

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="file size (default 1024)")
    parser.add_argument("--keep", action="store_true", help="keep the file in benchmarks/out/")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args(argv)
    size = args.size_mib << 20

    with ExitStack() as stack:
        if args.keep:
            folder = ROOT / "benchmarks" / "out"
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-dg-")))
        path = folder / f"random-{args.size_mib}MiB.bin"
        make_file(path, size)
        warm(path)

        cases: list[tuple[str, Callable[[], str]]] = []
        if shutil.which("sha256sum"):
            cases.append(("sha256sum", command(["sha256sum", str(path)])))
        if shutil.which("md5sum"):
            cases.append(("md5sum", command(["md5sum", str(path)])))
        if shutil.which("openssl"):
            cases.append(("openssl dgst -sm3", command(["openssl", "dgst", "-sm3", str(path)])))
        cases.append(("ours: hash_file (3 digests)", in_process(path)))
        cases.append(("ours: hash_file, no threads", in_process(path, threshold=1 << 62)))
        if (ROOT / "forensics" / "cli.py").exists():
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            cli = [sys.executable, "-m", "forensics.cli", "hash", str(path)]
            cases.append(("ours: forensics.cli hash", command(cli, cwd=ROOT, env=env)))
        else:
            print("forensics/cli.py not found: skipping the CLI line")

        print(
            f"\nfile: {size / 2**20:.0f} MiB, best of {args.runs} rounds, warm cache, "
            f"SM3 backend: {digests.SM3_BACKEND}, {os.cpu_count()} CPUs\n"
        )
        # Rounds of every case in turn (rather than all runs of one case, then the next), so
        # that a passing burst of load on the machine hits every case alike.
        results: dict[str, tuple[float, float | None]] = {}
        outputs: dict[str, str] = {}
        failed: set[str] = set()
        for _ in range(args.runs):
            for name, fn in cases:
                if name in failed:
                    continue
                try:
                    seconds, outputs[name], others = timed(fn)
                except (RuntimeError, OSError) as exc:
                    print(f"{name}: failed: {exc}")
                    failed.add(name)
                    results.pop(name, None)
                    continue
                if name not in results or seconds < results[name][0]:
                    results[name] = (seconds, others)

    reference = results.get("openssl dgst -sm3", (0.0, None))[0]
    print(f"{'tool':<30} {'seconds':>8} {'MB/s':>7} {'x openssl sm3':>14} {'other CPU':>10}")
    for name, (seconds, others) in results.items():
        ratio = f"{seconds / reference:.3f}" if reference else "-"
        busy = f"{others:.2f}" if others is not None else "-"
        print(f"{name:<30} {seconds:>8.3f} {size / 1e6 / seconds:>7.1f} {ratio:>14} {busy:>10}")
    print("(other CPU: CPUs kept busy by other processes during the best run; ideally 0)")
    if any(o is not None and o > 0.1 for _, o in results.values()):
        print("warning: other processes were busy; hash_file needs two free CPUs for its target")

    ours = outputs.get("ours: hash_file (3 digests)", "").split()
    checks = {"sha256sum": 0, "openssl dgst -sm3": 1, "md5sum": 2}
    for name, index in checks.items():
        if name in outputs and ours:
            agree = ours[index] in outputs[name]
            print(f"{name}: digest {'agrees' if agree else 'DIFFERS'}")
            if not agree:
                return 2

    if not reference or "ours: hash_file (3 digests)" not in results:
        print("\ntarget not measured (openssl or hash_file missing)")
        return 2
    ratio = results["ours: hash_file (3 digests)"][0] / reference
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"\ntarget: 3 digests <= {TARGET_RATIO}x openssl dgst -sm3: {ratio:.3f}x, {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
