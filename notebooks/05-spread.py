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
# # 五、传播分析 / 5. Spread
#
# 根据转发列表重建转发树：谁发布、谁从谁处转发、每条关联的依据，以及按不同计数规则达到参考
# 标准（转发 500 次、浏览 5000 次）的时间。参考标准仅供对照，不构成法律结论。
#
# The repost cascade rebuilt from the repost lists: who published, who reposted from whom, how
# each link is known, and when each reference mark (500 reposts, 5,000 views) was reached under
# each way of counting. The marks are reported against, never concluded on.

# %% tags=["analyst"]
# %matplotlib inline
import pandas as pd

from forensics.case import Case
from forensics.spread_figures import cascade_figure, spread_curve_figure

pd.set_option("display.max_colwidth", None)  # digests in full, never cut with …

# %%
case = Case.open(case_dir)
analysis = case.spread(progress=False, record=record)
analysis

# %%
cascade_figure(analysis, lang=lang)

# %%
spread_curve_figure(analysis, lang=lang)

# %% [markdown] tags=["analyst"]
# ## 转发节点 / Cascade nodes (analyst)

# %% tags=["analyst"]
analysis.nodes
