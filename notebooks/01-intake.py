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
# # 一、证据接收 / 1. Intake
#
# 本笔记本列出案件中已接收的全部证据：每件证据按内容编号（E0001、E0002……），
# 以只读方式保存，并记录 SHA-256、SM3、MD5 哈希值及接收时登记的事实（取证时间、取证人、
# 载体、证明目的等）。
#
# This notebook lists every item brought into the case: each distinct content has an evidence
# number (E0001, E0002, ...), is stored read-only, and carries its SHA-256, SM3 and MD5 digests
# and the facts recorded at intake (capture time, who captured it, the carrier, the purpose).

# %% tags=["analyst"]
import pandas as pd

from forensics.case import Case

pd.set_option("display.max_colwidth", None)  # digests in full, never cut with …

# %%
case = Case.open(case_dir)
case

# %% [markdown]
# ## 证据目录 / Evidence list
#
# 证据目录按《最高人民法院关于民事诉讼证据的若干规定》第十九条的格式列出；“证明对象/目的”
# 取自鉴定人登记的证明目的，不作推测。
#
# The evidence list in the form of art. 19 of the Supreme People's Court's provisions on
# evidence; the purpose column is the one the examiner recorded, never invented.

# %%
case.evidence_list()

# %% [markdown]
# ## 保管记录 / Custody log
#
# 保管记录逐条以哈希链相连：任何一条被修改、删除、插入或调换顺序，核验时都会被发现。
#
# The custody log is hash-chained: an entry edited, deleted, inserted or reordered is found
# when the case is verified (next notebook).

# %% tags=["analyst"]
case.entries_frame()
