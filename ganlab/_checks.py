"""Argument checks and model facts shared by the modules of ganlab (private: no public API here).

Every check raises ``ValueError`` with a message that names the argument and
what was wrong, so a caller can fix the call from the message alone.
"""

import numpy as np

LABEL_INPUT = "label"  # the name of the class-label input of every conditional model
LATENT_INPUT = "latent"  # the name of a generator's latent-vector input


def positive_int(name, value, allow_none=False):
    """Return ``value`` as an int if it is a positive integer (not a bool), else raise ValueError.

    Args:
        name: what to call the value in the message.
        value: the value to check; numpy integers count as integers.
        allow_none: accept None (and return it), for optional sizes.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def nonnegative_int(name, value):
    """Return ``value`` as an int if it is an integer >= 0 (not a bool), else raise ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    return int(value)


def available_memory():
    """Bytes of memory this machine can still give a process (``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo") as stream:
            for line in stream:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def fits_in_memory(needed, what, fix, available=None):
    """Raise ValueError before any work starts if ``needed`` bytes exceed the memory available.

    Args:
        needed: the bytes the work will hold at once (an estimate, on the low side).
        what: what needs them ("2,000,000 samples of 64x64x3"), for the message.
        fix: how to ask for less ("use a smaller --n").
        available: bytes available (None: :func:`available_memory`; unknown: no check).
    """
    available = available_memory() if available is None else available
    if available is not None and needed > available:
        raise ValueError(f"{what} need about {needed / 2**30:.1f} GiB of memory, but this machine has "
                         f"{available / 2**30:.1f} GiB available; {fix}.")


def positive_ints(**sizes):
    """Check keyword sizes that are each a positive integer or a non-empty list of them (model widths)."""
    for name, value in sizes.items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if not values or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 for v in values):
            raise ValueError(f"{name} must be a positive integer (or a non-empty list of them), got {value!r}.")


def register_once(registry, name, value, what):
    """Put ``value`` into the dict ``registry`` under ``name`` and return it; a name is registered once.

    Raises:
        ValueError: if ``name`` is already in ``registry`` (``what`` says what it names: "a recipe", ...).
    """
    if name in registry:
        raise ValueError(f"{what} named {name!r} is already registered.")
    registry[name] = value
    return value


def input_names(model):
    """The names of a Keras model's inputs, in order."""
    return [tensor.name for tensor in model.inputs]


def is_conditional(model):
    """True if ``model`` takes class labels: it has an input named ``"label"``.

    Counting inputs would not do: a texture generator has several noise inputs and no label.
    """
    return LABEL_INPUT in input_names(model)


def latent_dim(generator):
    """The width of a generator's latent input: the input named ``"latent"``, else its first input."""
    names = input_names(generator)
    index = names.index(LATENT_INPUT) if LATENT_INPUT in names else 0
    return int(generator.inputs[index].shape[-1])


def num_classes(model):
    """The number of classes a conditional model embeds (its label ``Embedding``'s input size).

    Raises:
        ValueError: if the model has no ``Embedding`` layer for its labels.
    """
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding):
            return int(layer.input_dim)
    raise ValueError("a conditional generator needs an Embedding layer for its labels.")


def class_labels(model, labels):
    """Check class labels for ``model``: None, or integers within the classes a conditional model embeds.

    Returns the labels as an int32 array (a single label as a 0-d array), or None.

    Raises:
        ValueError: for labels given to a model that takes none, labels that are not integers,
            or labels outside 0 .. num_classes - 1 (a label embedding would silently wrap or fail).
    """
    if labels is None:
        return None
    if not is_conditional(model):
        raise ValueError("a label was given, but this generator is not conditional: it takes no labels.")
    values = np.asarray(labels)
    if values.dtype == bool or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"labels must be integers (class indices), got {labels!r}.")
    classes = num_classes(model)
    outside = values[(values < 0) | (values >= classes)]
    if outside.size:
        raise ValueError(f"label {int(outside.flat[0])} is not a class of this generator: it draws classes "
                         f"0..{classes - 1}.")
    return values.astype(np.int32)
