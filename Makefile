# ganlab: build the book and run the tests, each in a virtual environment made on first use.
#
#   make book       the book at full settings            -> _build/html   (cache: _build/.jupyter_cache)
#   make test       unit tests + every notebook (nbmake) + a fast book build with -W, in fast mode
#   make book-fast  the book in fast mode (GANLAB_FAST=1) -> _build/fast/_build/html (its own cache)
#   make clean      remove the build outputs (both caches included)
#
# VENV=... picks another environment (.ci/run uses .venv-ci); PYTHON=... the interpreter that makes it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: book book-fast test clean

book: $(VENV)/.installed-book
	env -u GANLAB_FAST $(BIN)/jupyter-book build . -W

book-fast: $(VENV)/.installed-book
	GANLAB_FAST=1 $(BIN)/jupyter-book build . --path-output _build/fast -W

test: $(VENV)/.installed-test
	-timeout 300 $(BIN)/python scripts/warm_kernel.py
	GANLAB_FAST=1 $(BIN)/python -m pytest tests --nbmake book --nbmake-timeout=600 --reruns 2 -ra

clean:
	rm -rf _build

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "ganlab's pinned build needs Python 3.11 or newer; run make PYTHON=python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# requirements first, then the package with --no-deps (see requirements.txt for why)
$(VENV)/.installed-book: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-book requirements-test.txt
	$(BIN)/python -m pip install -r requirements-test.txt
	touch $@
