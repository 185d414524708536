"""Gradients and the training step on the JAX backend (see ``ganlab.backends``).

JAX differentiates functions, not tapes, and a traced function must not change
anything outside itself. Keras's JAX trainer therefore calls
``train_step(state, data)`` with the values of every variable in ``state`` and
expects the new values back. :func:`train_step` runs ``GAN``'s phases, the same
code as on TensorFlow, inside a ``keras.StatelessScope`` that holds those values:
reading a variable gives its value in the scope, and ``assign`` (an optimizer's
update, clipping, the moving average, the trackers, the noise generator's seed)
records the new value there instead of changing the variable. The gradients
come from :func:`loss_and_gradients` and :func:`input_gradient`, which call
their function on traced values in a scope of their own and hand the
assignments it made (the noise seed, batch-norm statistics) on to the scope
around them, so that nothing is lost and nothing traced leaks out.

Keras's trainer knows one optimizer, ``model.optimizer``, and carries its
variables as the third part of ``state``; a GAN has two. :func:`get_state` and
:func:`sync_state`, which ``GAN`` uses for the trainer's ``_get_jax_state`` and
``jax_state_sync``, put both optimizers' variables there instead
(:func:`state_variables`), so that ``fit``, callbacks and checkpoints see them
like every other variable.
"""

import jax
import keras
from keras import ops

# Keras's JAX trainer runs several steps per call (steps_per_execution > 1) in one compiled loop
MULTI_STEP_EXECUTION = True

_PARTS = ("trainable_variables", "non_trainable_variables", "optimizer_variables", "metrics_variables")


class _NestedScope(keras.StatelessScope):
    """A stateless scope that reads what it does not hold from the scope around it and lists what was assigned."""

    def __init__(self, state_mapping=()):
        super().__init__(state_mapping=list(state_mapping))
        self.assigned = {}

    def add_update(self, update):
        super().add_update(update)
        self.assigned[id(update[0])] = update[0]

    def get_current_value(self, variable):
        value = super().get_current_value(variable)
        if value is None and self.original_scope is not None:
            value = self.original_scope.get_current_value(variable)
        return value

    def assignments(self):
        """The variables assigned in the scope and their last values: ``(variables, values)``."""
        variables = list(self.assigned.values())
        return variables, [self.state_mapping[id(variable)] for variable in variables]


def _assign(variables, values):
    """Assign in the surrounding scope (or to the variables themselves, outside any)."""
    for variable, value in zip(variables, values):
        variable.assign(value)


def loss_and_gradients(loss_fn, variables):
    """Call ``loss_fn()`` (which returns ``(loss, aux)``) on traced variables; return ``(loss, aux, gradients)``.

    Args:
        loss_fn: a function of no arguments returning a scalar loss and anything else (``aux``).
        variables: the variables to differentiate with respect to.

    Returns:
        The loss, ``aux`` unchanged, and one gradient per variable. Assignments ``loss_fn``
        made to variables (a seed generator's state, batch-norm statistics) take effect.
    """
    variables = list(variables)
    assigned = []

    def loss_of(values):
        with _NestedScope(zip(variables, values)) as scope:
            loss, aux = loss_fn()
        changed, new_values = scope.assignments()
        assigned[:] = changed
        return loss, (aux, new_values)

    (loss, (aux, new_values)), gradients = jax.value_and_grad(loss_of, has_aux=True)(
        [variable.value for variable in variables])
    _assign(assigned, new_values)
    return loss, aux, gradients


def input_gradient(fn, inputs):
    """The gradient of ``sum(fn(inputs))`` with respect to ``inputs`` (a tensor), with ``jax.grad``.

    It is a traced function of ``inputs`` and of the variables ``fn`` reads, so a surrounding
    :func:`loss_and_gradients` differentiates through it (the gradient penalties need that).

    Args:
        fn: maps a batch to one score per example (a discriminator).
        inputs: the batch, a tensor.

    Returns:
        A tensor shaped like ``inputs``: each example's gradient of its own score.
    """
    assigned = []

    def total(x):
        with _NestedScope() as scope:
            outputs = fn(x)
        changed, new_values = scope.assignments()
        assigned[:] = changed
        return ops.sum(outputs), new_values

    gradient, new_values = jax.grad(total, has_aux=True)(ops.convert_to_tensor(inputs))
    _assign(assigned, new_values)
    return gradient


# ---------------------------------------------------------------------- the state Keras's JAX trainer carries

def state_variables(gan):
    """The variables behind each part of the trainer's state, as a dict keyed like ``_get_jax_state``'s flags.

    ``optimizer_variables`` are the discriminator's optimizer's followed by the generator's
    (Keras's trainer would take ``gan.optimizer``'s, which a GAN does not use); none before ``compile``.
    """
    optimizers = [getattr(gan, name, None) for name in ("d_optimizer", "g_optimizer")]
    return dict(trainable_variables=gan.trainable_variables,
                non_trainable_variables=gan.non_trainable_variables,
                optimizer_variables=[v for optimizer in optimizers if optimizer is not None
                                     for v in optimizer.variables],
                metrics_variables=gan.metrics_variables)


def get_state(gan, purge_model_variables=False, **parts):
    """The values of the requested parts (flags as in Keras's ``_get_jax_state``), as a tuple of lists.

    Both optimizers are built first: their variables must exist before the step is traced. With
    ``purge_model_variables`` the variables drop their values, as Keras's trainer does (the
    compiled step donates the state's buffers); :func:`sync_state` gives the values back.
    """
    if parts.get("optimizer_variables") and not (gan.d_optimizer.built and gan.g_optimizer.built):
        gan.build_optimizers()
    variables = state_variables(gan)
    wanted = [part for part in _PARTS if parts.get(part)]
    state = tuple([variable.value for variable in variables[part]] for part in wanted)
    if purge_model_variables:
        for part in wanted:
            for variable in variables[part]:
                variable._value = None  # as Keras's trainer does with the values it hands to the step
    return state


def sync_state(gan):
    """Write the values the last steps left in ``gan._jax_state`` back into the variables."""
    values = getattr(gan, "_jax_state", None)
    if not values or gan._jax_state_synced:
        return
    for part, variables in state_variables(gan).items():
        if values.get(part):
            _assign(variables, values[part])
    gan._jax_state_synced = True


def train_step(gan, state, data):
    """One stateless training step: ``GAN.run_phases(data)`` on the values in ``state``; returns ``(logs, state)``.

    Args:
        gan: a compiled ``ganlab.GAN``.
        state: ``(trainable, non_trainable, optimizers', metrics')`` values, in the order of
            :func:`state_variables`.
        data: one batch from ``fit``.
    """
    variables = [state_variables(gan)[part] for part in _PARTS]
    if [len(v) for v in variables] != [len(values) for values in state]:
        raise ValueError(f"the training state holds {[len(values) for values in state]} values per part but "
                         f"the GAN has {[len(v) for v in variables]} variables; recompile it.")
    mapping = [(variable, value) for part, values in zip(variables, state) for variable, value in zip(part, values)]
    with keras.StatelessScope(state_mapping=mapping) as scope:
        logs = gan.run_phases(data)
    new_state = tuple([scope.get_current_value(variable) for variable in part] for part in variables)
    return logs, new_state
