"""Gradients on the PyTorch backend, with ``torch.autograd.grad`` (see ``ganlab.backends``).

Keras' PyTorch trainer calls ``GAN.train_step`` eagerly, with autograd on, so every operation
records its graph as it runs; a Keras variable's tensor is ``variable.value`` (a
``torch.nn.Parameter``). ``torch.autograd.grad`` returns the gradients instead of adding them to
``.grad``, so nothing accumulates between steps and there is nothing to zero.
"""

import torch

# Keras' PyTorch trainer runs one step per call of its train function and refuses
# steps_per_execution > 1 (see ganlab.backends.steps_per_execution).
MULTI_STEP_EXECUTION = False


def loss_and_gradients(loss_fn, variables):
    """Call ``loss_fn()`` (which returns ``(loss, aux)``) with autograd on; return ``(loss, aux, gradients)``.

    Args:
        loss_fn: a function of no arguments returning a scalar loss and anything else (``aux``).
        variables: the Keras variables to differentiate with respect to.

    Returns:
        The loss (detached from its graph), ``aux`` unchanged, and one gradient per variable
        (zeros for a variable the loss does not depend on, as a tape would give None).
    """
    with torch.enable_grad():
        loss, aux = loss_fn()
        tensors = [variable.value for variable in variables]
        gradients = torch.autograd.grad(loss, tensors, allow_unused=True)
    gradients = [torch.zeros_like(tensor) if gradient is None else gradient
                 for gradient, tensor in zip(gradients, tensors)]
    return loss.detach(), aux, gradients


def input_gradient(fn, inputs):
    """The gradient of ``sum(fn(inputs))`` with respect to ``inputs`` (a tensor), itself differentiable.

    ``create_graph=True`` keeps the gradient's own graph, so that a penalty built from it (WGAN-GP,
    R1) can be differentiated again with respect to the weights by :func:`loss_and_gradients`.

    Args:
        fn: maps a batch to one score per example (a discriminator).
        inputs: the batch, a tensor.

    Returns:
        A tensor shaped like ``inputs``: each example's gradient of its own score.
    """
    with torch.enable_grad():
        inputs = torch.as_tensor(inputs)
        if not inputs.requires_grad:  # a leaf with no history (real data): watch it
            inputs = inputs.detach().requires_grad_(True)
        outputs = fn(inputs)
        (gradient,) = torch.autograd.grad(torch.sum(outputs), inputs, create_graph=True)
    return gradient
