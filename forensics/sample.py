"""The sample case: a fictional Chinese online-defamation case, made by a seeded generator.

``python -m forensics.sample DEST [--seed N]`` (or :func:`generate`) writes the raw material a
victim, a witness, a notary and a platform would hand over in such a case, in every format the
parsers read, plus the intake sheet (``intake.csv``) naming every file with its facts.  The
repository keeps one run in ``data/case-files/``; ``data/README.md`` tells the story, lists every
file and the anomalies planted in it, and the findings an expert should reach.

Everything here is invented: the people are pseudonyms, the accounts and ids are made up, and
the bakery does not exist.  The repository also keeps the case built from them, ``data/case``
(:func:`build_case`: the files brought in with their intake facts, parsed and verified, every
step in its custody log), which ``forensics demo`` copies and runs the notebooks on.

The output is deterministic: the same seed gives the same bytes (all
times are fixed; PNG files carry no time chunk; JPEG EXIF, WARC record ids and dates, e-mail
Message-IDs and MIME boundaries are fixed).  The one exception is the screen recording, whose
bytes depend on the FFmpeg build inside PyAV: its frames, size and times do not.

Examples
--------
>>> import tempfile, pathlib
>>> files = generate(pathlib.Path(tempfile.mkdtemp()) / "case-files")
>>> sorted(p.name for p in files)[:3]
['IMG_4821.PNG', 'SHA256SUMS.txt', 'SVID_20261121_094107_1.mp4']
>>> [p.name for p in files if p.suffix == ".csv"][-1]
'intake.csv'
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from forensics.errors import InputError
from forensics.intake import IntakeFacts

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case

__all__ = [
    "CASE_NUMBER",
    "CASE_TITLE",
    "DEFAULT_SEED",
    "EXAMINER",
    "NOTARY",
    "NOTARY_LIST",
    "NOTARY_TIME",
    "POST_ID",
    "SECOND_POST_ID",
    "SampleFile",
    "build_case",
    "generate",
    "main",
    "sample_files",
]

#: The seed of the committed sample (``data/case-files``).
DEFAULT_SEED = 20261120

#: The sample case's title, number and examiner (its ``case.toml``).
CASE_TITLE = "陈某明诉赵某名誉权纠纷（示例，虚构）"
CASE_NUMBER = "(2026)示0000民初1号"
EXAMINER = "示例鉴定人"

#: The notary's hash list (in the files :func:`generate` writes), who made it and when.
NOTARY_LIST = "notary/SHA256SUMS.txt"
NOTARY = "示例公证处（公证员孙某）"
NOTARY_TIME = "2026-11-21T15:00:00+08:00"

CST = timezone(timedelta(hours=8))
#: The defamatory post (mid) and the account that published it.
POST_ID = "5091873346521078"
#: An earlier post by the same account, within the same year.
SECOND_POST_ID = "5012264409187733"
POSTER_ID = "7301122334"
POSTER_NAME = "城南吃瓜君"
POST_URL = f"https://weibo.com/{POSTER_ID}/{POST_ID}"
SECOND_URL = f"https://weibo.com/{POSTER_ID}/{SECOND_POST_ID}"
POST_TIME = datetime(2026, 11, 20, 14, 2, 37, tzinfo=CST)
SECOND_TIME = datetime(2026, 3, 14, 20, 15, 9, tzinfo=CST)
POST_TEXT = ("暖阳烘焙老板陈某明用过期面粉做蛋糕，好几个小孩吃了上吐下泻，店里还偷偷改生产日期！"
             "大家千万别去了，转告身边的人！")
SECOND_TEXT = "听说城南那家暖阳烘焙的面包吃出过头发，老板态度还很差，有没有人遇到过？"
#: The platform's export of the repost lists (after the notice of 民法典第1195条).
EXPORT_TIME = datetime(2026, 11, 23, 10, 0, 0, tzinfo=CST)
#: Reposts of the defamatory post, and of the earlier post (original rows not counted).
REPOST_COUNT = 2987
SECOND_REPOST_COUNT = 268
#: Exact duplicate rows planted in the repost list of the defamatory post.
DUPLICATES = 4

#: The defamatory statements the expert looks for in the captures (``forensics screens
#: --phrases``; ``data/key-phrases.txt`` holds the same lines).
KEY_PHRASES = ("暖阳烘焙老板陈某明用过期面粉做蛋糕", "店里还偷偷改生产日期")
#: The status-bar clock of the annotated copy: retouched, an hour before its capture time.
ANNOTATED_CLOCK = "08:30"

SCREEN = (540, 1170)
RECORDING = (270, 584)
RECORDING_FPS = 5
RECORDING_FRAMES = 20


@dataclass(frozen=True, slots=True)
class SampleFile:
    """One generated file: its path under the destination folder and its intake facts."""

    name: str
    facts: IntakeFacts


# --- drawing -------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _font(size: int):
    from PIL import ImageFont

    from forensics.figures import cjk_font

    spec = cjk_font()
    if spec is None or not spec.truetype:
        raise InputError("the sample screenshots need a TrueType CJK font (WenQuanYi Micro Hei)")
    return ImageFont.truetype(spec.path, size, index=spec.face_index)


#: Punctuation that does not begin a line (kept at the end of the previous one, as phones do).
_NO_LINE_START = frozenset("，。！？、；：）」』")


def _wrap(text: str, size: int, width: int) -> list[str]:
    font = _font(size)
    lines, line = [], ""
    for ch in text:
        if font.getlength(line + ch) > width and ch not in _NO_LINE_START:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


@dataclass(frozen=True, slots=True)
class _Page:
    """What a screenshot of the post page shows."""

    clock: str
    displayed: str
    client: str
    counts: tuple[str, str, str]
    url: str | None = None
    status_bar: bool = True
    comments: tuple[tuple[str, str, str], ...] = ()
    text: str = POST_TEXT
    mark: bool = False  # a red box drawn round the text (the edited copy)


_COMMENTS = (
    ("南城小馒头", "我上周刚在那儿买过蛋糕，还好没事", "昨天 14:20"),
    ("爱吃甜品的阿May", "有图有真相吗？别乱传", "昨天 14:31"),
    ("路过的猫先生", "已避雷，谢谢提醒", "昨天 15:02"),
    ("城东老周", "这家店开了十年了，不像会干这种事的", "昨天 15:40"),
    ("吃瓜第一线", "坐等官方通报", "昨天 16:12"),
    ("晴天小雨伞", "转给我妈了", "昨天 17:05"),
    ("一只快乐的柠檬", "求证据，别冤枉人", "昨天 18:44"),
    ("夜跑的小林", "我家孩子也在那买过，吓死了", "昨天 19:30"),
)


def _draw_page(page: _Page, size: tuple[int, int] = SCREEN, tall: int | None = None):
    from PIL import Image, ImageDraw

    w = size[0]
    h = tall or size[1]
    img = Image.new("RGB", (w, h), (246, 246, 246))
    d = ImageDraw.Draw(img)
    y = 0
    if page.status_bar:
        d.rectangle((0, 0, w, 44), fill=(255, 255, 255))
        d.text((28, 10), page.clock, font=_font(22), fill=(0, 0, 0))
        for i in range(4):  # signal bars, battery
            d.rectangle((w - 120 + i * 8, 30 - i * 5, w - 115 + i * 8, 32), fill=(0, 0, 0))
        d.rounded_rectangle((w - 70, 14, w - 28, 32), radius=4, outline=(0, 0, 0), width=2)
        d.rectangle((w - 66, 18, w - 42, 28), fill=(0, 0, 0))
        y = 44
    if page.url is not None:
        d.rectangle((0, y, w, y + 56), fill=(255, 255, 255))
        d.rounded_rectangle((16, y + 8, w - 16, y + 48), radius=10, fill=(236, 236, 238))
        d.text((34, y + 16), "▣", font=_font(18), fill=(120, 120, 120))
        shown = page.url.removeprefix("https://")
        d.text((60, y + 16), shown, font=_font(19), fill=(60, 60, 60))
        y += 56
    if page.status_bar:
        d.rectangle((0, y, w, y + 56), fill=(255, 255, 255))
        d.text((22, y + 12), "〈", font=_font(26), fill=(50, 50, 50))
        d.text((w // 2 - 52, y + 14), "微博正文", font=_font(26), fill=(20, 20, 20))
        d.line((0, y + 55, w, y + 55), fill=(225, 225, 225))
        y += 56
    top = y
    d.rectangle((0, top, w, top + 10), fill=(246, 246, 246))
    y += 10
    d.ellipse((24, y + 18, 96, y + 90), fill=(240, 150, 60))
    d.text((44, y + 34), "瓜", font=_font(30), fill=(255, 255, 255))
    d.text((112, y + 22), POSTER_NAME, font=_font(26), fill=(235, 115, 64))
    d.text((112, y + 60), f"{page.displayed} 来自 {page.client}", font=_font(19),
           fill=(150, 150, 150))
    y += 110
    lines = _wrap(page.text, 27, w - 56)
    text_top = y
    for line in lines:
        d.text((28, y), line, font=_font(27), fill=(30, 30, 30))
        y += 42
    if page.mark:
        d.rectangle((18, text_top - 8, w - 18, y + 4), outline=(230, 30, 30), width=4)
    y += 12
    d.rectangle((28, y, 28 + 230, y + 230), fill=(214, 196, 170))
    d.text((28 + 70, y + 100), "[图片]", font=_font(26), fill=(120, 100, 80))
    d.rectangle((28 + 240, y, 28 + 470, y + 230), fill=(200, 184, 160))
    d.text((28 + 310, y + 100), "[图片]", font=_font(26), fill=(120, 100, 80))
    y += 250
    d.line((0, y, w, y), fill=(230, 230, 230))
    third = w // 3
    for i, label in enumerate((f"转发 {page.counts[0]}", f"评论 {page.counts[1]}",
                               f"赞 {page.counts[2]}")):
        x = i * third + (third - _font(22).getlength(label)) / 2
        d.text((x, y + 16), label, font=_font(22), fill=(90, 90, 90))
    y += 66
    d.rectangle((0, y, w, h), fill=(255, 255, 255))
    y += 14
    d.text((24, y), f"评论 {page.counts[1]}", font=_font(22), fill=(20, 20, 20))
    y += 44
    for name, text, when in page.comments:
        if y + 100 > h:
            break
        d.ellipse((24, y, 68, y + 44), fill=(170, 190, 215))
        d.text((80, y), name, font=_font(20), fill=(235, 115, 64))
        d.text((80, y + 28), text, font=_font(22), fill=(40, 40, 40))
        d.text((80, y + 60), when, font=_font(17), fill=(160, 160, 160))
        y += 100
    return img


def _png(img) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def _exif_time(t: datetime) -> str:
    return t.strftime("%Y:%m:%d %H:%M:%S")


def _jpeg(img, *, make: str | None = None, model: str | None = None,
          taken: datetime | None = None, software: str | None = None,
          modified: datetime | None = None, quality: int = 78) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    if software:
        exif[0x0131] = software
    if taken is not None:
        stamp = modified or taken
        exif[0x0132] = _exif_time(stamp)
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = _exif_time(taken)
        sub[0x9004] = _exif_time(taken)
        offset = taken.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}"
        sub[0x9010] = offset
        sub[0x9011] = offset
        sub[0x9012] = offset
        sub[0xA002] = img.width
        sub[0xA003] = img.height
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, exif=exif.tobytes() if len(exif) else b"",
             optimize=True)
    return out.getvalue()


# --- the recording -------------------------------------------------------------------------------


def _recording(created: datetime) -> bytes:
    """A 4 s MPEG-4 (part 2) screen recording, 270x584 at 5 fps, of the page scrolling."""
    import av
    import numpy as np
    from PIL import Image

    page = _Page("09:41", "昨天 14:02", "iPhone 15 Pro", ("1920", "618", "1.2万"),
                 comments=_COMMENTS)
    tall = _draw_page(page, SCREEN, tall=SCREEN[1] + 700)
    head = tall.crop((0, 0, SCREEN[0], 100))
    body = tall.crop((0, 100, SCREEN[0], tall.height))
    out = io.BytesIO()
    with av.open(out, "w", format="mp4",
                 options={"fflags": "+bitexact"}) as c:
        c.metadata["creation_time"] = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        s = c.add_stream("mpeg4", rate=RECORDING_FPS)
        s.width, s.height = RECORDING
        s.pix_fmt = "yuv420p"
        s.bit_rate = 200_000
        s.codec_context.options = {"flags": "+bitexact"}
        for i in range(RECORDING_FRAMES):
            shift = min(i, RECORDING_FRAMES - 6) * 40
            frame = head.copy()
            view = body.crop((0, shift, SCREEN[0], shift + SCREEN[1] - 100))
            canvas = Image.new("RGB", SCREEN)
            canvas.paste(frame, (0, 0))
            canvas.paste(view, (0, 100))
            small = canvas.resize(RECORDING, Image.Resampling.LANCZOS)
            vf = av.VideoFrame.from_ndarray(np.asarray(small), format="rgb24")
            vf.pts = i
            for packet in s.encode(vf):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)
    return out.getvalue()


# --- the web capture -----------------------------------------------------------------------------

_NOTARY_WARC_DATE = datetime(2026, 11, 21, 6, 23, 5, tzinfo=UTC)
#: The platform server's HTTP Date of the same response: the notary's PC clock was 7 min 36 s slow.
_NOTARY_HTTP_DATE = datetime(2026, 11, 21, 6, 30, 41, tzinfo=UTC)


def _post_html(*, saved_from: bool) -> bytes:
    """The post page as the platform served it (a static, server-rendered page)."""
    prefix = f"<!-- saved from url=({len(POST_URL):04d}){POST_URL} -->\n" if saved_from else ""
    comments = "\n".join(
        f'      <li class="comment"><a class="name">{n}</a>：{t} <span class="time">{w}</span></li>'
        for n, t, w in _COMMENTS[:4])
    published = POST_TIME.isoformat()
    return (f"""<!DOCTYPE html>
{prefix}<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>{POSTER_NAME}的微博</title>
  <meta name="description" content="{POST_TEXT}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{POSTER_NAME}的微博">
  <meta property="og:url" content="{POST_URL}">
  <meta property="article:author" content="{POSTER_NAME}">
  <meta property="article:published_time" content="{published}">
  <link rel="canonical" href="{POST_URL}">
</head>
<body>
  <article class="weibo-detail" data-mid="{POST_ID}">
    <header>
      <a class="author" href="https://weibo.com/u/{POSTER_ID}">{POSTER_NAME}</a>
      <time datetime="{published}">11-20 14:02</time> 来自 iPhone 15 Pro
    </header>
    <div class="text">{POST_TEXT}</div>
    <div class="pics"><img src="pic1.jpg" alt="图片"><img src="pic2.jpg" alt="图片"></div>
    <footer class="counts">转发 2105 · 评论 644 · 赞 1.3万</footer>
    <ul class="comments">
{comments}
    </ul>
  </article>
</body>
</html>
""").encode()


def _warc(page: bytes) -> bytes:
    """A gzip WARC of the notary's capture: request, response and metadata records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    date = _NOTARY_WARC_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    rid = "<urn:uuid:6f1c2d7e-0b4a-4c55-9a51-2026112100{:02d}>"
    request = StatusAndHeaders(f"GET /{POSTER_ID}/{POST_ID} HTTP/1.1", [
        ("Host", "weibo.com"),
        ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                       "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"),
        ("Accept", "text/html"), ("Accept-Language", "zh-CN,zh;q=0.9")], is_http_request=True)
    response = StatusAndHeaders("200 OK", [
        ("Date", format_datetime(_NOTARY_HTTP_DATE, usegmt=True)),
        ("Server", "nginx"), ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(page))), ("Cache-Control", "no-cache")], protocol="HTTP/1.1")
    records = [
        writer.create_warc_record(POST_URL, "response", payload=io.BytesIO(page),
                                  length=len(page), http_headers=response,
                                  warc_headers_dict={"WARC-Date": date,
                                                     "WARC-Record-ID": rid.format(1)}),
        writer.create_warc_record(POST_URL, "request", payload=io.BytesIO(b""), length=0,
                                  http_headers=request,
                                  warc_headers_dict={"WARC-Date": date,
                                                     "WARC-Record-ID": rid.format(2),
                                                     "WARC-Concurrent-To": rid.format(1)}),
    ]
    meta = ("via: 示例公证处 电子数据保全工作站 3 号机\r\n"
            "operator: 公证员 孙某、公证员助理 钱某\r\n"
            "notarial-record: (2026)示证字第1121号\r\n").encode()
    records.append(writer.create_warc_record(
        POST_URL, "metadata", payload=io.BytesIO(meta), length=len(meta),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": rid.format(3),
                           "WARC-Concurrent-To": rid.format(1)}))
    for r in records:
        writer.write_record(r)
    return out.getvalue()


# --- e-mail --------------------------------------------------------------------------------------


def _b64_lines(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def _word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


def _notice_mail() -> bytes:
    body = (
        "微博运营方：\r\n\r\n"
        f"贵平台用户“{POSTER_NAME}”（UID {POSTER_ID}）于2026年11月20日14:02发布的微博\r\n"
        f"{POST_URL}\r\n"
        "称本人“用过期面粉做蛋糕”“偷偷改生产日期”，内容完全失实，已严重损害本人及暖阳烘焙的名誉。\r\n"
        "根据《民法典》第一千一百九十五条，特此通知贵平台：请立即删除该微博，并保存该微博及其\r\n"
        "转发记录（转发账号、转发时间、转发内容、阅读数），以备诉讼之用。\r\n\r\n"
        "附：营业执照及食品经营许可证复印件将另行邮寄。\r\n\r\n"
        "陈某明\r\n暖阳烘焙\r\n2026年11月21日\r\n")
    headers = [
        "Received: from smtp.mail.example (smtp.mail.example [198.51.100.25])\r\n"
        "\tby mx1.platform.example with ESMTPS id 4Kx9pQ2mZ1\r\n"
        "\tfor <report@platform.example>; Sat, 21 Nov 2026 16:05:20 +0800",
        "Received: from [192.0.2.10] (unknown [192.0.2.10])\r\n"
        "\tby smtp.mail.example with ESMTPSA id 7Hq2Lm\r\n"
        "\tfor <report@platform.example>; Sat, 21 Nov 2026 16:05:13 +0800",
        f"From: {_word('陈某明', 'utf-8')} <chen.mm@mail.example>",
        f"To: {_word('微博运营方', 'utf-8')} <report@platform.example>",
        f"Subject: {_word('侵权通知：请删除失实微博并保存转发记录', 'utf-8')}",
        "Date: Sat, 21 Nov 2026 16:05:12 +0800",
        "Message-ID: <20261121160512.notice.0001@mail.example>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n" + _b64_lines(body.encode("utf-8"))
            + "\r\n").encode("ascii")


def _witness_mail(attachment: bytes) -> bytes:
    """The witness's mail in GBK with one of his screenshots attached; written offline at
    10:40 and sent at 12:52 (the Date header is the time it was written)."""
    body = ("林律师：\r\n\r\n"
            "您好！附件是我昨天上午在手机上截的那条微博的图。截图时间是11月21日10点05分左右，\r\n"
            "但我手机的日期前几天刷机后设置错了，截图文件上的年份显示是2025年，特此说明。\r\n\r\n"
            "周某\r\n")
    boundary = "----=_NextPart_000_0017_01DB5C3A.5E6F7A80"
    name = _word("截图1.png", "gbk")
    headers = [
        "Received: from mx.example.org (mx.example.org [203.0.113.7])\r\n"
        "\tby mail.example.org with ESMTP id 9QpL2\r\n"
        "\tfor <lin.lawyer@example.org>; Sat, 21 Nov 2026 12:52:31 +0800",
        "Received: from DESKTOP-ZHOU (unknown [192.0.2.77])\r\n"
        "\tby smtp.example.net with ESMTPA id 3Ka81\r\n"
        "\tfor <lin.lawyer@example.org>; Sat, 21 Nov 2026 12:52:30 +0800",
        f"From: {_word('周某', 'gbk')} <zhou.x@example.net>",
        f"To: {_word('林律师', 'gbk')} <lin.lawyer@example.org>",
        f"Subject: {_word('微博截图和情况说明', 'gbk')}",
        "Date: Sat, 21 Nov 2026 10:40:03 +0800",
        "Message-ID: <202611211040031234567@example.net>",
        "X-Mailer: Foxmail 7.2.25.228[cn]",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\r\n\tboundary="{boundary}"',
    ]
    parts = [
        f"--{boundary}\r\n"
        'Content-Type: text/plain;\r\n\tcharset="gbk"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + _b64_lines(body.encode("gbk")) + "\r\n",
        f"--{boundary}\r\n"
        f'Content-Type: image/png;\r\n\tname="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment;\r\n\tfilename="{name}"\r\n\r\n'
        + _b64_lines(attachment) + "\r\n",
        f"--{boundary}--\r\n",
    ]
    return ("\r\n".join(headers) + "\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n"
            + "\r\n".join(parts)).encode("ascii")


# --- the chat ------------------------------------------------------------------------------------

#: The group chat (WeChatMsg CSV): (local time, sender wxid, name, text).  Row 9 is out of order:
#: the export was merged from the exporter's phone and PC backups (see data/README.md).
_CHAT = (
    ("2026-11-20 13:41:05", "wxid_zhaomou88", "老赵", "暖阳烘焙那事你们听说了没"),
    ("2026-11-20 13:42:30", "wxid_wu_l", "吴某", "啥事？"),
    ("2026-11-20 13:45:12", "wxid_zhaomou88", "老赵", "我等会儿发个微博，让他们家关门"),
    ("2026-11-20 14:05:47", "wxid_zhaomou88", "老赵", "发了，用我那个城南吃瓜君的号"),
    ("2026-11-20 14:06:20", "wxid_qian_ff", "钱姐", "你有证据吗？别惹事"),
    ("2026-11-20 14:07:02", "wxid_zhaomou88", "老赵", "谁让他上次不给我退款，过期面粉是我猜的，管他呢"),
    ("2026-11-20 18:20:15", "wxid_zhaomou88", "老赵", "哈哈转发已经过五百了"),
    ("2026-11-20 18:22:40", "wxid_wu_l", "吴某", "你这样要被告的"),
    ("2026-11-20 18:16:31", "wxid_qian_ff", "钱姐", "[链接] 城南吃瓜君的微博"),
    ("2026-11-20 18:25:03", "wxid_zhaomou88", "老赵", "告就告，又不是实名"),
    ("2026-11-21 20:58:44", "wxid_zhaomou88", "老赵", "他家报警了？那我先把微博删了"),
    ("2026-11-21 21:00:10", "wxid_wu_l", "吴某", "删了也有截图的"),
)


def _chat_csv() -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
                "StrContent", "StrTime", "Remark", "NickName", "Sender"])
    for n, (when, wxid, name, text) in enumerate(_CHAT, start=1):
        local = datetime.strptime(when, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
        w.writerow([n + 3040, 17, 1, 0, int(wxid == "wxid_wu_l"), int(local.timestamp()), 2,
                    text, when, name, name, wxid])
    return out.getvalue().encode("utf-8-sig")


# --- the repost lists ----------------------------------------------------------------------------

_NAME_A = ("快乐的", "南城", "城东", "爱吃", "路过的", "一只", "夜跑的", "晴天", "佛系", "认真的",
           "小小", "阿", "暴躁", "温柔的", "深夜", "元气", "咸鱼", "努力的", "追风的", "安静的")
_NAME_B = ("小鱼", "柠檬", "猫先生", "吃货", "馒头", "阿May", "小林", "雨伞", "老周", "土豆",
           "橘子", "兔兔", "打工人", "喵", "大叔", "少女", "汽水", "奶茶", "面包", "小王")
_COMMENT = ("转发微博", "转发微博", "转发微博", "太恶心了", "真的假的？", "已避雷", "转给家人",
            "吓人", "求证据", "坐等通报", "心疼小孩", "", "这家店我去过", "无良商家", "避雷+1")
_VARIANTS = (
    POST_TEXT.replace("过期面粉", "发霉面粉"),
    POST_TEXT.replace("好几个小孩", "十几个小孩"),
    POST_TEXT.replace("上吐下泻", "住院了"),
    POST_TEXT.replace("陈某明", "陈老板"),
    POST_TEXT.replace("偷偷改生产日期", "偷偷改保质期"),
    POST_TEXT.replace("大家千万别去了", "已经被查封了"),
)
#: Accounts with many followers: their reposts are reposted far more often than others'.
_AMPLIFIERS = 12


def _views(rng: random.Random, big: bool) -> str:
    if big:
        return rng.choice(("1.2万", "3.4万", "10万+", "5.6万", "2.1万"))
    v = int(rng.paretovariate(1.3) * 20)
    if v >= 100_000:
        return "10万+"
    if v >= 10_000:
        return f"{v / 10_000:.1f}万"
    return str(v)


def _repost_rows(rng: random.Random, *, post_id: str, start: datetime, text: str, count: int,
                 hours: float, half_life: float, variants: Sequence[str], prefix: str,
                 names: dict[str, str], original_counts: tuple[str, str, str, str]
                 ) -> list[list[str]]:
    """Rows of one post's repost list (the documented form, docs/formats/reposts.md 1.2)."""
    rows: list[list[str]] = [[post_id, POSTER_ID, POSTER_NAME, "", start.isoformat(), text,
                              original_counts[0], f"{prefix}0", "", *original_counts[1:]]]
    # arrival times: a decaying rate (half-life in hours), drawn as sorted quantiles
    lam = math.log(2) / half_life
    top = 1 - math.exp(-lam * hours)
    offsets = sorted(-math.log(1 - rng.random() * top) / lam for _ in range(count))
    accounts = list(names)
    amplifiers = rng.sample(accounts[:400], _AMPLIFIERS)
    nodes: list[tuple[str, str, str, str]] = [(POSTER_ID, POSTER_NAME, text, f"{prefix}0")]
    weights = [40.0]
    used: set[str] = set()
    variant_at = {int(count * f): v for f, v in zip((0.02, 0.07, 0.15, 0.3, 0.45, 0.6),
                                                      variants, strict=False)}
    for i, off in enumerate(offsets):
        when = start + timedelta(seconds=round(30 + off * 3600))
        account = next(a for a in (rng.choice(accounts) for _ in range(200)) if a not in used)
        used.add(account)
        parent = rng.choices(range(len(nodes)), weights=weights)[0]
        p_id, p_name, p_text, p_rid = nodes[parent]
        if i in variant_at:
            parent, (p_id, p_name, p_text, p_rid) = 0, nodes[0]
            body = variant_at[i]
        elif parent == 0:
            body = rng.choice(_COMMENT)
        else:
            body = f"{rng.choice(_COMMENT)}//@{p_name}:{p_text}"
        if len(body) > 140:
            body = body[:140]
        rid = f"{prefix}{i + 1}"
        big = account in amplifiers
        rows.append([post_id, account, names[account], p_id, when.isoformat(), body,
                     _views(rng, big), rid, p_rid, "", "", ""])
        nodes.append((account, names[account], body, rid))
        weights.append(25.0 if big else 0.35)
    return rows


def _names(rng: random.Random, n: int) -> dict[str, str]:
    names: dict[str, str] = {}
    taken: set[str] = set()
    while len(names) < n:
        name = rng.choice(_NAME_A) + rng.choice(_NAME_B)
        if rng.random() < 0.7:
            name += str(rng.randint(1, 9999))
        if name in taken or name == POSTER_NAME:
            continue
        taken.add(name)
        names[str(rng.randint(1_000_000_000, 7_999_999_999))] = name
    return names


def _reposts_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["post_id", "account_id", "account_name", "parent_account_id", "time", "text",
                "views", "repost_id", "parent_repost_id", "reposts", "comments", "likes"])
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def _repost_lists(seed: int) -> tuple[bytes, bytes]:
    rng = random.Random(seed)  # noqa: S311 - a seeded, reproducible sample, not a secret
    names = _names(rng, 5000)
    first = _repost_rows(rng, post_id=POST_ID, start=POST_TIME, text=POST_TEXT,
                         count=REPOST_COUNT, hours=60, half_life=9.0, variants=_VARIANTS,
                         prefix="R", names=names,
                         original_counts=("10万+", "2987", "652", "1.3万"))
    # a few exact duplicates (the platform's export repeated rows), right after their first copy;
    # rows nobody reposted from, so that every parent_repost_id still names one row
    parents = {r[8] for r in first}
    leaves = [k for k in range(100, len(first)) if first[k][7] not in parents]
    early = rng.sample([k for k in leaves if k < 450], 1)  # before the 500th repost
    late = rng.sample([k for k in leaves if k >= 450], DUPLICATES - 1)
    for k in sorted(early + late, reverse=True):
        first.insert(k + 1, list(first[k]))
    rng2 = random.Random(seed + 1)  # noqa: S311 - as above
    second = _repost_rows(rng2, post_id=SECOND_POST_ID, start=SECOND_TIME,
                          text=SECOND_TEXT, count=SECOND_REPOST_COUNT, hours=48, half_life=6.0,
                          variants=(), prefix="S", names=names,
                          original_counts=("3.1万", "268", "97", "1022"))
    return _reposts_csv(first), _reposts_csv(second)


# --- the files and their intake facts ------------------------------------------------------------

_VICTIM = "陈某明"
_VICTIM_PHONE = "Apple iPhone 14 (serial F4GDEMO0A1)"
_HUAWEI = ("HUAWEI", "NOH-AN00")
_HUAWEI_CARRIER = "HUAWEI Mate 40 Pro NOH-AN00 (serial NOHDEMO2026)"
_XIAOMI = ("Xiaomi", "23013RK75C")
_XIAOMI_CARRIER = "Xiaomi Redmi K60 23013RK75C (serial RDKDEMO7731)"
_PURPOSE_POST = "证明涉案微博的内容、发布者和发布时间"


def _cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def _facts(**kw: str) -> IntakeFacts:
    return IntakeFacts(**kw)


def _post_facts(captured: datetime, displayed: str, **kw: str) -> IntakeFacts:
    base = {"category": "帖子", "platform": "微博", "url": POST_URL, "publisher": POSTER_NAME,
            "publisher_id": POSTER_ID, "displayed_time": displayed,
            "captured_at": captured.isoformat(), "purpose": _PURPOSE_POST}
    base.update(kw)
    return IntakeFacts(**base)


def sample_files(seed: int = DEFAULT_SEED) -> dict[str, tuple[bytes, IntakeFacts | None]]:
    """Every file of the sample (path relative to the destination -> bytes, intake facts).

    The intake sheet itself and the notary's hash list are made from these by :func:`generate`.
    """
    from PIL import Image

    files: dict[str, tuple[bytes, IntakeFacts | None]] = {}

    # 1. the victim's iPhone screenshot in Safari: PNG, no EXIF, URL bar, "昨天 14:02"
    t1 = _cst(2026, 11, 21, 9, 15, 40)
    safari = _draw_page(_Page("09:15", "昨天 14:02", "iPhone 15 Pro", ("1843", "611", "1.2万"),
                              url=POST_URL, comments=_COMMENTS[:5]))
    files["screenshots/IMG_4821.PNG"] = (_png(safari), _post_facts(
        t1, "昨天 14:02", captured_by=_VICTIM, tool="iOS 截屏（Safari 浏览器）",
        method="screenshot 截图", carrier=_VICTIM_PHONE,
        note="受害人本人手机截图，PNG 无 EXIF；地址栏显示涉案微博网址"))

    # 2. the HUAWEI screenshot in the app: JPEG with EXIF that agrees with everything
    t2 = _cst(2026, 11, 21, 9, 30, 12)
    app = _draw_page(_Page("09:30", "昨天 14:02", "iPhone 15 Pro", ("1897", "615", "1.2万"),
                           comments=_COMMENTS[:6]))
    files["screenshots/Screenshot_20261121_093012_com.sina.weibo.jpg"] = (
        _jpeg(app, make=_HUAWEI[0], model=_HUAWEI[1], taken=t2), _post_facts(
            t2, "昨天 14:02", captured_by=_VICTIM, tool="EMUI 截屏（微博客户端）",
            method="screenshot 截图", carrier=_HUAWEI_CARRIER,
            note="受害人第二部手机截图，JPEG，EXIF 拍摄时间与文件名一致"))

    # 3. an annotated copy of 2, saved by Photoshop a day later; its status-bar clock was
    #    retouched too (08:30, where the screenshot it was made from shows 09:30)
    marked = _draw_page(_Page(ANNOTATED_CLOCK, "昨天 14:02", "iPhone 15 Pro",
                              ("1897", "615", "1.2万"), comments=_COMMENTS[:6], mark=True))
    files["screenshots/weibo-post-annotated.jpg"] = (
        _jpeg(marked, make=_HUAWEI[0], model=_HUAWEI[1], taken=t2,
              software="Adobe Photoshop 25.11 (Windows)", modified=_cst(2026, 11, 22, 16, 48, 5)),
        _post_facts(t2, "昨天 14:02", captured_by=_VICTIM, tool="EMUI 截屏，后经 Photoshop 加红框",
                    method="screenshot 截图（编辑后的副本）", carrier="none",
                    note="律师助理在截图上加红框标注的副本，非原始文件；状态栏时间显示 08:30"))

    # 4, 5. the witness's Xiaomi, whose date was set one year back after a reflash
    wrong = timedelta(days=365)
    for shown_at, ms, comments, scroll in ((_cst(2026, 11, 21, 10, 5, 33), 118, _COMMENTS[:3],
                                            False),
                                           (_cst(2026, 11, 21, 10, 6, 2), 447, _COMMENTS, True)):
        device = shown_at - wrong
        # to a phone living in 2025 the post and its comments are in the future: full dates
        dated = tuple((n, t, w.replace("昨天", "2026-11-20")) for n, t, w in comments)
        page = _Page(device.strftime("%H:%M"), "2026-11-20 14:02", "iPhone 15 Pro",
                     ("1990", "630", "1.2万"), comments=dated)
        img = _draw_page(page)
        if scroll:  # the second one scrolled down to the comments
            tall = _draw_page(page, tall=SCREEN[1] + 420)
            img = Image.new("RGB", SCREEN)
            img.paste(tall.crop((0, 0, SCREEN[0], 100)), (0, 0))
            img.paste(tall.crop((0, 520, SCREEN[0], 520 + SCREEN[1] - 100)), (0, 100))
        name = (f"screenshots/Screenshot_{device:%Y-%m-%d-%H-%M-%S}-{ms:03d}"
                f"_com.sina.weibo.jpg")
        files[name] = (_jpeg(img, make=_XIAOMI[0], model=_XIAOMI[1], taken=device),
                       _post_facts(shown_at, "2026-11-20 14:02", captured_by="周某（证人）",
                                   tool="MIUI 截屏（微博客户端）", method="screenshot 截图",
                                   carrier=_XIAOMI_CARRIER,
                                   note="证人手机截图；证人称手机刷机后日期设错"))

    # 6. a crop of 1 without status and URL bar, forwarded over WeChat (EXIF stripped)
    crop = safari.crop((0, 156, SCREEN[0], 156 + 620))
    files["screenshots/微信图片_20261121101502.jpg"] = (_jpeg(crop, quality=72), _post_facts(
        _cst(2026, 11, 21, 10, 15, 2), "昨天 14:02", captured_by=_VICTIM,
        tool="微信（转发给律师时保存）", method="screenshot 截图（裁剪后经微信转发）",
        carrier="none", note="IMG_4821.PNG 的裁剪件，无状态栏和地址栏，无法单独证明网址"))

    # 7. a screen recording on the HUAWEI: its recorder writes local time into mvhd
    t7 = _cst(2026, 11, 21, 9, 41, 7)
    files["recordings/SVID_20261121_094107_1.mp4"] = (
        _recording(t7.replace(tzinfo=UTC)), _post_facts(
            t7, "昨天 14:02", category="视频", captured_by=_VICTIM, tool="EMUI 屏幕录制",
            method="screen recording 录屏", carrier=_HUAWEI_CARRIER,
            note="录屏：从页面顶部向下滚动到评论区，约 4 秒"))

    # 8, 9. the notary's capture: a WARC and the page saved by the browser
    page = _post_html(saved_from=False)
    files["notary/weibo-post-20261121.warc.gz"] = (_warc(page), _post_facts(
        _cst(2026, 11, 21, 14, 30, 41), "11-20 14:02", captured_by="示例公证处（公证员孙某）",
        tool="ArchiveWeb 式保全工作站", method="notarized capture 公证保全（网页存档）",
        carrier="none", note="(2026)示证字第1121号公证书所附网页存档"))
    files["notary/weibo-post-20261121.html"] = (_post_html(saved_from=True), _post_facts(
        _cst(2026, 11, 21, 14, 33, 10), "11-20 14:02", captured_by="示例公证处（公证员孙某）",
        tool="Chrome 130 另存为网页（仅 HTML）", method="notarized capture 公证保全（网页另存）",
        carrier="none", note="(2026)示证字第1121号公证书所附网页文件"))

    # 10, 11. e-mails
    files["mail/notice-to-platform.eml"] = (_notice_mail(), _facts(
        category="邮件", captured_at="2026-11-22T09:00:00+08:00", captured_by="林律师",
        tool="Thunderbird 128 另存为 .eml", method="saved e-mail", carrier="none",
        purpose="证明受害人已于2026年11月21日通知平台（民法典第1195条）",
        note="受害人发给平台的侵权通知，由受害人转交律师"))
    thumb = safari.resize((135, 292), Image.Resampling.LANCZOS)
    files["mail/witness-screenshots-gbk.eml"] = (_witness_mail(_png(thumb)), _facts(
        category="邮件", captured_at="2026-11-22T09:05:00+08:00", captured_by="林律师",
        tool="Thunderbird 128 另存为 .eml", method="saved e-mail", carrier="none",
        purpose="证明证人转交截图的经过及其对手机日期的说明",
        note="证人用 Foxmail 发来的 GBK 编码邮件，附截图缩略图"))

    # 12. the WeChat group chat, exported by a member with WeChatMsg
    files["chat/城南街坊群_utf8.csv"] = (_chat_csv(), _facts(
        category="聊天记录", platform="微信", publisher="老赵 (wxid_zhaomou88)",
        captured_at="2026-11-22T20:10:00+08:00", captured_by="吴某（群成员）",
        tool="WeChatMsg 2.0.9 导出 CSV", method="export 导出", carrier="none",
        purpose="证明发布者在群聊中承认发布涉案微博并知道内容是猜测",
        note="群成员吴某从电脑版微信导出，导出前曾把手机聊天记录迁移到电脑"))

    # 13, 14. the platform's repost lists
    first, second = _repost_lists(seed)
    platform = {"category": "记录", "platform": "微博", "publisher": POSTER_NAME,
                "publisher_id": POSTER_ID, "captured_at": EXPORT_TIME.isoformat(),
                "captured_by": "微博运营方（示例）", "tool": "平台导出",
                "method": "platform export after a notice (民法典第1195条)", "carrier": "none"}
    files[f"platform/reposts-{POST_ID}.csv"] = (first, IntakeFacts(
        url=POST_URL, purpose="证明涉案微博的转发范围和转发次数", **platform))
    files[f"platform/reposts-{SECOND_POST_ID}.csv"] = (second, IntakeFacts(
        url=SECOND_URL, purpose="证明同一账号一年内另一条涉及受害人的微博的转发次数", **platform))
    return files


def _hash_list(files: dict[str, tuple[bytes, IntakeFacts | None]]) -> bytes:
    """The notary's list (sha256sum form) of the files it handed over, plus one it lists but
    that was never handed over."""
    lines = []
    for name in ("notary/weibo-post-20261121.warc.gz", "notary/weibo-post-20261121.html"):
        lines.append(f"{hashlib.sha256(files[name][0]).hexdigest()}  {Path(name).name}")
    missing = hashlib.sha256(b"notary screen video 2026-11-21 (not handed over)").hexdigest()
    lines.append(f"{missing}  公证录像_20261121.mp4")
    return ("\n".join(lines) + "\n").encode("utf-8")


_SHEET_COLUMNS = ("file", *(f.name.replace("_", "-") for f in fields(IntakeFacts)))


def _sheet(rows: list[tuple[str, IntakeFacts]]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(_SHEET_COLUMNS)
    for name, facts in rows:
        w.writerow([name, *(getattr(facts, f.name) or "" for f in fields(IntakeFacts))])
    return out.getvalue().encode("utf-8-sig")


def generate(dest: Path, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the sample case's files and its intake sheet (``intake.csv``) into ``dest``.

    Parameters
    ----------
    dest : Path
        The folder to write into (created; files already there with the same names are
        replaced, others are left alone).
    seed : int
        The seed of the repost lists (:data:`DEFAULT_SEED` for the committed sample).

    Returns
    -------
    list of Path
        The files written, sorted, the intake sheet last.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = generate(pathlib.Path(tempfile.mkdtemp()))
    >>> len(out), out[-1].name
    (16, 'intake.csv')
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise InputError(f"{dest}: not a folder; the sample case needs a folder to write into")
    files = sample_files(seed)
    files[NOTARY_LIST] = (_hash_list(files), IntakeFacts(
        category="其他", captured_at=NOTARY_TIME,
        captured_by=NOTARY, tool="sha256sum", method="notary hash list",
        carrier="none", purpose="公证处对其保全文件所列的 SHA-256 值",
        note="公证处所列哈希清单；其中“公证录像_20261121.mp4”未随材料移交"))
    written = []
    rows = []
    try:
        for name in sorted(files):
            data, facts = files[name]
            path = dest / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
            if facts is not None:
                rows.append((name, facts))
        sheet = dest / "intake.csv"
        sheet.write_bytes(_sheet(rows))
    except OSError as exc:  # a file where a folder goes, a full disk, no permission
        where = exc.filename or dest
        raise InputError(f"{where}: the sample case cannot be written there "
                         f"({exc.strerror or exc}); choose another folder") from None
    return [*written, sheet]


def build_case(case_dir: Path, files: Path, *, progress: bool | None = None,
               screens: bool = True) -> Case:
    """Build the sample case at ``case_dir`` from the files :func:`generate` wrote in ``files``.

    What an expert does on receiving the material: :meth:`Case.init` (title
    :data:`CASE_TITLE`, number :data:`CASE_NUMBER`, examiner :data:`EXAMINER`), every file of
    ``files/intake.csv`` brought in with its intake facts, every item parsed (the e-mail's
    attachment becomes an item of its own), the notary's hash list read as outside proof
    (:func:`forensics.attest.import_attestation`: issuer, time and event as its intake facts
    and :data:`NOTARY` state them), every screenshot and recording read by OCR with the
    :data:`KEY_PHRASES` (:func:`forensics.screens.check_screens`: the readings are kept, so a
    copy of the case never runs the OCR engine), then a verification; each step is recorded in
    the custody log at the time it happens.

    The repository keeps one build in ``data/case`` (``python -m forensics.sample
    data/case-files --case data/case``); ``forensics demo`` works on copies of it, so that two
    runs start from the same custody log and give the same appendix.

    Parameters
    ----------
    case_dir : Path
        The case folder to create; it must not exist or be empty.
    files : Path
        The folder :func:`generate` wrote (with ``intake.csv``).
    progress : bool, optional
        Progress bars (default: in a terminal or a notebook).
    screens : bool
        Read the captures by OCR (about 20 s on one core); ``False`` leaves that step out.

    Raises
    ------
    InputError
        No intake sheet in ``files``; ``case_dir`` not empty (``CaseExistsError``); what
        :meth:`Case.add` raises for a bad sheet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> files = generate(tmp / "files")
    >>> case = build_case(tmp / "case", tmp / "files", screens=False)  # no OCR: faster
    >>> len(case.items), [e.action for e in case.log.entries()][-3:]
    (16, ['parse', 'attest', 'verify'])
    """
    from forensics.artifacts import ensure_parsed
    from forensics.case import Case

    files, case_dir = Path(files), Path(case_dir)
    sheet = files / "intake.csv"
    if not sheet.is_file():
        raise InputError(f"{sheet}: no intake sheet; write the sample files first "
                         f"(python -m forensics.sample {files})")
    case = Case.init(case_dir, title=CASE_TITLE, case_number=CASE_NUMBER, examiner=EXAMINER)
    case.add([], sheet=sheet, progress=progress)
    ensure_parsed(case, progress=progress, record=True)
    case.refresh()
    case.attest(files / NOTARY_LIST, issuer=NOTARY, issued_at=NOTARY_TIME, event="notarized",
                progress=progress)
    if screens:
        case.screens(phrases=KEY_PHRASES, progress=progress, record=True)
    case.verify(record=True, progress=progress)
    # the log's lock file is made on first use and holds nothing
    (case.root / "custody.jsonl.lock").unlink(missing_ok=True)
    return case


def main(argv: list[str] | None = None) -> int:
    """``python -m forensics.sample DEST [--seed N] [--case CASE]``: write the sample files into
    DEST and, with ``--case``, build the sample case from them into CASE (:func:`build_case`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    usage = "usage: python -m forensics.sample DEST [--seed N] [--case CASE]"
    options: dict[str, str] = {}
    for flag in ("--seed", "--case"):
        if flag in args:
            i = args.index(flag)
            if i + 1 >= len(args):
                print(f"{flag} needs a value\n{usage}", file=sys.stderr)
                return 2
            options[flag] = args[i + 1]
            del args[i:i + 2]
    try:
        seed = int(options.get("--seed", DEFAULT_SEED))
    except ValueError:
        print(f"--seed needs an integer\n{usage}", file=sys.stderr)
        return 2
    if len(args) != 1 or args[0].startswith("-"):
        print(usage, file=sys.stderr)
        return 2
    from forensics.errors import ForensicsError

    try:
        written = generate(Path(args[0]), seed=seed)
        total = sum(p.stat().st_size for p in written)
        print(f"wrote {len(written)} files ({total / 1e6:.2f} MB) into {args[0]}")
        if "--case" in options:
            case = build_case(Path(options["--case"]), Path(args[0]))
            head = case.head
            print(f"built the case {options['--case']}: {len(case.items)} items, custody head "
                  f"entry {head.seq if head else 0}")
    except ForensicsError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
