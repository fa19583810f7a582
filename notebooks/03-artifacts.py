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
