"""What the book's notebooks need to keep their prose true: glued numbers and checked claims.

A number in a chapter's text that a run produced is glued from the executed
cell (``glue("fid_dcgan", fid)`` in the code, and the ``glue:text`` role
with the name and a format in the markdown); a sentence about what the run showed is checked by a hidden cell
(``claim(fid_dcgan < fid_mlp, "the DCGAN's FID is lower than the MLP's")``),
so the full build fails rather than print a book that contradicts itself.

In fast mode (``GANLAB_FAST=1``) the models are tiny and many claims about
trained models cannot hold; a failed claim then prints that it was not
checked, instead of failing or passing in silence.
"""

from ganlab import config

#: every claim checked in this process: (claim, held), in order; the tests and the closing notes count them
CHECKED = []


def glue(name, value, display=False):
    """Glue ``value`` under ``name`` for the book's ``{glue:text}`` roles; print it where myst-nb is missing.

    Without the book's tools (on Colab, in a plain Jupyter), there is no glue:
    the value is printed instead, so a reader still sees every number the text
    refers to. Returns None, so a cell that ends with a ``glue`` call shows nothing more.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        print(f"{name} = {value}")
    else:
        myst_glue(name, value, display=display)


def claim(holds, statement, fast_ok=False):
    """Check one statement the chapter's text makes about this run.

    Args:
        holds: whether the run bears the statement out (a bool, or anything
            numpy can turn into one).
        statement: the statement as the text makes it, for the message.
        fast_ok: True when the statement must hold in fast mode too (an
            identity, a property of the data); False when a tiny fast-mode run
            cannot be expected to bear it out.

    Returns None (a cell that ends with a claim shows only its "checked" line); :data:`CHECKED`
    records the outcome.

    Raises:
        AssertionError: at full settings (or with ``fast_ok``) when the run
            contradicts the statement: the text must be rewritten or the run
            looked into, never the book printed as it is.
    """
    held = bool(holds)
    CHECKED.append((statement, held))
    if held:
        print(f"checked: {statement}")
    elif config.fast_mode() and not fast_ok:
        print(f"not checked in fast mode (tiny models and data): {statement}")
    else:
        raise AssertionError(f"this run contradicts the text, which says: {statement}. "
                             "Rewrite the sentence as what to look for, or find out why the run differs.")


def machine():
    """One line naming what this notebook runs on, for the timings a chapter quotes.

    For example ``"x86_64, 2 CPU cores, no GPU, Keras on tensorflow"``: the
    processor, its cores, whether the running Keras backend sees a GPU, and
    that backend.
    """
    import os
    import platform

    import keras

    backend = keras.backend.backend()
    return (f"{platform.machine()}, {os.cpu_count()} CPU cores, {'a GPU' if _has_gpu(backend) else 'no GPU'}, "
            f"Keras on {backend}")


def _has_gpu(backend):
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    if backend == "jax":
        import jax

        return any(device.platform == "gpu" for device in jax.devices())
    return False
