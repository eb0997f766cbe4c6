# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench bench-bundle package package-test translations clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,dev,package]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m app $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench
	$(BIN)/mypy app

# Figures for the speed and memory targets (printed, not asserted).
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/api_client.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_canvas.py --no-screenshot
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_gui.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/bench_gallery.py

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
