"""`forensics inspect --json` over 2,000 JPEGs against `exiftool -json -fast` on the same folder.

Whole processes, timed from start to exit, best of three runs each, in one run of this script.
The folder is made of the corpus JPEGs (../shared/corpus/images) copied round-robin to 2,000
files (made once under benchmarks/out/, git-ignored).  Values are compared too: for every file
and every tag of the issue's list that ExifTool reports, ours must be equal.

Also printed: exifread alone over the same files (the floor a Python reader can reach) and the
import time of the command.  Target: at least 10 times faster than ExifTool with equal values.

    python benchmarks/bench_inspect.py [--files 2000]

Needs ExifTool (`apt-get install libimage-exiftool-perl`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "images"
OUT = ROOT / "benchmarks" / "out" / "jpegs"
TAGS = ("EXIF:DateTimeOriginal", "EXIF:CreateDate", "EXIF:ModifyDate", "EXIF:OffsetTimeOriginal",
        "EXIF:SubSecTimeOriginal", "EXIF:Make", "EXIF:Model", "EXIF:Software",
        "EXIF:Orientation", "Composite:GPSLatitude", "Composite:GPSLongitude",
        "XMP:DateTimeOriginal", "File:ImageWidth", "File:ImageHeight", "File:FileType",
        "File:MIMEType")


def make_folder(n: int) -> Path:
    sources = sorted(p for p in CORPUS.glob("*.jpg"))
    if not sources:
        sys.exit(f"no JPEGs under {CORPUS}: the benchmark needs the shared corpus")
    if OUT.is_dir() and len(list(OUT.iterdir())) == n:
        return OUT
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    for i in range(n):
        src = sources[i % len(sources)]
        shutil.copyfile(src, OUT / f"{i:05d}_{src.name}")
    return OUT


def timed(cmd: list[str], runs: int = 3) -> tuple[float, bytes]:
    best, out = float("inf"), b""
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, check=False)
        best = min(best, time.perf_counter() - t)
        out = p.stdout
        if p.returncode not in (0, 1):
            sys.exit(f"{cmd[0]} failed ({p.returncode}): {p.stderr.decode()[:500]}")
    return best, out


def same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    return str(a) == str(b)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=2000)
    a = ap.parse_args()
    if not shutil.which("exiftool"):
        sys.exit("ExifTool not found: apt-get install libimage-exiftool-perl")
    folder = make_folder(a.files)
    forensics = [str(Path(sys.executable).with_name("forensics"))]
    if not Path(forensics[0]).exists():
        forensics = [sys.executable, "-m", "forensics.cli"]
    load = os.getloadavg()[0]
    t_ours, ours_raw = timed([*forensics, "inspect", "--json", str(folder)])
    t_exif, exif_raw = timed(["exiftool", "-json", "-fast", "-G", "-n", str(folder)])
    code = ("import exifread, pathlib, sys\n"
            "for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):\n"
            "    with open(p, 'rb') as f: exifread.process_file(f, details=False)\n")
    t_exifread, _ = timed([sys.executable, "-c", code, str(folder)])
    t_import, _ = timed([sys.executable, "-c", "import forensics.cli"])
    ours = {Path(o["path"]).name: o["metadata"] for o in json.loads(ours_raw)}
    theirs = {Path(o["SourceFile"]).name: o for o in json.loads(exif_raw)}
    compared = equal = 0
    mismatches: list[str] = []
    for name, ref in theirs.items():
        mine = ours.get(name, {})
        for tag in TAGS:
            if tag in ref and ref[tag] != "":
                compared += 1
                if tag in mine and same(mine[tag], ref[tag]):
                    equal += 1
                elif len(mismatches) < 10:
                    mismatches.append(f"{name} {tag}: ours {mine.get(tag)!r} exiftool {ref[tag]!r}")
    print(f"files: {a.files} JPEGs (corpus images, round-robin); load average {load:.2f}")
    print(f"forensics inspect --json     {t_ours:7.3f} s")
    print(f"exiftool -json -fast -G -n   {t_exif:7.3f} s")
    print(f"exifread alone (reference)   {t_exifread:7.3f} s")
    print(f"import forensics.cli         {t_import:7.3f} s")
    print(f"speed-up over ExifTool: {t_exif / t_ours:.1f}x (target >= 10x)")
    print(f"values compared: {compared}, equal: {equal}")
    for m in mismatches:
        print("  mismatch:", m)
    return 0 if equal == compared else 1


if __name__ == "__main__":
    sys.exit(main())
