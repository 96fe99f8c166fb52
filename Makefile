# Two commands do everything: `make run` (set-up, demo data, dashboard) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
DB     ?= data/tracker.db
PORT   ?= 8501

.PHONY: run test demo eval cases learn lint bench native clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The tagging modules compiled with mypyc (tracker/native.py), about a minute, rebuilt when
# they change. Optional: if the build fails, the same modules run as Python.
NATIVE_SOURCES := tracker/tagger.py tracker/incidents.py $(wildcard tracker/tagging/*.py)
$(VENV)/.native: $(VENV)/.runtime requirements-build.txt $(NATIVE_SOURCES)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-build.txt
	@echo "compiling the tagger with mypyc (about a minute)..."
	$(PY) -m tracker.native_build build || echo "make: the tagger runs as plain Python"
	touch $@

native: $(VENV)/.native

$(DB): | $(VENV)/.runtime
	$(PY) -m tracker demo --db $(DB)

# The dashboard shows the database this target built (DB=... picks another).
run: $(VENV)/.runtime $(VENV)/.native $(DB)
	TRACKER_DB=$(abspath $(DB)) $(PY) -m streamlit run app.py --server.headless true \
		--server.port $(PORT) --browser.gatherUsageStats false

demo: $(VENV)/.runtime
	$(PY) -m tracker demo --db $(DB)

test: $(VENV)/.dev $(VENV)/.native
	$(PY) -m pytest

eval: $(VENV)/.runtime $(VENV)/.native
	$(PY) -m tracker.evaluate --set dev --no-json
	$(PY) -m tracker.evaluate --set heldout --no-errors --no-json
	$(PY) -m tracker.evaluate --set heldout_b --no-errors --no-json
	$(PY) -m tracker.evaluate --set heldout_c --no-errors --no-json
	$(PY) -m tracker.evaluate --set heldout_d --no-errors --no-json
	$(PY) -m tracker.evaluate --set heldout_all --no-errors

# Rebuild the known cases grouping may continue (data/cases/known.json) from the dev and
# demo sets: after editing the taxonomy, as a test reminds.
cases: $(VENV)/.runtime
	$(PY) -m tracker.known_cases --write

# Re-learn the grouping weights from the dev and demo sets (after changing the tagger).
learn: $(VENV)/.runtime
	$(PY) -m tracker.learn_grouping --train dev,demo --write

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

bench: $(VENV)/.dev $(VENV)/.native
	$(PY) -m bench.classify
	$(PY) -m bench.scrape
	$(PY) -m bench.dashboard

clean:
	-$(PY) -m tracker.native_build clean
	rm -rf $(VENV) tests/artifacts .pytest_cache
