"""Mutation fuzzer for every parser: bit flips, truncation, inserted and deleted bytes, splices.

Seeds are the shared corpus files each parser reads (../shared/corpus, recognised by content)
plus the small hand-written samples in ``fuzz/seeds/`` for formats the corpus lacks.  Each case
calls the parser directly, *without* the registry's last-resort net, then serialises what it
returned as a case would (JSON in UTF-8, table rows): anything other than ``WrongFormat``
escaping is counted as an uncaught exception, and a case that runs
longer than ``--timeout`` seconds as a hang.  Failing inputs are saved under
``fuzz/out/<parser>/`` for a regression test.

Usage::

    python fuzz/fuzz_parsers.py                 # 10,000 cases per parser, 2 processes
    python fuzz/fuzz_parsers.py --cases 500 --parser ImageParser --seed 7

Exit status 0 when no parser raised or hung, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing
import os
import random
import resource
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forensics.errors import WrongFormat  # noqa: E402
from forensics.parsers import Builder, ParseContext, default_registry  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
SEEDS = ROOT / "fuzz" / "seeds"
OUT = ROOT / "fuzz" / "out"
#: Line-oriented text seeds (CSV, chat exports) are cut to their first lines up to this size.
TEXT_SEED_BYTES = 32 * 1024
INTERESTING = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x0A, 0x0D, 0x3A, 0x2F, 0x22, 0x3C]


class Hang(Exception):
    """A case ran longer than --timeout."""


def _alarm(signum, frame):  # pragma: no cover - signal handler
    raise Hang()


def _key(parser) -> str:
    """Parsers are told apart by class: one format family may share a parser name."""
    return type(parser).__name__


def seeds_by_parser() -> dict[str, list[tuple[str, bytes]]]:
    reg = default_registry()
    out: dict[str, list[tuple[str, bytes]]] = {_key(p): [] for p in reg.parsers()}
    files = []
    for folder in (CORPUS, SEEDS):
        if folder.is_dir():
            files += [p for p in sorted(folder.rglob("*")) if p.is_file()]
    for f in files:
        data = f.read_bytes()
        mt = reg.detect(data[:65536])
        parser = reg.get(mt)
        if parser is None or len(data) > 4 << 20:
            continue
        if len(data) > TEXT_SEED_BYTES and mt.startswith("text/"):
            # a 34,000-row CSV makes every case slow; its first rows exercise the same code
            cut = data.rfind(b"\n", 0, TEXT_SEED_BYTES)
            data = data[: cut + 1 if cut > 0 else TEXT_SEED_BYTES]
        out[_key(parser)].append((str(f.relative_to(f.parents[1])), data))
    return out


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> tuple[bytes, str]:
    b = bytearray(data)
    kind = rng.choice(["flip", "flip", "byte", "truncate", "insert", "delete", "duplicate",
                       "splice", "multi"])
    if not b:
        return bytes(rng.randbytes(rng.randint(1, 64))), "random"
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif kind == "byte":
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.choice(INTERESTING)
    elif kind == "truncate":
        b = b[: rng.randrange(len(b))]
    elif kind == "insert":
        i = rng.randrange(len(b) + 1)
        ins = rng.choice([rng.randbytes(rng.randint(1, 32)), b"\xff" * rng.randint(1, 9),
                          b"\x00\x00\x00\x00", b"\r\n", b"//@x:", b"<", b"\n\n"])
        b[i:i] = ins
    elif kind == "delete":
        i = rng.randrange(len(b))
        del b[i: i + rng.randint(1, 64)]
    elif kind == "duplicate":
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randint(1, 256))
        b[j:j] = b[i:j] * rng.randint(1, 8)
    elif kind == "splice" and others:
        o = rng.choice(others)
        if o:
            i = rng.randrange(len(b))
            k = rng.randrange(len(o))
            b = b[:i] + o[k:k + rng.randint(1, 4096)]
    else:
        for _ in range(rng.randint(2, 5)):
            b = bytearray(mutate(bytes(b), rng, others)[0]) or b
        kind = "multi"
    return bytes(b), kind


def run_parser(args: tuple[str, int, int, float]) -> dict:
    name, cases, seed, timeout = args
    reg = default_registry()
    parser = next(p for p in reg.parsers() if _key(p) == name)
    seeds = seeds_by_parser()[name]
    if not seeds:
        return {"parser": name, "cases": 0, "note": "no seeds"}
    rng = random.Random(f"{seed}:{name}")
    stats: Counter[str] = Counter()
    failures: list[str] = []
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    pool = [d for _, d in seeds]
    for n in range(cases):
        label, base = seeds[n % len(seeds)]
        data, kind = mutate(base, rng, pool)
        ctx = ParseContext(evidence_id="E0001", sha256=hashlib.sha256(data).hexdigest(),
                           name=Path(label).name, size=len(data))
        out = Builder(parser, ctx)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            parser.parse(io.BytesIO(data), ctx, out)
            art = out.build(parser.media_types[0])
            # what a case keeps must be writable: JSON in UTF-8 and the tables' rows
            json.dumps([art.to_json(), [r.to_row() for r in art.records],
                        [e.to_row() for e in art.events]], ensure_ascii=False).encode("utf-8")
            stats["parsed"] += 1
            stats["warnings"] += len(art.warnings)
        except WrongFormat:
            stats["wrong_format"] += 1
        except Hang:
            stats["hangs"] += 1
            failures.append(_save(name, data, f"hang > {timeout}s ({kind} of {label})"))
        except Exception as exc:  # counting them is the point
            stats["uncaught"] += 1
            tb = traceback.format_exception(exc)[-3:]
            failures.append(_save(name, data, f"{type(exc).__name__}: {exc} ({kind} of {label})\n"
                                              + "".join(tb)))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return {"parser": name, "cases": cases, "seeds": len(seeds),
            "seconds": round(time.perf_counter() - started, 1),
            "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            **stats, "failures": failures[:20]}


def _save(name: str, data: bytes, what: str) -> str:
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:16]
    (folder / f"{digest}.bin").write_bytes(data)
    (folder / f"{digest}.txt").write_text(what)
    return f"{folder / digest}.bin: {what.splitlines()[0]}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases per parser")
    ap.add_argument("--parser", action="append",
                    help="only this parser class, e.g. ImageParser (repeatable)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    names = [_key(p) for p in default_registry().parsers()]
    if a.parser:
        names = [n for n in names if n in a.parser]
    if not CORPUS.is_dir():
        print(f"note: corpus not found at {CORPUS}; fuzzing the fuzz/seeds samples only")
    jobs = [(n, a.cases, a.seed, a.timeout) for n in names]
    results = []
    with multiprocessing.get_context("fork").Pool(a.jobs, maxtasksperchild=1) as pool:
        for r in pool.imap_unordered(run_parser, jobs, chunksize=1):
            results.append(r)
            print(f"[{len(results)}/{len(jobs)}] {r['parser']}: {r['cases']} cases, "
                  f"{r.get('uncaught', 0)} uncaught, {r.get('hangs', 0)} hangs, "
                  f"{r.get('seconds', 0)} s", file=sys.stderr, flush=True)
    results.sort(key=lambda r: r["parser"])
    bad = 0
    print(f"{'parser':<22}{'seeds':>6}{'cases':>8}{'parsed':>8}{'refused':>8}{'warnings':>10}"
          f"{'uncaught':>9}{'hangs':>6}{'sec':>7}{'RSS MiB':>8}")
    for r in results:
        print(f"{r['parser']:<22}{r.get('seeds', 0):>6}{r['cases']:>8}{r.get('parsed', 0):>8}"
              f"{r.get('wrong_format', 0):>8}{r.get('warnings', 0):>10}{r.get('uncaught', 0):>9}"
              f"{r.get('hangs', 0):>6}{r.get('seconds', 0):>7}{r.get('max_rss_mib', 0):>8}"
              + (f"  {r['note']}" if r.get("note") else ""))
        for f in r.get("failures", []):
            print("   ", f)
        bad += r.get("uncaught", 0) + r.get("hangs", 0)
    total = sum(r["cases"] for r in results)
    print(f"{total} cases, {bad} uncaught exceptions or hangs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
