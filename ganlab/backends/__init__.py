"""The backend seam: the few steps of training that each Keras backend computes its own way.

``ganlab.GAN`` and the penalties in ``ganlab.losses`` are written with
``keras.ops``; what they cannot write that way, gradients, comes from the
module :func:`get` returns for the running Keras backend. Each backend module
offers the same two functions:

- ``loss_and_gradients(loss_fn, variables) -> (loss, aux, gradients)``: call
  ``loss_fn()``, which returns ``(loss, aux)``, and differentiate ``loss`` with
  respect to ``variables``;
- ``input_gradient(fn, inputs) -> gradient``: the gradient of ``sum(fn(inputs))``
  with respect to ``inputs``, differentiable again (the gradient penalties call
  it inside ``loss_fn``).

A backend is one module here named as Keras names it, and one entry in :data:`BACKENDS`.
Each module also sets ``MULTI_STEP_EXECUTION``: whether Keras' trainer for that backend
runs several steps per call (``steps_per_execution > 1``); PyTorch's does not.
JAX's module also holds the stateless training step that Keras's JAX trainer calls.
"""

import importlib
import importlib.util

# The Keras backends ganlab trains on, each with a module ``ganlab.backends.<name>``.
BACKENDS = ("tensorflow", "jax", "torch")


def get():
    """The backend module for ``keras.backend.backend()``, imported on first use.

    Raises:
        NotImplementedError: for a Keras backend ganlab has no module for.
    """
    import keras

    name = keras.backend.backend()
    if name not in available():
        raise NotImplementedError(f"ganlab trains GANs on the backends {', '.join(available())}, not on {name!r}; "
                                  f"set KERAS_BACKEND to one of them before importing keras or ganlab.")
    return importlib.import_module(f"ganlab.backends.{name}")


def available():
    """The names in :data:`BACKENDS` whose module this copy of ganlab has (without importing them)."""
    return tuple(name for name in BACKENDS if importlib.util.find_spec(f"ganlab.backends.{name}") is not None)
