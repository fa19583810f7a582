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
# # 六、诉讼附录 / 6. Litigation appendix
#
# 诉讼附录（HTML 与 PDF，以及证据目录、哈希值表、时间线、发现事项和传播分析的表格）只依据
# 案件本身生成：同一案件、同一版本、同一参数，得到逐字节相同的文件。写出的每个文件及其
# SHA-256 记入保管记录。
#
# The litigation appendix (HTML and PDF, with the evidence list, hash table, timeline, findings
# and spread tables) is made from the case alone: the same case, version and parameters give the
# same bytes. Every file written is logged with its SHA-256 in the custody log.

# %% tags=["analyst"]
from pathlib import Path

import pandas as pd

from forensics.case import Case

pd.set_option("display.max_colwidth", None)  # digests in full, never cut with …

# %%
case = Case.open(case_dir)
written = case.write_appendix(Path(out_dir) / "appendix", lang=lang, progress=False, record=record)
sorted(written)

# %% [markdown]
# ## 证据目录 / Evidence list

# %%
case.evidence_list()
