# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
case_dir = "../demo/case"
out_dir = "../demo/reports"
strict = True
lang = "both"
record = True
key_phrases = []  # the defamatory statements to look for in screenshots

# %% [markdown]
# # 三、证据内容解析 / 3. Artifacts
#
# 每件证据按其内容（而非文件名）识别格式，由对应的解析器读取元数据、记录与时间。解析只读取
# 只读的存储副本，不改变任何字节；每次解析都记入保管记录。
#
# Each item is recognised by its content (not its name) and read by the parser of its format:
# metadata, records and the times it states. Parsing reads the read-only stored copy and never
# changes a byte; each run is logged in the custody log.

# %% tags=["analyst"]
import pandas as pd

from forensics.case import Case

pd.set_option("display.max_colwidth", None)  # digests in full, never cut with …

# %%
case = Case.open(case_dir)
case.artifacts(progress=False, record=record).drop(columns=["metadata", "derived", "derived_sha256"])

# %% [markdown]
# ## 解析警告 / Parse warnings
#
# 格式正确但内部有损坏的部分（如截断的记录、损坏的 EXIF 目录）记为警告，解析继续进行。
#
# A corrupt part inside a readable file (a truncated record, a broken EXIF directory) is a
# warning naming the item, parser and place; parsing goes on.

# %%
case.parse_warnings(progress=False, record=record)

# %% [markdown] tags=["analyst"]
# ## 解析出的记录 / Parsed records (analyst)

# %% tags=["analyst"]
case.records(progress=False, record=record)

# %% [markdown]
# ## 截图与录屏显示了什么 / What each screenshot and recording shows
#
# 法院要求截图显示侵权内容、发布者、发布时间和网址。每张截图和每段录屏都经离线文字识别（OCR）
# 读取，逐项判断“显示 / 未显示 / 不确定”，并列出据以判断的文字；录屏给出首次出现的时刻。识别结果
# 作为派生数据保存并记入保管记录，不改变原件。状态栏时间与取证时间不符的，另行提示。
#
# A court expects a screenshot to show the content, the publisher, the publish time and the
# address. Each screenshot and recording is read by offline OCR and each of the four is called
# shown, not shown or unsure, with the text that shows it (for a recording, the first moment it
# appears). The readings are kept as derived data and logged; the originals are not changed. A
# status-bar clock that disagrees with the capture time is pointed out.

# %%
case.screens(phrases=key_phrases, progress=False, record=record)
