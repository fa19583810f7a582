"""The ``forensics`` command.

Exit codes, for every command: 0 ok; 1 problems found (verification failed, a damaged log);
2 bad usage or bad input (missing path, not a case, bad intake sheet, full disk).  Reports go to
standard output (``--json`` for machines), messages and progress to standard error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from forensics import __version__
from forensics.attest import KINDS as ATTEST_KINDS
from forensics.errors import ForensicsError, InputError, IntakeSheetError
from forensics.intake import FACT_NAMES, IntakeFacts

__all__ = ["cli", "main"]

_FACT_HELP = {
    "category": "证据规定 art. 14 kind: post, message, record/log, file/media, other "
    "(or 帖子, 聊天记录, 日志, 文件, 其他).",
    "url": "Page address shown or captured.",
    "platform": "Platform (微博, 微信, 抖音, ...).",
    "publisher": "Publisher's display name.",
    "publisher_id": "Publisher's account id.",
    "displayed_time": "Publish time exactly as the platform displayed it (e.g. '昨天 14:02').",
    "captured_at": "Capture time, ISO 8601 with offset (2026-11-20T14:35:00+08:00).",
    "captured_by": "Who captured it (victim, notary office, ...).",
    "tool": "Capture tool and version.",
    "method": "How it was captured (screenshot, screen recording, notarized capture, ...).",
    "carrier": "Original carrier: device make, model, serial; or 'none' for a copy.",
    "purpose": "What the item is offered to prove (证明目的), as the expert words it.",
    "note": "Free note.",
}


class _Group(click.Group):
    """Turns our typed errors into a message and the documented exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ForensicsError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `forensics inspect ... | head`: the reader has gone
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except OSError as exc:  # a last net: the modules turn the expected ones into our errors
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}; check the path and permissions",
                       err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted; run `forensics verify CASE` to check the case", err=True)
            ctx.exit(130)
        return None  # pragma: no cover


def _emit_json(obj: object) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _open_case(path: str, actor: str | None = None):
    from forensics.case import Case

    return Case.open(Path(path), actor=actor)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="forensics")
def cli() -> None:
    """Evidence handling for online-defamation cases (网络诽谤电子证据).

    Bring captured files into a case folder without changing a byte, keep a hash-chained custody
    log, and prove later that nothing was altered.  Start with `forensics init CASE`.
    """


@cli.command(epilog="Example:\n\n  forensics init cases/2026-001 --title '张三诉李四名誉权纠纷' "
             "--case-number '(2026)京0491民初1号' --examiner 王鉴定")
@click.argument("case", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="", help="Case title.")
@click.option("--case-number", default="", help="Court case number (案号).")
@click.option("--examiner", default="", help="Examiner's name; also the default actor in the log.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True,
              help="Zone assumed where a time has none (IANA name).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def init(case: Path, title: str, case_number: str, examiner: str, timezone: str,
         as_json: bool) -> None:
    """Create a case folder: metadata, evidence store, custody log, derived and reports."""
    from forensics.case import Case

    c = Case.init(case, title=title, case_number=case_number, examiner=examiner,
                  timezone=timezone)
    head = c.head
    if as_json:
        _emit_json({"case": str(case), "head": {"seq": head.seq, "entry_sha256": head.entry_sha256}
                    if head else None})
    else:
        click.echo(f"created case {case}\nnext: forensics add {case} FILES... (or --sheet intake.csv)")


def _fact_options(f):
    for name in reversed(FACT_NAMES):
        f = click.option(f"--{name.replace('_', '-')}", name, default=None,
                         help=_FACT_HELP.get(name, ""))(f)
    return f


@cli.command(epilog="Examples:\n\n  forensics add CASE ~/captures/weibo/ --category post "
             "--platform 微博 --captured-by 当事人 --carrier 'Apple iPhone 13 F2LX...'\n\n"
             "  forensics add CASE --sheet intake.csv   (columns: file, category, url, ...)")
@click.argument("case", type=click.Path(path_type=Path))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--sheet", type=click.Path(path_type=Path), default=None,
              help="Intake sheet (CSV): a 'file' column plus fact columns named like the options.")
@_fact_options
@click.option("--actor", default=None, help="Who is acting (default: $FORENSICS_ACTOR or login).")
@click.option("--json", "as_json", is_flag=True, help="Print what was added as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
@click.option("--no-parse", is_flag=True,
              help="Only store and log; parse later (`forensics artifacts` parses on demand).")
def add(case: Path, paths: Sequence[Path], sheet: Path | None, actor: str | None,
        as_json: bool, progress: bool | None, no_parse: bool, **facts: str | None) -> None:
    """Copy files (folders recursively) into the read-only store and log each one.

    Originals are opened read-only and left byte-identical (mtime too).  The same content added
    again is stored once and logged again as "seen again".  Each new content gets a stable
    evidence number (E0001, ...).
    """
    try:
        base = IntakeFacts.from_mapping({k: v for k, v in facts.items() if v is not None})
    except (ValueError, TypeError) as exc:
        raise IntakeSheetError(None, str(exc)) from None
    c = _open_case(str(case), actor)
    report = c.add(list(paths), facts=base, sheet=sheet, progress=progress, parse=not no_parse)
    if as_json:
        _emit_json(report.to_json())
    else:
        lines = [f"{a.evidence_id}  {a.status:<10}  {a.sha256}  {a.source_path}"
                 for a in report.added]
        if lines:
            click.echo("\n".join(lines))
        for s in report.skipped:
            click.echo(f"skipped  {s.path}: {s.reason}", err=True)
        for s in report.failed:
            click.echo(f"FAILED   {s.path}: {s.reason}", err=True)
        click.echo(f"{len(report.new)} new, {len(report.seen_again)} seen again, "
                   f"{len(report.skipped)} skipped, {len(report.failed)} failed", err=True)
        if report.parsed is not None and report.parsed.parsed:
            pr = report.parsed
            for p in pr.parsed:
                kids = p.summary.get("extracted_items") or []
                if kids:
                    click.echo(f"{p.evidence_id}  contains {', '.join(kids)} (extracted: "  # type: ignore[arg-type]
                               f"{len(kids)} attachments)")
            click.echo(f"parsed {len(pr.parsed) - len(pr.unparsed)}, not parsed "
                       f"{len(pr.unparsed)}, {pr.warning_count} warnings, "
                       f"{len(pr.extracted)} attachments extracted; "
                       f"see `forensics artifacts {case}`", err=True)
    if report.failed:
        sys.exit(2)


@cli.command(epilog="Examples:\n\n  forensics facts CASE E0003 --purpose '证明涉案微博的转发范围'\n\n"
             "  forensics facts CASE E0001 E0002 --captured-at 2026-11-21T09:15:00+08:00\n\n"
             "  forensics facts CASE E0004 --clear note")
@click.argument("case", type=click.Path(path_type=Path))
@click.argument("evidence_ids", nargs=-1, required=True)
@_fact_options
@click.option("--clear", "clear", multiple=True, metavar="FACT",
              help="Clear this fact (repeatable), e.g. --clear note.")
@click.option("--actor", default=None, help="Who is acting (default: $FORENSICS_ACTOR or login).")
@click.option("--json", "as_json", is_flag=True,
              help="Print each item's facts after the change as JSON (evidence_id, facts).")
def facts(case: Path, evidence_ids: tuple[str, ...], clear: tuple[str, ...], actor: str | None,
          as_json: bool, **values: str | None) -> None:
    """Set or correct the intake facts of items already in the case (logged).

    Use it for what is decided after intake, such as the purpose an item is offered for
    (证明目的), which the evidence list shows.  The entry keeps the values replaced; the item
    itself is never touched.
    """
    changes: dict[str, str | None] = {k: v for k, v in values.items() if v is not None}
    for name in clear:
        key = name.strip().replace("-", "_").lower()
        if key not in FACT_NAMES:
            raise InputError(f"--clear {name}: not an intake fact; known: {', '.join(FACT_NAMES)}")
        if changes.get(key) is not None:
            raise InputError(f"--clear {name} and --{key.replace('_', '-')} together: say one")
        changes[key] = None
    c = _open_case(str(case), actor)
    entries = c.set_facts(evidence_ids, **changes)
    known = {it.evidence_id: it for it in c.items}
    changed = [e.evidence_ids[0] for e in entries]
    shown = list(dict.fromkeys([*evidence_ids, *changed]))  # attachments corrected with a mail
    out = [{"evidence_id": eid, "facts": known[eid].facts.to_json()} for eid in shown]
    if as_json:
        _emit_json(out)
    else:
        for o in out:
            shown = ", ".join(f"{k}={v}" for k, v in o["facts"].items()) or "(no facts)"
            click.echo(f"{o['evidence_id']}  {shown}")
        click.echo(f"{len(entries)} item(s) updated; the custody log keeps the values replaced"
                   if entries else "nothing changed: the items already have these facts", err=True)


@cli.command("hash", epilog="Example:\n\n  forensics hash screenshot.png recording.mp4 --json")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="A JSON array: path, size, sha256, sm3, md5.")
def hash_cmd(paths: Sequence[Path], as_json: bool) -> None:
    """Print SHA-256, SM3 and MD5 of files (one read each), without a case."""
    import os

    from forensics.digests import hash_file
    from forensics.durable import open_readonly
    from forensics.errors import SourceError

    out = []
    for p in paths:
        if p.is_dir():
            raise SourceError(p, "is a folder; name files (e.g. with a shell glob)")
        try:
            fd = open_readonly(p)
        except FileNotFoundError:
            raise SourceError(p, "no such file") from None
        except OSError as exc:
            raise SourceError(p, exc.strerror or str(exc)) from None
        with os.fdopen(fd, "rb") as fh:
            d = hash_file(fh)
        if as_json:
            out.append({"path": str(p), "size": d.size, "sha256": d.sha256, "sm3": d.sm3,
                        "md5": d.md5})
        else:
            click.echo(f"sha256:{d.sha256}  sm3:{d.sm3}  md5:{d.md5}  {d.size}  {p}")
    if as_json:
        _emit_json(out)


@cli.command(epilog="Examples:\n\n  forensics verify CASE\n\n  forensics verify CASE --json\n\n"
             "  forensics verify CASE --anchor 42:9f86d0...  (a head you kept)\n\n"
             "  forensics verify CASE --against /mnt/backup/CASE")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--against", type=click.Path(path_type=Path), default=None,
              help="Compare with a backup made by `forensics backup`.")
@click.option("--anchor", "anchors", multiple=True,
              help="A head kept outside the case: an anchor file or SEQ:SHA256 (repeatable).")
@click.option("--no-record", is_flag=True,
              help="Only read: do not log this verification (read-only media).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
def verify(case: Path, against: Path | None, anchors: Sequence[str], no_record: bool,
           as_json: bool, progress: bool | None) -> None:
    """Re-hash every stored item and walk the custody chain.  Exit 0 intact, 1 problems."""
    from forensics.integrity import compare, load_anchor

    c = _open_case(str(case))
    extra = tuple(load_anchor(a) for a in anchors)
    report = c.verify(record=not no_record, anchors=extra, progress=progress)
    comparison = compare(c, against) if against is not None else ()
    if as_json:
        obj = report.to_json()
        if against is not None:
            obj["against"] = {"backup": str(against),
                              "status": "failed" if comparison else "passed",
                              "problems": [p.to_dict() for p in comparison]}
        _emit_json(obj)
    else:
        click.echo(str(report))
        if against is not None:
            verdict = "FAILED" if comparison else "PASSED"
            click.echo(f"backup {against}: {verdict}")
            for p in comparison:
                click.echo(f"  PROBLEM {p}")
        if not report.ok or comparison:
            click.echo("problems found: see above; do not use the affected items until "
                       "explained (keep this output with the case file)", err=True)
    if not report.ok or comparison:
        sys.exit(1)


@cli.command("log", epilog="Example:\n\n  forensics log CASE\n\n  forensics log CASE --json")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Every entry exactly as recorded.")
def log_cmd(case: Path, as_json: bool) -> None:
    """Show the custody log as a table."""
    from forensics.case import summarize

    c = _open_case(str(case))
    entries = c.log.entries()
    if as_json:
        _emit_json([e.to_json() for e in entries])
        return
    click.echo(f"{'seq':>5}  {'time (UTC)':<20}  {'action':<10}  {'evidence':<12}  "
               f"{'actor':<12}  what")
    for e in entries:
        ev = ",".join(e.evidence_ids)
        if len(ev) > 12:
            ev = f"{len(e.evidence)} items"
        click.echo(f"{e.seq:>5}  {e.time:%Y-%m-%d %H:%M:%S}  {e.action:<10}  {ev:<12}  "
                   f"{e.actor[:12]:<12}  {summarize(e)}")


@cli.command(epilog="Examples:\n\n  forensics note CASE '收到公证处光盘，封存编号 2026-118'\n\n"
             "  forensics note CASE 'screenshot shows the repost count' --evidence E0003")
@click.argument("case", type=click.Path(path_type=Path))
@click.argument("text")
@click.option("--evidence", "evidence_ids", multiple=True,
              help="Evidence number the note is about (repeatable).")
@click.option("--actor", default=None, help="Who is writing (default: $FORENSICS_ACTOR or login).")
@click.option("--json", "as_json", is_flag=True, help="Print the recorded entry as JSON.")
def note(case: Path, text: str, evidence_ids: Sequence[str], actor: str | None,
         as_json: bool) -> None:
    """Record a note in the custody log (a seal, a hand-over, an observation)."""
    from forensics.custody import Action, EntryDraft

    if not text.strip():
        raise InputError("the note is empty; write what happened")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise InputError("the note is not valid UTF-8 text; check the terminal's encoding")
    c = _open_case(str(case), actor)
    refs = tuple(c.item(e).ref for e in evidence_ids)
    (entry,) = c.record([EntryDraft(Action.NOTE, evidence=refs, details={"text": text})])
    if as_json:
        _emit_json(entry.to_json())
    else:
        click.echo(f"entry {entry.seq} recorded (sha256:{entry.entry_sha256})")


@cli.command(epilog="Example:\n\n  forensics anchor CASE\n\nThen send anchors/anchor-*.tsq to a "
             "timestamp authority, keep the printed line somewhere else (an e-mail to your "
             "lawyer, a notary), and verify later with `forensics verify CASE --anchor LINE`.")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the anchor as JSON.")
def anchor(case: Path, as_json: bool) -> None:
    """Record the custody head outside the log and write an RFC 3161 request (.tsq)."""
    c = _open_case(str(case))
    a = c.anchor()
    if as_json:
        _emit_json(a.to_json())
    else:
        click.echo(a.text)
        click.echo(f"anchor file: {a.anchor_path}\ntimestamp request: {a.request_path}\n"
                   "keep the line above outside the case; send the .tsq to a timestamp "
                   "authority", err=True)


@cli.command(epilog="Example:\n\n  forensics backup CASE /mnt/usb/CASE-backup\n\nRun it again to "
             "bring the same backup up to date; check it with "
             "`forensics verify CASE --against DEST`.")
@click.argument("case", type=click.Path(path_type=Path))
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def backup(case: Path, dest: Path, as_json: bool) -> None:
    """Copy the case to another place, re-hash the copy and log the backup."""
    c = _open_case(str(case))
    report = c.backup(dest)
    if as_json:
        _emit_json(report.to_json())
    else:
        click.echo(str(report))
    if not report.ok:
        sys.exit(1)


@cli.command(epilog="Examples:\n\n  forensics artifacts CASE\n\n  forensics artifacts CASE --json"
             "\n\n  forensics artifacts CASE --json --evidence E0003")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--evidence", "evidence_ids", multiple=True, help="Only these items (repeatable).")
@click.option("--strict", is_flag=True,
              help="Exit 1 when any item has warnings or could not be parsed.")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON array, one object per item: evidence_id, name, sha256, media_type, "
                   "parser, warnings, unparsed_reason, metadata (ExifTool Group:Tag names), ...")
@click.option("--no-record", is_flag=True,
              help="Only read: parse what is missing in memory, write and log nothing "
                   "(a backup, read-only media).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
def artifacts(case: Path, evidence_ids: Sequence[str], strict: bool, as_json: bool,
              no_record: bool, progress: bool | None) -> None:
    """What was read from each item: media type (from the content), parser, metadata, warnings.

    Items added with `--no-parse`, parsed by other parser versions, or whose derived files are
    missing or do not match the digests the custody log recorded, are parsed again from the
    read-only store (and that is logged, unless --no-record or the case is read-only).
    """
    from forensics.artifacts import ensure_parsed

    c = _open_case(str(case))
    if evidence_ids:
        unknown = set(evidence_ids) - {it.evidence_id for it in c.items}
        if unknown:
            raise InputError(f"no such evidence number in {case}: {', '.join(sorted(unknown))}; "
                             f"see `forensics log {case}`")
    parsed = ensure_parsed(c, progress=progress, record=False if no_record else None,
                           evidence_ids=list(evidence_ids) or None)
    if as_json:
        _emit_json([p.summary for p in parsed])
    else:
        for p in parsed:
            s = p.summary
            warns = s.get("warnings") or []
            status = (f"{p.parser} {p.parser_version}" if not s.get("unparsed_reason")
                      else "NOT PARSED")
            click.echo(f"{p.evidence_id}  {p.media_type:<34} {status:<14} "
                       f"{len(warns)} warnings  {s.get('name')}")
            if s.get("unparsed_reason"):
                click.echo(f"    not parsed: {s['unparsed_reason']}")
            for w in warns:
                click.echo(f"    warning: {w['location']}: {w['message']}")
            for f in s.get("flags") or []:
                click.echo(f"    flag: {f}")
    if strict and any(p.summary.get("warnings") or p.summary.get("unparsed_reason")
                      for p in parsed):
        sys.exit(1)


@cli.command(epilog="Examples:\n\n  forensics inspect IMG_0001.HEIC\n\n"
             "  forensics inspect --json captures/   (like `exiftool -json -G -n -r`)\n\n"
             "  forensics inspect --hash --timezone Asia/Shanghai 微信图片.jpg")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--timezone", default=None,
              help="Zone to assume for times written without one (default: mark them unknown).")
@click.option("--hash", "digest", is_flag=True,
              help="Also compute each file's SHA-256 (reads every byte; off for a quick look).")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON array, one object per file (same keys as `forensics artifacts --json`,"
                   " plus path).")
def inspect(paths: Sequence[Path], timezone: str | None, digest: bool, as_json: bool) -> None:
    """Read files' metadata without a case (a quick look before intake).  Writes nothing.

    Folders are read recursively.  Files are recognised by their content, not their names.
    """
    from forensics.errors import SourceError
    from forensics.parsers import parse_path
    from forensics.paths import iter_files

    if timezone:
        from forensics.timestamps import zone_for

        try:
            zone_for(timezone)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise SourceError(p, "no such file or folder")
    out: list[dict[str, object]] = []
    failed = 0
    for path in iter_files(paths):
        try:
            art = parse_path(path, default_zone=timezone, digest=digest)
        except SourceError as exc:
            failed += 1
            if as_json:
                out.append({"path": str(path), "error": exc.reason})
            else:
                click.echo(f"======== {path}\n{'error':<34}: {exc.reason}")
            continue
        if as_json:
            out.append({"path": str(path), **art.to_json()})
            continue
        click.echo(f"======== {path}")
        click.echo(f"{'media type':<34}: {art.media_type}")
        if art.sha256:
            click.echo(f"{'sha256':<34}: {art.sha256}")
        click.echo(f"{'parser':<34}: {art.parser} {art.parser_version}".rstrip())
        if art.unparsed_reason:
            click.echo(f"{'not parsed':<34}: {art.unparsed_reason}")
        for k, v in art.metadata.items():
            click.echo(f"{k:<34}: {v}")
        for w in art.warnings:
            click.echo(f"{'warning':<34}: {w.location}: {w.message}")
        for f in art.flags:
            click.echo(f"{'flag':<34}: {f}")
    if as_json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
        sys.stdout.write("\n")
    if failed:
        click.echo(f"{failed} files could not be read (see 'error' above)", err=True)
        sys.exit(2)


@cli.command("parse-time", epilog="Examples:\n\n  forensics parse-time '昨天 14:02' "
             "--reference 2026-11-21T10:00:00+08:00\n\n"
             "  forensics parse-time '3分钟前' --reference 2026-11-20T10:00:00+08:00 --json\n\n"
             "  forensics parse-time 'Mon, 17 Dec 2018 11:28:18 -0000' --json")
@click.argument("text")
@click.option("--reference", default=None,
              help="Capture time the text was shown at (ISO 8601 with offset); needed for "
                   "relative forms such as '3分钟前' or '昨天 14:02'.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True,
              help="Zone assumed where the text has none (IANA name or +HH:MM).")
@click.option("--json", "as_json", is_flag=True,
              help="Print {utc, earliest, latest, zone, source, ...} with UTC times ending in Z.")
def parse_time_cmd(text: str, reference: str | None, timezone: str, as_json: bool) -> None:
    """Read one time as evidence shows it: its UTC instant or interval, and how sure it is."""
    from datetime import datetime

    from forensics.timestamps import format_utc, parse_time, zone_for

    try:
        zone_for(timezone)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    ref = None
    if reference:
        try:
            ref = datetime.fromisoformat(reference.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"--reference {reference!r} is not ISO 8601 "
                             "(e.g. 2026-11-20T10:00:00+08:00)") from None
        if ref.tzinfo is None:
            raise InputError(f"--reference {reference!r} has no offset; add one (+08:00 or Z)")
    try:
        value = parse_time(text, reference=ref, zone=timezone, source="cli:text")
    except ValueError as exc:
        message = str(exc)
        if not message.startswith("cannot read"):
            message = f"cannot read {text!r} as a time: {message}"
        if "reference" in message and ref is None:
            message += "; give it with --reference 2026-11-20T10:00:00+08:00"
        raise InputError(message) from None
    after = ref is not None and value.earliest > ref
    if after:
        click.echo("note: this time is after the reference (capture) time: a clock or a zone "
                   "is wrong, or the text was not shown at that time", err=True)
    if as_json:
        _emit_json({**value.to_json(),
                    "after_reference": after if ref is not None else None})
        return
    if value.utc is not None:
        click.echo(f"{format_utc(value.utc)}  ({value.precision.value}, zone {value.zone.value}"
                   f"{': ' + value.zone_name if value.zone_name else ''})")
    else:
        click.echo(f"{format_utc(value.earliest)} .. {format_utc(value.latest)}  (interval; "
                   f"{value.precision.value}, zone {value.zone.value}"
                   f"{': ' + value.zone_name if value.zone_name else ''})")


@cli.command(epilog="Examples:\n\n  forensics timeline CASE --format csv --out timeline.csv\n\n"
             "  forensics timeline CASE --format timesketch --out case.jsonl\n\n"
             "  forensics timeline CASE --format json | jq .\n\n"
             "  forensics timeline CASE --out timeline.csv --figure timeline.pdf")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "timesketch"]), default="csv",
              show_default=True, help="csv, json, or the form Timesketch imports.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@click.option("--figure", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw the timeline with the findings marked (.png, .pdf or .svg).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
def timeline(case: Path, fmt: str, out: Path | None, figure: Path | None,
             progress: bool | None) -> None:
    """Every time the evidence states, one row per event, in a deterministic order."""
    from forensics.timeline import write_timeline

    if figure is not None and figure.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(f"--figure {figure}: name a .png, .pdf or .svg file")
    c = _open_case(str(case))
    df = c.timeline(progress=progress)
    for key, what in (("out_of_range", "times outside 1677-2262 (kept, time columns empty; "
                                         "their original text is in the row)"),
                      ("unread", "times that could not be read (listed in the timeline's "
                                 "attrs; see `forensics artifacts`)")):
        if df.attrs.get(key):
            click.echo(f"note: {len(df.attrs[key])} {what}", err=True)
    if figure is not None:
        from forensics.figures import save_figure, timeline_figure

        save_figure(timeline_figure(df, findings=c.findings(progress=progress),
                                    title=c.metadata.title or None), figure)
        click.echo(f"figure written to {figure}", err=True)
    if out is None:
        write_timeline(df, fmt, sys.stdout)
    else:
        write_timeline(df, fmt, out)
        click.echo(f"{len(df)} events written to {out}", err=True)


@cli.command(epilog="Examples:\n\n  forensics screens CASE --phrases phrases.txt\n\n"
             "  forensics screens CASE --phrases phrases.txt --json\n\n"
             "  forensics screens CASE --evidence E0010 --evidence E0015\n\n"
             "phrases.txt: the defamatory statements, one per line (UTF-8; # starts a comment).")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--phrases", "phrases_file", type=click.Path(path_type=Path),
              help="Key phrases to look for (the defamatory statements), one per line. Default: "
                   "those of the last logged run; with none, the content is called 'unsure'.")
@click.option("--evidence", "evidence_ids", multiple=True,
              help="Only these captures (repeatable). Default: every screenshot, photo and "
                   "recording of the case.")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON array, one object per capture: evidence_id; content, publisher, "
                   "publish_time, url (each exactly 'shown', 'not shown' or 'unsure'); texts "
                   "and first_seen (per aspect); phrases, times, counts, status_bar, warnings.")
@click.option("--no-record", is_flag=True,
              help="Only read: run OCR in memory where no reading is kept; write and log "
                   "nothing (a backup, read-only media).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
def screens(case: Path, phrases_file: Path | None, evidence_ids: Sequence[str], as_json: bool,
            no_record: bool, progress: bool | None) -> None:
    """Which of content, publisher, publish time and URL each capture shows (OCR, offline).

    Every screenshot, photo and screen recording is read by OCR (recordings: a frame a second);
    the readings are kept as derived data named by the digest of the capture and logged
    (action "ocr"), so a second run reads nothing again.  What to look for comes from each
    item's intake facts (publisher, publisher-id, displayed-time, url) and the key phrases.

    Exit 1 when a capture does not show all four (or a status-bar clock disagrees with the
    capture time, or a capture cannot be read), 0 when every capture shows all four.
    """
    from forensics.attest import _shown
    from forensics.screens import ASPECTS, read_phrases

    phrases = read_phrases(phrases_file) if phrases_file is not None else ()
    c = _open_case(str(case))
    report = c.screens(phrases=phrases, evidence_ids=list(evidence_ids) or None,
                       progress=progress, record=False if no_record else None)
    if as_json:
        _emit_json(report.to_json())
    else:
        for chk in report.checks:
            click.echo(f"{chk.evidence_id}  {chk.kind:<9} {_shown(chk.name)}")
            for a in ASPECTS:
                e = getattr(chk, a)
                at = f" (first at {e.at:g} s)" if e.at is not None and chk.kind == "recording" else ""
                text = f": {_shown('; '.join(e.texts))}" if e.texts else ""
                click.echo(f"    {a.replace('_', ' '):<13} {e.call.value}{at}{text}")
                if e.call.value != "shown":
                    click.echo(f"    {'':<13} {e.why}")
            if chk.status_bar:
                click.echo(f"    status bar    {chk.status_bar}: {chk.status_bar_check}")
            if chk.counts:
                click.echo(f"    counts shown  {_shown('; '.join(n.shown for n in chk.counts))}")
            for w in chk.warnings:
                click.echo(f"    warning: {w}")
            if chk.error:
                click.echo(f"    cannot be read: {chk.error}")
        if not report.checks:
            note = (f"; the case holds no screenshot, photo or recording (`forensics artifacts "
                    f"{case}` lists what it holds)")
        elif not phrases and report.phrases:
            note = f"; key phrases as last logged: {', '.join(report.phrases)}"
        elif not report.phrases:
            note = "; give --phrases FILE to check the content"
        else:
            note = ""
        click.echo(f"{len(report.checks)} captures, {report.problems} with something to look "
                   f"at{note}", err=True)
    if report.problems:
        sys.exit(1)


@cli.command(epilog="Examples:\n\n  forensics findings CASE\n\n  forensics findings CASE --json")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--tolerance", type=float, default=120.0, show_default=True,
              help="Seconds two times may differ before it is a finding.")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON object: tolerance_seconds, count_by_severity, and findings (each "
                   "kind, severity, evidence_ids, values, explanation_zh, explanation_en).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
def findings(case: Path, tolerance: float, as_json: bool, progress: bool | None) -> None:
    """Cross-check the times: contradictions, edits, clocks.

    Exit 1 when a finding above "info" severity is found, 0 otherwise.  Findings never change
    a time; they say what disagrees with what, and by how much.
    """
    if tolerance < 0:
        raise InputError("--tolerance must be zero or more seconds")
    c = _open_case(str(case))
    report = c.findings(progress=progress, tolerance=tolerance)
    items = list(report.findings)
    if as_json:
        _emit_json(report.to_json())
    else:
        for f in items:
            click.echo(f"[{f.severity}] {f.kind}  {', '.join(f.evidence_ids)}")
            click.echo(f"    {f.explanation_zh}")
            click.echo(f"    {f.explanation_en}")
        click.echo(f"{len(items)} findings", err=True)
    if any(f.severity != "info" for f in items):
        sys.exit(1)


@cli.command(epilog="Examples:\n\n  forensics spread CASE\n\n  forensics spread CASE --json\n\n"
             "  forensics spread CASE --out spread/ --figure spread/cascade.png\n\n"
             "  forensics spread --list reposts.csv --captured-at 2026-11-20T15:00:00+08:00")
@click.argument("case", type=click.Path(path_type=Path), required=False)
@click.option("--list", "lists", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Analyse a repost-list file of the documented CSV form directly, outside any "
                   "case (repeatable; nothing is written or logged).")
@click.option("--captured-at", default=None,
              help="With --list: the capture time (ISO 8601), to read times such as '3分钟前'.")
@click.option("--timezone", "zone", default="Asia/Shanghai", show_default=True,
              help="With --list: the zone of times written without an offset.")
@click.option("--post", "post_id", default=None, help="Only this post id.")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON array, one object per post: post_id, originators, repost_rows, "
                   "distinct_accounts, unique_reposts, max_depth, max_breadth, "
                   "structural_virality, reached_500_reposts_at, reached_5000_views_at, "
                   "data_quality, and more.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the exports here (CSV tables, GraphML, GEXF, node-link JSON); logged "
                   "in the custody log.")
@click.option("--figure", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Draw the cascade (.png, .pdf or .svg); the cumulative curve goes beside it "
                   "as NAME-curve.EXT.  Without --post: the post with the most nodes.")
@click.option("--amplifier-min-reach", type=int, default=10, show_default=True,
              help="Reposts that must descend from an account's reposts to call it an amplifier.")
@click.option("--variant-min-similarity", type=float, default=0.6, show_default=True,
              help="Similarity (0-1) to the original's wording from which a repost's own text "
                   "counts as a changed-text variant.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
def spread(case: Path | None, lists: tuple[Path, ...], captured_at: str | None, zone: str,
           post_id: str | None, as_json: bool, out: Path | None, figure: Path | None,
           amplifier_min_reach: int, variant_min_similarity: float,
           progress: bool | None) -> None:
    """Who reposted what: cascades, counts against the 500-repost / 5,000-view reference marks.

    Reports counts and the times the reference marks of the 2013 interpretation (art. 2) were
    first reached under each counting rule; it never states a legal conclusion.  Exit 1 when
    the data have quality problems (duplicate rows, cycles, missing parents...: each counted in
    data_quality), 0 otherwise.
    """
    params = {"amplifier_min_reach": amplifier_min_reach,
              "variant_min_similarity": variant_min_similarity}
    if figure is not None and figure.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(f"--figure {figure}: name a .png, .pdf or .svg file")
    if (case is None) == (not lists):
        raise InputError("name a CASE folder, or repost-list files with --list (not both)")
    if lists:
        import pandas as pd

        from forensics.spread import analyze, read_repost_list

        tables = [read_repost_list(p, zone=zone, captured_at=captured_at,
                                   evidence_id=p.name) for p in lists]
        for tb in tables:
            for w in tb.attrs.get("warnings", ()):
                click.echo(f"note: {tb.attrs['source']['path']}: {w}", err=True)
        analysis = analyze(pd.concat(tables, ignore_index=True), progress=progress, **params)
        c = None
    else:
        c = _open_case(str(case))
        analysis = c.spread(progress=progress, **params)
        made_from = c.head  # after any parsing the analysis needed
    posts = [p for p in analysis.to_json() if post_id is None or p["post_id"] == post_id]
    if post_id is not None and not posts:
        raise InputError(f"post {post_id!r} is not in the repost lists; posts: "
                         f"{', '.join(analysis.posts['post_id'][:10])}")
    if out is not None:
        if c is not None:
            c.write_spread(out, post_id=post_id, analysis=analysis, head=made_from, **params)
        else:
            analysis.write(out, post_id=post_id)
        click.echo(f"exports written to {out}", err=True)
    if figure is not None:
        from forensics.figures import save_figure
        from forensics.spread_figures import cascade_figure, spread_curve_figure

        figure.parent.mkdir(parents=True, exist_ok=True)
        save_figure(cascade_figure(analysis, post_id), figure)
        curve = figure.with_name(f"{figure.stem}-curve{figure.suffix}")
        save_figure(spread_curve_figure(analysis, post_id), curve)
        if c is not None:
            c.log_export("spread figures", {figure.name: figure, curve.name: curve},
                         analysis=analysis, post_id=post_id, head=made_from, params=params)
        click.echo(f"figures written to {figure} and {curve}", err=True)
    if as_json:
        _emit_json(posts)
    else:
        if not posts:
            click.echo("no repost lists in this case; add one (docs/formats/reposts.md) with "
                       "`forensics add CASE FILE`", err=True)
        for p in posts:
            click.echo(f"post {p['post_id']}  originators: {', '.join(p['originators']) or '?'}")
            click.echo(f"  repost rows {p['repost_rows']}, unique {p['unique_reposts']}, "
                       f"accounts {p['distinct_accounts']}, depth {p['max_depth']}, breadth "
                       f"{p['max_breadth']}, structural virality "
                       f"{p['structural_virality']:.3f}")
            for key, label in (("reached_500_reposts_at", "500-repost mark"),
                               ("reached_5000_views_at", "5,000-view mark")):
                got = ", ".join(f"{k} {v}" for k, v in p[key].items() if v) or "not reached"
                click.echo(f"  {label}: {got}")
            dq = ", ".join(f"{k} {v}" for k, v in p["data_quality"].items() if v)
            if dq:
                click.echo(f"  data quality: {dq}")
        click.echo("reference marks are counts to compare against, not legal conclusions",
                   err=True)
    if any(v for p in posts for k, v in p["data_quality"].items()
           if k in ("duplicate_rows", "multi_parent", "self_loops", "cycles",
                    "negative_delays", "missing_parents")):
        sys.exit(1)


@cli.command(epilog="Examples:\n\n  forensics appendix CASE --out appendix/\n\n"
             "  forensics appendix CASE --out appendix/ --party '原告：张三' --party '被告：李四'\n\n"
             "  forensics appendix CASE --out appendix/ --lang zh --pseudonymize "
             "--keep 张三 --keep uid_1001\n\n"
             "  forensics appendix CASE --out appendix/ --group E0001=1 --group E0002=1 "
             "--group E0003=2 --json")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write into (created if missing).")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both",
              show_default=True, help="Chinese then English, or one of them.")
@click.option("--pseudonymize", is_flag=True,
              help="Replace third parties (reposting accounts, chat participants, mail "
                   "correspondents) by stable pseudonyms in every file; the mapping stays in the "
                   "case (pseudonyms.json), never in the output.")
@click.option("--keep", multiple=True, metavar="NAME",
              help="With --pseudonymize: a name or id needed for proof, kept as it is "
                   "(repeatable).  The publishers named in the intake facts are always kept.")
@click.option("--group", "groups", multiple=True, metavar="E=LABEL",
              help="Number items in groups as courts do (1-1, 1-2...): evidence number = group "
                   "label (repeatable).")
@click.option("--party", "parties", multiple=True, metavar="TEXT",
              help="A party as the cover lists it, such as '原告：张三' (repeatable, in order).")
@click.option("--no-frames", is_flag=True,
              help="Do not draw frames of screen recordings (only name the original).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the files written with their SHA-256 and the custody entry as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: terminals).")
def appendix(case: Path, out: Path, lang: str, pseudonymize: bool, keep: tuple[str, ...],
             groups: tuple[str, ...], parties: tuple[str, ...], no_frames: bool, as_json: bool,
             progress: bool | None) -> None:
    """Write the litigation appendix: appendix.html, appendix.pdf and its tables.

    The 证据目录 (evidence list) as CSV and XLSX, the hash table, the timeline (CSV, XLSX), the
    findings and the spread table go beside the HTML and the PDF.  Everything is logged in the
    custody log in one entry with each file's SHA-256.  The same case, version and options give
    the same bytes.  It is a party's own analysis, not a judicial appraisal (鉴定意见).
    Exit 1 when the case's latest verification failed (the appendix still states it), 0
    otherwise.
    """
    import hashlib

    from forensics.appendix import write_appendix

    grouping: dict[str, str] = {}
    for g in groups:
        eid, sep, label = g.partition("=")
        if not sep or not eid.strip() or not label.strip():
            raise InputError(f"--group {g!r}: write EVIDENCE=LABEL, such as E0003=2")
        grouping[eid.strip()] = label.strip()
    if keep and not pseudonymize:
        raise InputError("--keep only applies with --pseudonymize")
    c = _open_case(str(case))
    written = write_appendix(c, out, lang=lang, groups=grouping or None,
                             pseudonymize=pseudonymize, keep=keep, frames=not no_frames,
                             parties=parties, progress=progress)
    c.refresh()
    entry = c.head
    files = {name: {"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
             for name, p in written.items()}
    if as_json:
        _emit_json({"out": str(out), "files": files,
                    "logged_as": {"seq": entry.seq, "entry_sha256": entry.entry_sha256}
                    if entry is not None and entry.action == "export" else None})
    else:
        for f in files.values():
            click.echo(f"{f['sha256']}  {f['path']}")
        click.echo(f"appendix written to {out}; open appendix.html or appendix.pdf, and file "
                   f"evidence-list.xlsx as the 证据目录", err=True)
    verifies = [e for e in c.log.entries() if e.action == "verify"]
    if verifies and verifies[-1].details.get("status") == "failed":
        click.echo("the latest verification of this case failed; the appendix says so in its "
                   "integrity statement. Run `forensics verify CASE` for the problems", err=True)
        sys.exit(1)


@cli.group(cls=_Group)
def attest() -> None:
    """Outside proof: notary and platform hash lists and certificates, matched by digest.

    `forensics attest import CASE FILE` reads one (sha256sum/md5sum/sm3sum lists, hashdeep
    CSV, BagIt manifests or bags, the certificate form of docs/formats/attestation.md).
    """


@attest.command("import", epilog="Examples:\n\n"
                "  forensics attest import CASE notary/SHA256SUMS.txt --issuer 示例公证处 "
                "--time '2026-11-21 15:00' --event notarized\n\n"
                "  forensics attest import CASE certificate.toml --json\n\n"
                "  forensics attest import CASE bag/ --kind bagit\n\n"
                "Exit 0: every listed digest matched or is missing from the case (said); "
                "1: a digest the case contradicts (mismatched) or cannot check; 2: the file "
                "cannot be read.")
@click.argument("case", type=click.Path(path_type=Path))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(ATTEST_KINDS),
              help="The format; guessed from the file when left out.")
@click.option("--issuer", default="", help="Who states it (a sum list names nobody): the "
              "notary's office, the platform.")
@click.option("--time", "issued_at", default="",
              help="When, as the certificate it belongs to says (ISO 8601 or as written; no "
                   "offset: the case's zone, marked assumed). Becomes a timeline event.")
@click.option("--event", type=click.Choice(["notarized", "deposited", "captured", "attested"]),
              default=None, help="What happened at that time (default: notarized for a "
                                 "certificate, deposited when it names a chain, else attested).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def attest_import(case: Path, file: Path, kind: str | None, issuer: str, issued_at: str,
                  event: str | None, as_json: bool) -> None:
    """Read an outside hash list or certificate, match it against the case, log it."""
    c = _open_case(str(case))
    report = c.attest(file, kind=kind, issuer=issuer, issued_at=issued_at, event=event or "")
    if as_json:
        _emit_json(report.to_json())
    else:
        click.echo(str(report))
        if report.counts.get("mismatched"):
            click.echo("a file in hand differs from the one attested: see `forensics findings "
                       f"{case}` (attested-digest-mismatch)", err=True)
        elif report.counts.get("missing"):
            click.echo("attested material is missing from the case: ask who holds it "
                       f"(`forensics findings {case}`)", err=True)
    if not report.ok:
        sys.exit(1)


@cli.group(cls=_Group)
def timestamp() -> None:
    """RFC 3161 trusted timestamps: request one, verify one offline, import one into a case.

    `forensics timestamp request CASE` writes a .tsq to send to a timestamp authority (TSA);
    `forensics timestamp verify TOKEN.tsr --data FILE --ca CHAIN.pem` checks a reply offline;
    `forensics timestamp import CASE TOKEN.tsr --ca CHAIN.pem` checks it against the item or
    custody head it covers, stores it, logs it and puts its genTime in the timeline.  See
    docs/timestamps.md.
    """


@timestamp.command("request", epilog="Examples:\n\n"
                   "  forensics timestamp request CASE --evidence E0003\n\n"
                   "  forensics timestamp request CASE   (the custody head, as `forensics "
                   "anchor`)\n\n"
                   "Then send the .tsq to a TSA, e.g.\n\n"
                   "  curl -H 'Content-Type: application/timestamp-query' --data-binary "
                   "@CASE/anchors/timestamp-E0003-....tsq https://freetsa.org/tsr > reply.tsr\n\n"
                   "and import the reply with `forensics timestamp import CASE reply.tsr "
                   "--ca tsa-chain.pem`.  Exit 0: written and logged; 2: bad input.")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--evidence", "evidence_id", default=None, metavar="E0003",
              help="The item to stamp (its SHA-256).  Without it: the custody head.")
@click.option("--json", "as_json", is_flag=True, help="Print the request as JSON.")
def timestamp_request(case: Path, evidence_id: str | None, as_json: bool) -> None:
    """Write an RFC 3161 request (.tsq) over an item or the custody head, and log it."""
    import hashlib

    from forensics.anchor import timestamp_request_digest

    c = _open_case(str(case))
    if evidence_id is None:
        a = c.anchor()
        path, covers = a.request_path, f"custody head (entry {a.seq})"
    else:
        from forensics.tsp import request_item

        path, covers = request_item(c, evidence_id), evidence_id
    der = path.read_bytes()
    if as_json:
        _emit_json({"request": str(path), "covers": covers,
                    "imprint": {"algorithm": "sha256", "digest": timestamp_request_digest(der)},
                    "sha256": hashlib.sha256(der).hexdigest(), "recorded_seq": c.head.seq})
    else:
        click.echo(str(path))
        click.echo(f"request over {covers} written and logged; send it to a timestamp authority "
                   "(curl -H 'Content-Type: application/timestamp-query' --data-binary "
                   f"@{path} URL > reply.tsr), then `forensics timestamp import {case} "
                   "reply.tsr --ca CHAIN.pem`", err=True)


def _certificates(paths: Sequence[Path]):  # -> tuple of cryptography Certificate
    from forensics.tsp import read_certificates

    return tuple(cert for p in paths for cert in read_certificates(p))


@timestamp.command("verify", epilog="Examples:\n\n"
                   "  forensics timestamp verify reply.tsr --data post.html --ca tsa-chain.pem\n\n"
                   "  forensics timestamp verify reply.tsr --digest 2cf24dba5fb0a30e... "
                   "--ca tsa-chain.pem --json\n\n"
                   "  forensics timestamp verify token.p7 --data post.html --ca root.pem "
                   "--untrusted tsa.pem\n\n"
                   "Certificates are judged as of the token's genTime, not today; revocation is "
                   "not checked (offline).  Exit 0: valid; 1: invalid or not verifiable (no "
                   "--ca, signer certificate missing), with the reason; 2: unreadable input.")
@click.argument("token", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The file that was stamped (hashed with the token's algorithm).")
@click.option("--digest", default=None, metavar="HEX",
              help="Or its digest in hex, in the token's algorithm: upper or lower case, "
                   "'sha256:'/'SHA-256:' prefix or colon-separated bytes allowed.")
@click.option("--ca", "ca_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Trusted certificates (PEM or DER): the TSA's root.  Without it the chain is "
                   "not checked and the token is not valid.")
@click.option("--untrusted", "untrusted_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="More certificates (the TSA's, intermediates) when the token lacks them.")
@click.option("--json", "as_json", is_flag=True, help="Print every check as JSON.")
def timestamp_verify(token: Path, data: Path | None, digest: str | None,
                     ca_files: Sequence[Path], untrusted_files: Sequence[Path],
                     as_json: bool) -> None:
    """Verify an RFC 3161 token offline: imprint, signature, ESSCertID, chain at genTime."""
    import os

    from forensics.durable import open_readonly
    from forensics.tsp import verify_token

    if (data is None) == (digest is None):
        raise InputError("give what was stamped: --data FILE or --digest HEX (one of them)")
    ca = _certificates(ca_files) if ca_files else None
    untrusted = _certificates(untrusted_files)
    if data is not None:
        with os.fdopen(open_readonly(data), "rb") as fh:
            verdict = verify_token(token, data=fh, ca=ca, untrusted=untrusted)
    else:
        verdict = verify_token(token, digest=digest, ca=ca, untrusted=untrusted)
    if as_json:
        _emit_json(verdict.to_json())
    else:
        click.echo(str(verdict))
    if not verdict.valid:
        click.echo(f"timestamp {verdict.summary}", err=True)
        sys.exit(1)


@timestamp.command("import", epilog="Examples:\n\n"
                   "  forensics timestamp import CASE reply.tsr --ca tsa-chain.pem\n\n"
                   "  forensics timestamp import CASE anchors-reply.tsr --ca root.pem "
                   "--untrusted tsa.pem --json\n\n"
                   "The token must cover an item (its digest) or a custody entry (an anchored "
                   "head).  It is stored in CASE/anchors/ and logged even when invalid.  Exit 0: "
                   "valid; 1: invalid or not verifiable (no --ca), with the reason; 2: unreadable "
                   "or covering nothing in the case.")
@click.argument("case", type=click.Path(path_type=Path))
@click.argument("token", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ca", "ca_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Trusted certificates (PEM or DER): the TSA's root.")
@click.option("--untrusted", "untrusted_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="More certificates (the TSA's, intermediates) when the token lacks them.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def timestamp_import(case: Path, token: Path, ca_files: Sequence[Path],
                     untrusted_files: Sequence[Path], as_json: bool) -> None:
    """Check a token against the item or head it covers, store it, log it, add its genTime."""
    from forensics.tsp import import_token

    c = _open_case(str(case))
    result = import_token(c, token, ca=_certificates(ca_files) if ca_files else None,
                          untrusted=_certificates(untrusted_files))
    if as_json:
        _emit_json(result.to_json())
    else:
        click.echo(str(result))
    if not result.ok:
        click.echo(f"the token was stored and logged, but it is {result.verdict.summary}",
                   err=True)
        sys.exit(1)


def _emit_with_warnings(result: object, as_json: bool) -> None:
    """Print a notice result (JSON or text), its warnings on stderr, and exit 1 when it has
    any (the documented exit code of `forensics notice ...` for a result logged with a warning)."""
    if as_json:
        _emit_json(result.to_json())  # type: ignore[attr-defined]
    else:
        click.echo(str(result))
    warnings = tuple(getattr(result, "warnings", ()))
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    if warnings:
        sys.exit(1)


class _NoticeGroup(_Group):
    """``forensics notice CASE ...`` writes the notice (the form the issue names); ``sent``
    and ``reply`` are subcommands.  A first word that is no subcommand means ``write``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["write", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_NoticeGroup, epilog="Examples:\n\n"
           "  forensics notice CASE --platform 新浪微博 --urls "
           "https://weibo.com/7301122334/5091873346521078 --identity identity.toml --out notice/"
           "\n\n  forensics notice sent CASE notice/ --channel 微博侵权投诉页面 --at "
           "'2026-11-25 10:00'\n\n  forensics notice reply CASE --at '2026-11-26 09:00' --kind "
           "action-taken --text 已删除")
def notice() -> None:
    """The platform notice under 民法典 art. 1195: write it, log its sending and the answers.

    `forensics notice CASE --platform NAME --urls URL... --identity FILE --out DIR` (also
    `forensics notice write ...`) writes notice.docx and notice.pdf (Chinese, then an English
    translation) from the case's evidence and the right holder's identity file (TOML,
    docs/notice.md); `forensics notice sent CASE NOTICE ...` and `forensics notice reply CASE
    ...` put the sending and the platform's answers in the custody log and the timeline.
    """


@notice.command("write", epilog="Examples:\n\n"
                "  forensics notice write CASE --platform 新浪微博 --url "
                "https://weibo.com/7301122334/5091873346521078 --identity identity.toml "
                "--out notice/\n\n"
                "  forensics notice write CASE --platform 新浪微博 --url URL1 --url URL2 "
                "--identity identity.toml --measures delete,block,preserve --date 2026-11-25 "
                "--out notice/ --json\n\n"
                "  forensics notice write CASE --platform 抖音 --url URL --identity id.toml "
                "--evidence E0003 --evidence E0004 --out notice/\n\n"
                "Measures: delete (删除), block (屏蔽), disconnect (断开链接), preserve (保存).  "
                "Exit 0: written, every URL has evidence in the case; 1: written, but a URL has "
                "none (a wrongful notice makes its sender liable); 2: bad input, or no URL has "
                "evidence (nothing written; --force writes it anyway).")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--platform", required=True,
              help="Whom the notice is addressed to (新浪微博, 抖音...).")
@click.option("--urls", "--url", "urls", multiple=True, required=True, metavar="URL",
              help="Address(es) of the content: repeatable, and one value may hold several "
                   "separated by spaces.")
@click.option("--identity", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The right holder's identity file (TOML: name, id_type, id_number, phone or "
                   "email, address, optional [agent]; see docs/notice.md).")
@click.option("--measures", default="delete", show_default=True, metavar="LIST",
              help="Comma-separated: delete, block, disconnect, preserve.")
@click.option("--evidence", "evidence_ids", multiple=True, metavar="E0001",
              help="Items to attach (repeatable); default: those whose URL is one of --url, "
                   "with the items extracted from them.")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="The notice's date (default: today in the case's zone).")
@click.option("--force", is_flag=True, help="Write even when no URL has evidence in the case.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write notice.docx and notice.pdf into (created if missing).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def notice_write(case: Path, platform: str, urls: tuple[str, ...], identity: Path,
                 measures: str, evidence_ids: tuple[str, ...], day: str | None, force: bool,
                 out: Path, as_json: bool) -> None:
    """Write the notice (DOCX and PDF) from the case and log it with the files' SHA-256."""
    from forensics.notice import write_notice

    c = _open_case(str(case))
    report = write_notice(c, platform=platform, urls=[u for v in urls for u in v.split()],
                          identity=identity,
                          measures=[m for m in measures.split(",") if m.strip()], out=out,
                          evidence_ids=list(evidence_ids) or None, date=day, force=force)
    _emit_with_warnings(report, as_json)


@notice.command("sent", epilog="Examples:\n\n"
                "  forensics notice sent CASE notice/ --channel 微博侵权投诉页面 "
                "--at '2026-11-25 10:00'\n\n"
                "  forensics notice sent CASE signed-notice.pdf --channel 'EMS 1234567890' "
                "--at 2026-11-25T10:00:00+08:00 --recipient 新浪微博法务部 --json\n\n"
                "NOTICE is the folder `forensics notice write` wrote, or the file sent; a file "
                "it did not write (signed, scanned) is brought into the case first.  --at "
                "without an offset is in the case's zone, marked assumed.  Exit 0: logged; 1: "
                "logged with a warning; 2: bad input.")
@click.argument("case", type=click.Path(path_type=Path))
@click.argument("notice_path", metavar="NOTICE", type=click.Path(path_type=Path))
@click.option("--channel", required=True,
              help="How it was sent: the platform's complaint form, e-mail to ..., mail no. ...")
@click.option("--at", "at", required=True, help="When it was sent (ISO 8601 or as written).")
@click.option("--recipient", default="", help="To whom (an address, a department).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def notice_sent_cmd(case: Path, notice_path: Path, channel: str, at: str, recipient: str,
                    as_json: bool) -> None:
    """Log that the notice was sent: from then on the platform knew (custody log, timeline)."""
    from forensics.notice import notice_sent

    c = _open_case(str(case))
    logged = notice_sent(c, notice_path, channel=channel, at=at, recipient=recipient)
    _emit_with_warnings(logged, as_json)


@notice.command("reply", epilog="Examples:\n\n"
                "  forensics notice reply CASE --at '2026-11-26 09:00' --kind action-taken "
                "--text '已删除'\n\n"
                "  forensics notice reply CASE --at 2026-11-27T12:00:00+08:00 --kind "
                "counter-notice --file counter-notice.eml --json\n\n"
                "Kinds: reply, counter-notice (民法典 art. 1196), action-taken.  A --file is "
                "brought into the case as an item first.  Exit 0: logged; 1: logged with a "
                "warning (e.g. a reply timed before the sending); 2: bad input (no notice "
                "logged as sent, neither --text nor --file).")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--at", "at", required=True, help="When it came (ISO 8601 or as written).")
@click.option("--kind", type=click.Choice(["reply", "counter-notice", "action-taken"]),
              default="reply", show_default=True, help="What the platform's answer is.")
@click.option("--file", "file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The answer as received (e-mail, screenshot): brought into the case.")
@click.option("--text", default="", help="What it says, in brief.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def notice_reply_cmd(case: Path, at: str, kind: str, file: Path | None, text: str,
                     as_json: bool) -> None:
    """Log the platform's answer to the latest notice sent (custody log, timeline)."""
    from forensics.notice import notice_reply

    c = _open_case(str(case))
    logged = notice_reply(c, at=at, text=text, file=file, kind=kind)
    _emit_with_warnings(logged, as_json)


@cli.command("export", epilog="Examples:\n\n"
             "  forensics export CASE --format bagit /mnt/usb/2026-001-bag\n\n"
             "  forensics export CASE --format verify-kit court-kit/   (for the court clerk)\n\n"
             "  forensics export CASE --format case-uco uco/ --json\n\n"
             "  forensics export CASE --format timesketch ts/\n\n"
             "DEST must be a new (or empty) folder outside the case.")
@click.argument("case", type=click.Path(path_type=Path))
@click.option("--format", "fmt", required=True,
              type=click.Choice(["bagit", "verify-kit", "case-uco", "timesketch"]),
              help="bagit: BagIt bag (RFC 8493); verify-kit: the bag with a stand-alone "
                   "checking script; case-uco: CASE/UCO JSON-LD; timesketch: the timeline.")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def export_cmd(case: Path, fmt: str, dest: Path, as_json: bool) -> None:
    """Export the case in an open format others verify without us; logged in the custody log."""
    from forensics.export import export

    c = _open_case(str(case))
    report = export(c, fmt, dest)
    if as_json:
        _emit_json(report.to_json())
    else:
        click.echo(str(report))


@cli.command("demo", epilog="Examples:\n\n  forensics demo\n\n  forensics demo /tmp/demo\n\n"
             "  forensics demo --fresh /tmp/intake-demo\n\n"
             "Then open DIR/reports/*.html (for lawyers) or run `jupyter lab` on the notebooks.")
@click.argument("dest", required=False, default="demo",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--fresh", is_flag=True,
              help="Build a new case from freshly generated sample files (the intake, recorded "
                   "with today's times) instead of copying the kept one.")
def demo_cmd(dest: Path, fresh: bool) -> None:
    """The main job on the sample case: copy it into DEST/case, run every notebook.

    The sample case (data/README.md) is copied from the one the package keeps, and the
    notebooks run on the copy with papermill as a reviewer would (nothing written into the
    case), into DEST/reports: executed notebooks in DEST/reports/notebooks, each rendered to
    HTML without code for lawyers, the appendix in DEST/reports/appendix (HTML, PDF, tables),
    the run's times and file digests in DEST/reports/run-log.json.  Two runs give
    byte-identical appendix files.  With --fresh the case is built anew from generated files
    into DEST/case (sources in DEST/sources) and every step, each notebook and the appendix
    are logged in its custody log.  Exit 1 when a notebook failed (verification failed in strict
    mode, named on stderr), 2 when DEST/case or DEST/reports already holds something.
    """
    from forensics.notebooks import demo_main

    code = demo_main(dest, fresh=fresh)
    if code:
        sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``forensics`` console script."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="forensics")
    except InputError as exc:  # pragma: no cover - raised outside a command
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
