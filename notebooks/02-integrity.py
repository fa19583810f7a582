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

# %% [markdown]
# ## 外部证明 / Outside proof
#
# 公证处、存证平台出具的哈希清单或证书（`forensics attest import`）所列的每个哈希值，按值（而非
# 文件名）与所持文件比对的结果：相符、不符（所持文件不是被证明的那个文件）、案中没有、无法核对。
#
# Every digest listed by an outside statement (a notary's or an evidence platform's hash list or
# certificate, read with `forensics attest import`), compared by value, never by file name, with
# the files in hand: matched, mismatched (the file in hand is not the file attested), missing
# from the case, or unchecked.

# %%
case.attestation_table()
