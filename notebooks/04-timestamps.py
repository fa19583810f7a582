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
# # 四、时间线 / 4. Timeline
#
# 证据中陈述的每一个时间都注明是哪一种时间（如拍摄时间、发送时间、平台显示的发布时间）、
# 来源、原始文字、精度以及时区是明示、推定还是未知。
#
# Every time the evidence states, saying which time it is (taken, sent, publication time as the
# platform showed it), where it came from, its original text, its precision, and whether its zone
# was explicit, assumed or unknown.

# %% tags=["analyst"]
# %matplotlib inline
import pandas as pd

from forensics.case import Case

pd.set_option("display.max_colwidth", None)  # digests in full, never cut with …

# %%
case = Case.open(case_dir)
case.timeline(progress=False, record=record)

# %% [markdown]
# ## 时间交叉核对 / Cross-checks of the times
#
# 各时间之间的矛盾（如取证早于发布、设备时钟偏差、邮件中转顺序颠倒）列为发现事项，并说明
# 依据；是否构成篡改由法院判断。
#
# Disagreements between the times (a capture before the publication, a device clock offset, mail
# hops out of order) are listed as findings with their grounds; whether anything was altered is
# for the court.

# %%
case.findings(progress=False, record=record)

# %%
case.timeline_figure(progress=False, record=record, lang=lang)

# %% [markdown] tags=["analyst"]
# ## 全部时间事件 / Every time event (analyst)

# %% tags=["analyst"]
case.events(progress=False, record=record)
