"""Fast mode and the package's directories.

Every chapter reads its sizes (epochs, data, samples) through :func:`pick`, so
that ``GANLAB_FAST=1`` shrinks a notebook without changing its code path::

    EPOCHS = ganlab.pick(full=20, fast=1)
"""

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def fast_mode():
    """Return True when the environment variable ``GANLAB_FAST`` is set to a true value.

    Fast mode is for tests: it runs the same code with smaller sizes.

    Raises:
        ValueError: if ``GANLAB_FAST`` holds something that is neither true nor false.
    """
    value = os.environ.get("GANLAB_FAST", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"GANLAB_FAST={value!r} is not understood; set it to 1 (fast mode) or 0 (full settings)."
    )


def pick(full, fast):
    """Return ``fast`` in fast mode and ``full`` otherwise.

    Args:
        full: the value used for the real run (the rendered book, the CLI).
        fast: the smaller value used when ``GANLAB_FAST=1`` (tests).
    """
    return fast if fast_mode() else full


def cache_dir():
    """Return the directory where ganlab caches things it computed (created on demand).

    ``GANLAB_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/ganlab``, else ``~/.cache/ganlab``.
    """
    root, origin = os.environ.get("GANLAB_CACHE_DIR"), "GANLAB_CACHE_DIR"
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
        root, origin = os.path.join(xdg, "ganlab"), "the default"
    path = Path(root).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot use {str(path)!r} ({origin}) as ganlab's cache ({error.strerror}); set "
                         "GANLAB_CACHE_DIR to a writable directory.") from None
    return path
