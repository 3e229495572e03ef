# One command for the main job, one for all the tests; each builds its own
# virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test nbval notebooks browser-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: open the tutorial notebooks in JupyterLab (http://127.0.0.1:8888)
demo: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

## test: lint, unit and integration tests, notebooks (strict nbval, twice), browser tests
test: $(STAMP) browser-deps
	$(BIN)/ruff check htmxws_nb tests benchmarks
	$(BIN)/python -m pytest -q
	$(MAKE) nbval
	$(MAKE) nbval

nbval: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg --nbval-current-env

## notebooks: re-run the tutorial notebooks headless and save their outputs (what nbval checks)
notebooks: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=60 *.ipynb

## browser-deps: Debian's chromium for the browser tests (Playwright never downloads a browser)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq --no-install-recommends chromium; }

## bench: websocket speed, memory and fan-out against raw Starlette
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
