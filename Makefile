# One command for the main job, one for all the tests; each builds its own
# virtual environment in .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The lowest-versions run: the oldest Python we support, with the lowest versions our bounds allow.
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON_LOWEST ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.10.*/bin/python) $(shell command -v python3.10))
LOWEST := .venv-lowest

.PHONY: demo test lint lowest nbval notebooks system-deps bench bench-instructions bench-pubsub clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## demo: open the tutorial notebooks in JupyterLab (http://127.0.0.1:8888)
demo: $(STAMP) system-deps
	$(BIN)/jupyter lab --ip=127.0.0.1 --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

## test: lint, the lowest-versions run, unit/integration/kernel/browser tests, strict nbval twice
test: $(STAMP) system-deps lint lowest
	$(BIN)/python -m pytest -q
	$(MAKE) nbval
	$(MAKE) nbval

## lint: ruff, the import layers and cycles (import-linter), and the shared cycle check when it is beside us
lint: $(STAMP)
	$(BIN)/ruff check htmxws_nb tests benchmarks
	$(BIN)/lint-imports
	@if [ -f ../shared/tools/import_cycles.py ]; then $(BIN)/python ../shared/tools/import_cycles.py htmxws_nb; fi

## lowest: Python 3.10 with the lowest declared versions (uv --resolution lowest-direct); all but browser and slow tests
lowest: $(STAMP)
	@test -n "$(PYTHON_LOWEST)" || { echo "no Python 3.10 found: set PYTHON_LOWEST=/path/to/python3.10"; exit 1; }
	rm -rf $(LOWEST)
	$(BIN)/uv venv -q -p $(PYTHON_LOWEST) $(LOWEST)
	VIRTUAL_ENV=$(LOWEST) $(BIN)/uv pip install -q --resolution lowest-direct -e '.[test]'
	$(LOWEST)/bin/python -m pytest -q -p no:cacheprovider -m "not slow" \
	  tests/html tests/app tests/recording tests/server tests/notebook tests/examples

nbval: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg --nbval-current-env

## notebooks: re-run the tutorial notebooks headless and save their outputs (what nbval checks); no widget
## state (the kernel channel's code would be saved in each notebook, and run from there when reopened)
notebooks: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=60 \
	  --ExecutePreprocessor.store_widget_state=False *.ipynb

## system-deps: Debian's chromium (browser tests; Playwright never downloads a browser) and redis-server
## (the pub/sub tests and tutorial start their own, by pid), whichever is missing
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian's$$missing"; \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## bench: websocket speed, memory and fan-out against raw Starlette
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## bench-instructions: instructions per message and per chat list (callgrind): figures the machine's load does not move
bench-instructions: $(STAMP)
	$(BIN)/python benchmarks/instructions.py

## bench-pubsub: one publish fanned out to 1,000 clients over uvicorn workers through Redis, and in memory
bench-pubsub: $(STAMP) system-deps
	$(BIN)/python benchmarks/pubsub.py

clean:
	rm -rf $(VENV) $(LOWEST) .venv-fasthtml .venv-fasthtml.lock .pytest_cache
