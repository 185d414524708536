"""Tests for ganlab.backends: the gradients of the running Keras backend."""

import keras
import numpy as np
import pytest

from ganlab import backends


def test_loss_and_gradients_differentiates_the_loss_and_passes_aux_through():
    variable = keras.Variable(np.array([1.0, -2.0, 3.0], np.float32))
    loss, aux, (grad,) = backends.get().loss_and_gradients(lambda: (keras.ops.sum(variable ** 2), "aux"), [variable])
    assert float(loss) == pytest.approx(14.0) and aux == "aux"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), [2.0, -4.0, 6.0])  # d/dv sum v^2 = 2 v


def test_input_gradient_is_each_examples_gradient_of_its_own_score():
    x = keras.ops.convert_to_tensor(np.array([[1.0, 2.0], [3.0, -1.0]], np.float32))
    grad = backends.get().input_gradient(lambda t: keras.ops.sum(t ** 3, axis=1), x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), 3 * keras.ops.convert_to_numpy(x) ** 2)
