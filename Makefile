# Two commands do all set-up on a fresh machine:
#   make demo   build a demonstration case (with its spread analysis), anchor it, back it up and verify it
#   make test   lint (ruff) and the test suite with doctests (pytest --doctest-modules)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check forensics tests benchmarks fuzz
	$(BIN)/pytest

demo: $(STAMP)
	rm -rf demo-case demo-out
	$(BIN)/python -m forensics.demo demo-case demo-out

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/bench_digests.py
	$(BIN)/python benchmarks/bench_add.py
	$(BIN)/python benchmarks/bench_verify.py
	$(BIN)/python benchmarks/bench_inspect.py
	$(BIN)/python benchmarks/bench_timeline.py
	$(BIN)/python benchmarks/bench_spread.py
	$(BIN)/python benchmarks/bench_appendix.py

fuzz: $(STAMP)
	$(BIN)/python fuzz/fuzz_parsers.py

clean:
	rm -rf $(VENV) demo-case demo-out .pytest_cache .ruff_cache
