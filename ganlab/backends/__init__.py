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

TensorFlow's and JAX's are written (JAX's also holds the stateless training step
Keras's JAX trainer calls); PyTorch's goes next to them.
"""

import importlib


def get():
    """The backend module for ``keras.backend.backend()``, imported on first use.

    Raises:
        NotImplementedError: for a Keras backend ganlab has no module for yet.
    """
    import keras

    name = keras.backend.backend()
    if name not in ("tensorflow", "jax"):
        raise NotImplementedError(f"ganlab trains GANs on the TensorFlow and JAX backends only so far, "
                                  f"not on {name!r}; set KERAS_BACKEND=tensorflow or jax.")
    return importlib.import_module(f"ganlab.backends.{name}")
