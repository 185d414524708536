"""Gradients on the TensorFlow backend, with ``tf.GradientTape`` (see ``ganlab.backends``)."""

import tensorflow as tf

# Keras' TensorFlow trainer can run several steps per call of its compiled function (steps_per_execution).
MULTI_STEP_EXECUTION = True


def loss_and_gradients(loss_fn, variables):
    """Call ``loss_fn()`` (which returns ``(loss, aux)``) under a tape; return ``(loss, aux, gradients)``.

    Args:
        loss_fn: a function of no arguments returning a scalar loss and anything else (``aux``).
        variables: the variables to differentiate with respect to.

    Returns:
        The loss, ``aux`` unchanged, and one gradient per variable.
    """
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    return loss, aux, tape.gradient(loss, variables)


def input_gradient(fn, inputs):
    """The gradient of ``sum(fn(inputs))`` with respect to ``inputs`` (a tensor), recorded by any outer tape.

    Args:
        fn: maps a batch to one score per example (a discriminator).
        inputs: the batch, a tensor.

    Returns:
        A tensor shaped like ``inputs``: each example's gradient of its own score.
    """
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = fn(inputs)
    return tape.gradient(outputs, inputs)
