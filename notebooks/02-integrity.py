# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
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
# # 二、完整性核验 / 2. Integrity
#
# 重新计算每件证据的哈希值，并逐条检查保管记录的哈希链与锚定。结果为“通过”“未通过”或
# “未检查”；“未检查”绝不视为“通过”。严格模式下（默认），核验未通过时本笔记本在此停止并报错，
# 之后的分析不会生成。
#
# Every stored item is hashed again and the custody log's hash chain and anchors are walked.
# The result is passed, failed or unchecked; unchecked never reads as passed. In strict mode
# (the default) a failed verification stops this notebook here with an error, and no analysis
# after it is made.

# %% tags=["analyst"]
import pandas as pd

from forensics.case import Case

pd.set_option("display.max_colwidth", None)  # digests in full, never cut with …

# %%
case = Case.open(case_dir)
report = case.verify(record=record, progress=False)
report

# %% tags=["integrity-gate"]
if strict:
    report.raise_for_problems()

# %% [markdown]
# ## 哈希值表 / Hash table
#
# 每件证据的大小、SHA-256、SM3、MD5、接收时间、取证时间与载体；没有原始载体的复制件单独标明
# （《证据规定》第十五条、第九十条）。
#
# Size, SHA-256, SM3, MD5, acquisition and capture times and carrier of every item; a copy with
# no original carrier is marked as such (arts. 15 and 90 of the provisions on evidence).

# %%
case.hash_table()
