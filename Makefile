# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint soak bench bench-bundle package package-test translations clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,dev,package]'
	touch $(STAMP)

# Asks first whether Qt can open a window here: when a system library or the display is missing
# it says which and how to fix it, where Qt itself would abort naming the wrong library.
run: $(STAMP)
	@$(BIN)/python -m app.platform_check
	$(BIN)/python -m app $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# What CI checks before the tests (.ci/run); the rules and contracts live in pyproject.toml.
LINTED := app tests bench packaging
lint: $(STAMP)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy app
	$(BIN)/lint-imports

# The money path at length (make test runs small versions of each): 300 jobs through the
# window's pipeline against a misbehaving server, 20 rounds of SIGKILLed window and command-line
# processes, and 100,000 fuzzed server answers. Each prints its counts; any non-zero fails.
soak: $(STAMP)
	$(BIN)/python bench/soak.py --jobs 300
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/kill_loop.py --rounds 20
	HYPOTHESIS_PROFILE=soak QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider tests/core/api/test_fuzz.py

# Figures for the speed and memory targets (printed, not asserted), each with its goal and
# the same run's baseline; results of real weight (the simulator's heavy mode), gallery at
# 100,000 and 1,000,000 items. BENCH_ARGS="--baseline-root DIR" measures a second checkout
# in the same run.
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/api_client.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_canvas.py --no-screenshot
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_gui.py --skip-stalls
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_landing.py $(BENCH_ARGS)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_decode.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_gallery.py $(BENCH_ARGS)

bench-bundle: $(STAMP)
	$(BIN)/python bench/bench_bundle.py

package: $(STAMP)
	$(BIN)/python packaging/build.py

# The frozen app checked as a user would run it (no Python on PATH); after `make package`.
package-test: $(STAMP)
	MOUNTSEA_PACKAGING_REUSE=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m packaging tests/packaging

# Refresh the Simplified Chinese catalogue from the sources and compile it.
translations: $(STAMP)
	$(BIN)/python resources/translations/update.py

clean:
	rm -rf build dist .pytest_cache
