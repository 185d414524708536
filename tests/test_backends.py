"""Tests for ganlab.backends: the gradients of the running Keras backend."""

import keras
import numpy as np
import pytest

from ganlab import backends

pytestmark = pytest.mark.backends


def test_loss_and_gradients_differentiates_the_loss_and_passes_aux_through():
    variable = keras.Variable(np.array([1.0, -2.0, 3.0], np.float32))
    loss, aux, (grad,) = backends.get().loss_and_gradients(lambda: (keras.ops.sum(variable ** 2), "aux"), [variable])
    assert float(loss) == pytest.approx(14.0) and aux == "aux"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), [2.0, -4.0, 6.0])  # d/dv sum v^2 = 2 v


def test_input_gradient_is_each_examples_gradient_of_its_own_score():
    x = keras.ops.convert_to_tensor(np.array([[1.0, 2.0], [3.0, -1.0]], np.float32))
    grad = backends.get().input_gradient(lambda t: keras.ops.sum(t ** 3, axis=1), x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), 3 * keras.ops.convert_to_numpy(x) ** 2)


def test_input_gradient_can_be_differentiated_again_with_respect_to_the_variables():
    v = keras.Variable(np.array([0.5, -2.0], np.float32))
    x = keras.ops.convert_to_tensor(np.array([[1.0, 2.0], [3.0, -1.0]], np.float32))

    def loss_fn():  # d/dt sum(v t^2) = 2 v t, summed over the batch: 2 v sum(x), whose gradient in v is 2 sum(x)
        return keras.ops.sum(backends.get().input_gradient(lambda t: keras.ops.sum(v * t ** 2, axis=1), x)), None

    loss, _, (grad,) = backends.get().loss_and_gradients(loss_fn, [v])
    assert float(loss) == pytest.approx(2 * (0.5 * 4.0 - 2.0 * 1.0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), [8.0, 2.0])


def test_assignments_made_while_differentiating_take_effect():
    seed_generator = keras.random.SeedGenerator(3)
    state_before = keras.ops.convert_to_numpy(seed_generator.state).copy()
    counter = keras.Variable(0.0, trainable=False)
    weight = keras.Variable(np.array([1.0, 2.0], np.float32))

    def score(t):  # counts its calls, like a batch-norm layer updating its statistics
        counter.assign(counter + 1.0)
        return keras.ops.sum(t, axis=1)

    def loss_fn():
        noise = keras.random.normal((2,), seed=seed_generator)
        counter.assign(counter + 1.0)
        inner = backends.get().input_gradient(score, keras.ops.ones((3, 2)))
        return keras.ops.sum(weight * noise) + 0.0 * keras.ops.sum(inner), noise

    _, noise, (grad,) = backends.get().loss_and_gradients(loss_fn, [weight])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), keras.ops.convert_to_numpy(noise))
    assert float(keras.ops.convert_to_numpy(counter)) == 2.0  # once in loss_fn, once in the input gradient's fn
    assert not np.array_equal(keras.ops.convert_to_numpy(seed_generator.state), state_before)  # the draw moved it
