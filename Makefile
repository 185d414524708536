# ganlab: build the book and run the tests, each in a virtual environment made on first use.
#
#   make book       the book at full settings            -> _build/html   (cache: _build/.jupyter_cache)
#   make test       unit tests + every notebook (nbmake) + a fast book build with -W, in fast mode; then the
#                   `backends` tests and chapters 4 and 5 on each of EXTRA_BACKENDS (torch jax; EXTRA_BACKENDS= for none)
#   make test-backends  that second half alone
#   make book-fast  the book in fast mode (GANLAB_FAST=1) -> _build/fast/_build/html (its own cache)
#   make clean      remove the build outputs (both caches included)
#
# VENV=... picks another environment (.ci/run uses .venv-ci); PYTHON=... the interpreter that makes it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: book book-fast test test-backends clean

book: $(VENV)/.installed-book
	env -u GANLAB_FAST $(BIN)/jupyter-book build . -W

book-fast: $(VENV)/.installed-book
	GANLAB_FAST=1 $(BIN)/jupyter-book build . --path-output _build/fast -W

# `make test` runs the tests marked `backends` (training, losses, checkpoints) and BACKEND_NOTEBOOKS once
# more on each of these Keras backends, each into a fresh runs directory so that its runs train there;
# a backend whose module ganlab/backends/<name>.py this checkout lacks is left out, and says so.
# OMP_NUM_THREADS=1: PyTorch's two OpenMP threads spin against each other on a loaded 2-core machine
# (26 ms a toy step with one thread, 800 ms with two, measured under load 12; benchmarks/NOTES.md).
EXTRA_BACKENDS ?= torch jax
BACKEND_NOTEBOOKS ?= book/04_mlp_gan.ipynb book/05_dcgan.ipynb

test: $(VENV)/.installed-test
	GANLAB_FAST=1 $(BIN)/python -m pytest tests --nbmake book --nbmake-timeout=600 -ra --durations=15
	@$(MAKE) --no-print-directory test-backends

# the second half of `make test` alone (.ci/run runs it beside scripts/test_envs.sh)
test-backends: $(VENV)/.installed-test
	@for backend in $(EXTRA_BACKENDS); do \
		if [ ! -f ganlab/backends/$$backend.py ]; then \
			echo "make test: no ganlab/backends/$$backend.py in this checkout, so nothing runs on $$backend"; \
			continue; \
		fi; \
		echo "make test: the backends tests and $(BACKEND_NOTEBOOKS) on $$backend"; \
		runs=$$(mktemp -d) && \
		KERAS_BACKEND=$$backend OMP_NUM_THREADS=1 GANLAB_FAST=1 $(BIN)/python -m pytest tests -m backends -ra && \
		KERAS_BACKEND=$$backend OMP_NUM_THREADS=1 GANLAB_FAST=1 GANLAB_RUNS_DIR=$$runs $(BIN)/python -m pytest \
			--nbmake $(BACKEND_NOTEBOOKS) --nbmake-timeout=600 -ra || { rm -rf $$runs; exit 1; }; \
		rm -rf $$runs; \
	done

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
