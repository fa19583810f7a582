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
            pass


def timed(fn: Callable[[], str]) -> tuple[float, str]:
    """Run ``fn`` once; return its wall time and output."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


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

        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        print(
            f"\nfile: {size / 2**20:.0f} MiB, best of {args.runs}, warm cache, "
            f"SM3 backend: {digests.SM3_BACKEND}, {os.cpu_count()} CPUs, load {load:.2f}"
        )
        if load > 0.5:
            print("warning: the machine is busy; hash_file needs two idle CPUs for its target")
        print()
        # Rounds of every case in turn (rather than all runs of one case, then the next), so
        # that a passing burst of load on the machine hits every case alike.
        results: dict[str, float] = {}
        outputs: dict[str, str] = {}
        failed: set[str] = set()
        for _ in range(args.runs):
            for name, fn in cases:
                if name in failed:
                    continue
                try:
                    seconds, outputs[name] = timed(fn)
                except (RuntimeError, OSError) as exc:
                    print(f"{name}: failed: {exc}")
                    failed.add(name)
                    results.pop(name, None)
                    continue
                results[name] = min(seconds, results.get(name, seconds))

    reference = results.get("openssl dgst -sm3")
    print(f"{'tool':<32} {'seconds':>8} {'MB/s':>8} {'x openssl sm3':>14}")
    for name, seconds in results.items():
        ratio = f"{seconds / reference:.3f}" if reference else "-"
        print(f"{name:<32} {seconds:>8.3f} {size / 1e6 / seconds:>8.1f} {ratio:>14}")

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
    ratio = results["ours: hash_file (3 digests)"] / reference
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"\ntarget: 3 digests <= {TARGET_RATIO}x openssl dgst -sm3: {ratio:.3f}x, {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
