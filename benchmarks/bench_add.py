"""Time ``forensics add`` on many small files against ``cp -r`` plus ``sha256sum``.

Usage::

    python benchmarks/bench_add.py [--files 10000] [--size-kb 10] [--runs 3] [--dir DIR]

Creates ``--files`` files of ``--size-kb`` KiB of random data in a temporary tree (1,000 files a
folder), reads the tree once so that every contender starts from a warm page cache (the cache
cannot be dropped here), then times, one after another, best of ``--runs`` each, with a fresh
destination or case every run:

* ``cp -r SRC DST``, ``find SRC -type f -exec sha256sum {} +`` and the two together (the
  reference of the issue: ``cp -r SRC DST && find DST -type f -exec sha256sum {} +``);
* the reference followed by ``sync -f DST`` (one ``syncfs``): the same durability we give, shown
  for information only;
* ``python -m forensics.cli add CASE SRC --no-progress`` in a subprocess, interpreter start-up
  and imports included (their cost, ``python -m forensics.cli --version``, is shown apart);
* ``case.add([SRC], progress=False)`` in this process.

Target (issue): ``forensics add`` in at most 3 times the wall time of the reference, durability
kept (entries may be committed as a group, made durable before the command reports success).
Ours computes SHA-256, SM3 and MD5 of every file, copies it, ``syncfs``-es each batch and appends
and ``fsync``-s one custody entry per file; ``cp`` syncs nothing and ``sha256sum`` computes one
digest.  Before every timed run the whole system is ``sync``-ed (not timed) so that no contender
pays for another's write-back.  Nothing is deleted until the end: on ext4 without a journal the
inode allocator skips inodes freed in the last minutes (``recently_deleted``), which made a
``cp -r`` into a just-emptied file system up to 20 times slower in our runs; for the same reason,
leave a few minutes between two runs of this script (each ends by deleting its tree).

This is a measurement, not a test: the exit status is 0 whenever the figures could be taken (the
target met or not), 2 when they could not.  The SHA-256 digests our store holds are cross-checked
against ``sha256sum``'s.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forensics.case import Case  # noqa: E402
from forensics.ingest import BATCH_BYTES, BATCH_FILES  # noqa: E402

TARGET_RATIO = 3.0
FILES_PER_FOLDER = 1000
REFERENCE = "cp -r + sha256sum"
START = "python -m forensics.cli --version"
OURS_CLI = "ours: forensics.cli add (subprocess)"
OURS_LIB = "ours: case.add (in-process)"


def make_tree(src: Path, files: int, size: int) -> None:
    """Write ``files`` files of ``size`` random bytes below ``src``, 1,000 to a folder."""
    print(f"writing {files} files of {size} bytes to {src} ...", flush=True)
    for n in range(files):
        folder = src / f"d{n // FILES_PER_FOLDER:03d}"
        if n % FILES_PER_FOLDER == 0:
            folder.mkdir(parents=True)
        (folder / f"capture-{n:06d}.bin").write_bytes(os.urandom(size))


def warm(src: Path) -> int:
    """Read every file below ``src`` once (warm page cache for all contenders); return bytes."""
    total = 0
    for dirpath, _, filenames in os.walk(src):
        for name in filenames:
            total += len(Path(dirpath, name).read_bytes())
    return total


def shell(template: str) -> Callable[[Path], str]:
    """A contender that runs ``sh -c template`` with ``{dst}`` set to the run's target."""

    def run(target: Path) -> str:
        script = template.format(dst=shlex.quote(str(target)))
        done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{script} exited {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    return run


def best_of(
    runs: int, fn: Callable[[Path], str], prepare: Callable[[Path], None], base: Path
) -> tuple[float, list[float], str]:
    """Time ``fn(target)`` ``runs`` times, each with a new ``target`` below ``base``.

    ``prepare(target)`` runs before each timed call, untimed, followed by a ``sync``.  Returns
    the best wall time, every wall time and the last output.
    """
    times: list[float] = []
    out = ""
    for run in range(runs):
        target = base / f"run{run}"
        prepare(target)
        os.sync()
        start = time.perf_counter()
        out = fn(target)
        times.append(time.perf_counter() - start)
    return min(times), times, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="number of files (10000)")
    parser.add_argument("--size-kb", type=int, default=10, help="KiB per file (10)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs (3)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where to make the temporary tree (default: the system temp folder)")
    args = parser.parse_args(argv)
    if args.files < 1 or args.size_kb < 0 or args.runs < 1:
        parser.error("--files and --runs must be positive, --size-kb not negative")
    size = args.size_kb << 10

    with tempfile.TemporaryDirectory(prefix="bench-add-", dir=args.dir) as tmp:
        base = Path(tmp)
        src = base / "src"
        make_tree(src, args.files, size)
        total = warm(src)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "FORENSICS_ACTOR": "bench"}
        cli = [sys.executable, "-m", "forensics.cli"]
        q_src = shlex.quote(str(src))

        def nothing(target: Path) -> None:
            """No reset needed: each run writes to a fresh folder."""

        def new_case(target: Path) -> None:
            Case.init(target, actor="bench")

        def cli_add(target: Path) -> str:
            done = subprocess.run([*cli, "add", str(target), str(src), "--no-progress"],
                                  capture_output=True, text=True, cwd=ROOT, env=env, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"forensics add exited {done.returncode}: {done.stderr}")
            return done.stdout

        def cli_start(target: Path) -> str:
            return subprocess.run([*cli, "--version"], capture_output=True, text=True,
                                  cwd=ROOT, env=env, check=True).stdout

        def in_process(target: Path) -> str:
            report = Case.open(target, actor="bench").add([src], progress=False)
            return "\n".join(a.sha256 for a in report.added)

        contenders: list[tuple[str, Callable[[Path], str], Callable[[Path], None]]] = [
            ("cp -r", shell(f"cp -r {q_src} {{dst}}"), nothing),
            ("sha256sum (find -exec +)",
             shell(f"find {q_src} -type f -exec sha256sum {{{{}}}} +"), nothing),
            (REFERENCE,
             shell(f"cp -r {q_src} {{dst}} && find {{dst}} -type f -exec sha256sum {{{{}}}} +"),
             nothing),
            ("cp -r + sha256sum + sync -f",
             shell(f"cp -r {q_src} {{dst}} && find {{dst}} -type f -exec sha256sum {{{{}}}} + "
                   "&& sync -f {dst}"), nothing),
            (START, cli_start, nothing),
            (OURS_CLI, cli_add, new_case),
            (OURS_LIB, in_process, new_case),
        ]

        print(f"\n{args.files} files x {args.size_kb} KiB ({total / 1e6:.1f} MB) in {base}, "
              f"best of {args.runs}; warm page cache (the tree is read once before timing: the "
              f"cache cannot be dropped here); sync before each run; {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.2f}; BATCH_FILES={BATCH_FILES}, "
              f"BATCH_BYTES={BATCH_BYTES >> 20} MiB\n")
        results: dict[str, float] = {}
        outputs: dict[str, str] = {}
        for n, (name, fn, prepare) in enumerate(contenders):
            folder = base / f"c{n}"
            folder.mkdir()
            try:
                results[name], times, outputs[name] = best_of(args.runs, fn, prepare, folder)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                print(f"  {name}: failed: {exc}")
            else:
                print(f"  {name}: " + ", ".join(f"{t:.3f}" for t in times) + " s", flush=True)
            if name == OURS_LIB:
                last = folder / f"run{args.runs - 1}" / "store"
                stored = {p.name for p in last.rglob("*") if p.is_file()}

    reference = results.get(REFERENCE)
    print(f"\n{'contender':<38} {'seconds':>8} {'files/s':>9} {'MB/s':>7} {'x reference':>12}")
    for name, seconds in results.items():
        per_file = name != START
        rate = f"{args.files / seconds:>9.0f}" if per_file else f"{'-':>9}"
        mbs = f"{total / 1e6 / seconds:>7.1f}" if per_file else f"{'-':>7}"
        ratio = f"{seconds / reference:.2f}" if reference else "-"
        print(f"{name:<38} {seconds:>8.3f} {rate} {mbs} {ratio:>12}")

    sums = {line.split()[0] for line in outputs.get(REFERENCE, "").splitlines() if line}
    if sums and OURS_LIB in results:
        agree = sums == stored
        print(f"\nSHA-256 of the {len(stored)} stored items vs sha256sum: "
              f"{'agree' if agree else 'DIFFER'}")
        if not agree:
            return 2
    if not reference:
        print("reference not measured")
        return 2
    print(f"target: ours <= {TARGET_RATIO:.0f}x ({REFERENCE}), durability kept")
    for name in (OURS_CLI, OURS_LIB):
        if name in results:
            ratio = results[name] / reference
            verdict = "met" if ratio <= TARGET_RATIO else "missed"
            print(f"  {name}: {ratio:.2f}x, {verdict}")
    if START in results:
        print(f"  ({OURS_CLI} includes {results[START]:.3f} s of interpreter start-up and "
              "imports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
