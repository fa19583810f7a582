# Two commands do all set-up on a fresh machine:
#   make demo   the main job: copy the sample case (data/case, data/README.md), run every notebook with
#               papermill into demo/reports (HTML for lawyers), write the appendix (HTML + PDF)
#   make test   lint (ruff) and the test suite with doctests (pytest --doctest-modules)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo lab test lint bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check forensics tests benchmarks fuzz
	$(BIN)/pytest

demo: $(STAMP)
	rm -rf demo
	$(BIN)/forensics demo demo

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench_digests.py
	$(BIN)/python benchmarks/bench_add.py
	$(BIN)/python benchmarks/bench_verify.py
	$(BIN)/python benchmarks/bench_inspect.py
	$(BIN)/python benchmarks/bench_timeline.py
	$(BIN)/python benchmarks/bench_spread.py
	$(BIN)/python benchmarks/bench_appendix.py
	$(BIN)/python benchmarks/bench_screens.py

fuzz: $(STAMP)
	$(BIN)/python fuzz/fuzz_parsers.py

clean:
	rm -rf $(VENV) demo demo-case demo-out .pytest_cache .ruff_cache
