# The README's commands. Everything runs in .venv, installed from requirements-dev.lock (the
# runtime lock, requirements.lock, plus the test, lint, browser and benchmark tools).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast lint format bench sample screenshots install clean mutation

run: $(VENV)/.installed  ## start the dashboard on the sample data (building the database if missing)
	$(PY) -m pipelines bootstrap
	$(PY) -m streamlit run dashboard.py

test: $(VENV)/.installed  ## run the whole test suite
	$(PY) -m pytest

test-fast: $(VENV)/.installed  ## the suite without the slow and browser groups (CI runs them all)
	$(PY) -m pytest -m "not slow and not browser"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Smaller runs: make bench BENCH_SCALES=1x BENCH_ARGS="--runs 1" (BENCH_ARGS goes to every benchmark).
bench: BENCH_SCALES ?= 1x 10x 100x
bench: $(VENV)/.installed  ## time loading, the queries, the pages and the served app at 1x-100x; writes bench/README.md
	$(PY) -m bench.datasets $(BENCH_SCALES)
	$(PY) -m bench.query_benchmark --scales $(BENCH_SCALES) $(BENCH_ARGS)
	$(PY) -m bench.page_benchmark --scales $(BENCH_SCALES) $(BENCH_ARGS)
	$(PY) -m bench.load_benchmark --scales $(BENCH_SCALES) $(BENCH_ARGS)
	$(PY) -m bench.load_memory --scale $(lastword $(BENCH_SCALES))
	$(PY) -m bench.served_benchmark --scales $(BENCH_SCALES) $(BENCH_ARGS)
	$(PY) -m bench.report

screenshots: $(VENV)/.installed  ## serve the app, open every page in headless Chromium, save docs/screenshots/ (and a report's page)
	LOM_SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest tests/test_browser.py tests/test_followup_browser.py tests/test_accessibility.py tests/test_report.py -q -k 'not reflows or tsn-oversikt-320px'

# Mutation testing (cosmic-ray) of the modules in tests/mutation/, each in its own copy of the
# committed tree so that the checkout is never mutated; each report lands in mutants/NAME.txt.
# Mutants inside annotations are skipped (never evaluated: equivalent). Two passes: the module's
# quick tests first; the mutants they let through are tried against tests/mutation/retry/NAME.toml.
# MUTATE="normalise" runs one module; RESUME=1 goes on with the mutants an interrupted run left,
# in its copy of the tree (the module restored first: an interrupted run may leave it mutated).
MUTATE ?= $(basename $(notdir $(wildcard tests/mutation/*.toml)))
mutation: $(VENV)/.installed  ## mutation-test the detector, the write path and disclosure control
	@for name in $(MUTATE); do \
	  if [ -z "$(RESUME)" ] || [ ! -f mutants/$$name/session.sqlite ]; then \
	    rm -rf mutants/$$name && mkdir -p mutants/$$name && \
	    git ls-files -z | xargs -0 cp -P --parents -t mutants/$$name && git rev-parse HEAD > mutants/$$name/COMMIT && \
	    ( cd mutants/$$name && $(CURDIR)/$(VENV)/bin/cosmic-ray init tests/mutation/$$name.toml session.sqlite ); \
	  else \
	    module=$$(sed -n 's/^module-path = "\(.*\)"/\1/p' tests/mutation/$$name.toml) && \
	    git show $$(cat mutants/$$name/COMMIT):$$module > mutants/$$name/$$module; \
	  fi && \
	  ( cd mutants/$$name && export PATH="$(CURDIR)/$(VENV)/bin:$$PATH" && \
	    python tests/mutation/skip_annotations.py session.sqlite && \
	    cosmic-ray exec tests/mutation/$$name.toml session.sqlite && \
	    python -c "import sqlite3; c = sqlite3.connect('session.sqlite'); \
	      c.execute(\"delete from work_results where test_outcome = 'SURVIVED'\"); c.commit()" && \
	    cosmic-ray exec tests/mutation/retry/$$name.toml session.sqlite && \
	    cr-report session.sqlite --show-diff > ../$$name.txt ) && \
	  tail -n 3 mutants/$$name.txt; \
	done

sample: $(VENV)/.installed  ## regenerate the committed sample files
	$(PY) -m sample_data.generate

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $@

# The published database is rebuilt from the agencies' files; the follow-up log beside it
# (data/followup.sqlite*, written by staff) is not, so clean keeps it.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info data/*.duckdb data/*.duckdb.*
