"""Sphinx extension of the ganlab book: keep fast-mode builds out of the published book, and keep its figures.

Notebooks read their sizes through ``ganlab.pick(full, fast)``, so a build run
with ``GANLAB_FAST=1`` executes toy-sized chapters. jupyter-cache keys executed
notebooks on their code only, not on the environment, so a fast build that
wrote into the book's cache would later be served as the real thing. This
extension stops that before anything executes:

* with ``GANLAB_FAST=1`` the output must not be ``_build/html`` and the cache
  must not be ``_build/.jupyter_cache`` (use ``--path-output _build/fast``);
* without it, nothing may be written under ``_build/fast``.

A fast build also gets a banner on every page saying so.

The notebook kernels inherit this process's environment. A matplotlib backend
chosen there (``MPLBACKEND=Agg``, common on CI machines) replaces the inline
backend in the kernels, and every figure silently disappears from the book;
so ``MPLBACKEND`` is removed before any notebook runs.

Every notebook client of the build waits for its kernel's messages in slices of a second
(``kernel_wakeup``, beside this file): a reply whose wake-up the client missed once hung a build.

It also silences one false warning, and only that one: myst-parser 3 (pinned by
Jupyter Book 1.x) reports every ``{footcite}`` as "No footnote definitions
found for label: 'footcite-...'" because the footnote comes from
``{footbibliography}`` and not from Markdown (fixed in myst-parser 4,
executablebooks/MyST-Parser#931). Other footnote warnings still fail the build.
"""

import logging
import os
from pathlib import Path

from sphinx.errors import ConfigError

import kernel_wakeup  # beside this file: Sphinx puts book/_ext on sys.path for its local extensions

FAST_BANNER = "Fast-mode build (GANLAB_FAST=1): sizes are shrunk for testing; this is not the published book."


def _is_within(path, directory):
    try:
        path.relative_to(directory)
    except ValueError:
        return False
    return True


def check_build_paths(app):
    from ganlab.config import fast_mode

    root = Path(app.srcdir).resolve()
    outdir = Path(app.outdir).resolve()
    cache = app.config.nb_execution_cache_path
    cache = Path(cache).resolve() if cache else outdir.parent / ".jupyter_cache"
    fast = fast_mode()  # raises ValueError on a value it does not understand
    book_html, book_cache, fast_root = root / "_build" / "html", root / "_build" / ".jupyter_cache", root / "_build" / "fast"
    if fast and (outdir == book_html or cache == book_cache):
        raise ConfigError(
            f"GANLAB_FAST={os.environ['GANLAB_FAST']} would write fast-mode pages into {outdir} "
            f"(cache {cache}), where the published book lives. Build fast mode elsewhere: "
            "GANLAB_FAST=1 jupyter-book build . --path-output _build/fast -W  (or `make book-fast`)."
        )
    if not fast and (_is_within(outdir, fast_root) or _is_within(cache, fast_root)):
        raise ConfigError(
            f"{outdir} is the fast-mode build directory, but GANLAB_FAST is not set. "
            "Set GANLAB_FAST=1 for a fast build, or build the book with `jupyter-book build .`."
        )


# Seconds a cell may run in a fast build. Fast cells take seconds; the full book's training cells need
# _config.yml's 1800. A kernel that never answers (seen intermittently on the 2-core CI machine) then
# fails its notebook after this long instead of holding the build until the test's 35-minute limit.
FAST_CELL_TIMEOUT = 300


def mark_fast_build(app, config):
    from ganlab.config import fast_mode

    if fast_mode():
        options = dict(config.html_theme_options or {})
        options["announcement"] = FAST_BANNER
        config.html_theme_options = options
        config.nb_execution_timeout = FAST_CELL_TIMEOUT


class FootciteFalseWarning(logging.Filter):
    """Drop myst-parser 3's "no footnote definition" warning for sphinxcontrib-bibtex footnotes."""

    PREFIX = "No footnote definitions found for label: 'footcite-"

    def filter(self, record):
        return not str(record.msg).startswith(self.PREFIX)


def keep_figures_inline():
    backend = os.environ.pop("MPLBACKEND", None)
    if backend and "inline" not in backend:
        from sphinx.util import logging as sphinx_logging

        sphinx_logging.getLogger(__name__).info(
            f"ganlab_book: ignoring MPLBACKEND={backend!r} so that notebook figures are captured"
        )


def setup(app):
    keep_figures_inline()
    kernel_wakeup.install()  # a kernel reply the client's poll missed would hang the build (issue 16)
    # docutils messages reach Sphinx's log through this logger (sphinx.util.docutils.WarningStream)
    docutils_logger = logging.getLogger("sphinx.sphinx.util.docutils")
    if not any(isinstance(f, FootciteFalseWarning) for f in docutils_logger.filters):
        docutils_logger.addFilter(FootciteFalseWarning())
    app.connect("config-inited", mark_fast_build)
    app.connect("builder-inited", check_build_paths, priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
