# Each target sets itself up from nothing: a virtualenv, torch (CPU build here), the pinned project, the embedded zoo.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup run test test-fast bench clean

$(STAMP): pyproject.toml constraints.txt embedded-requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps -r embedded-requirements.txt
	touch $@

setup: $(STAMP)

run: setup
	$(VENV)/bin/rewardbench zoo build
	$(VENV)/bin/rewardbench score --reward sentiment-minilm-tweets --target negative --prompt "i think dogecoin is" \
		" a scam and a hoax" " the future of money" " a meme coin"
	$(VENV)/bin/rewardbench score --reward vader --target negative --prompt "i think dogecoin is" \
		" a scam and a hoax" " the future of money" " a meme coin"

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not slow"

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks
