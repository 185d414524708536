import math

import keras
import numpy as np
import pytest

from ganlab import backends, losses

pytestmark = pytest.mark.backends  # run on every Keras backend by `make test` (see tests/test_backends.py)

REAL = np.array([[2.0], [-1.0], [0.5]], dtype=np.float32)
FAKE = np.array([[-3.0], [0.0], [1.5]], dtype=np.float32)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _value(x):
    return float(keras.ops.convert_to_numpy(x))


def test_minimax_discriminator_loss_is_binary_cross_entropy():
    expected = -np.mean(np.log(_sigmoid(REAL))) - np.mean(np.log(1 - _sigmoid(FAKE)))
    assert _value(losses.minimax_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-5)


def test_discriminator_loss_at_zero_logits_is_two_log_two():
    zeros = np.zeros((4, 1), np.float32)
    assert _value(losses.minimax_discriminator_loss(zeros, zeros)) == pytest.approx(2 * math.log(2), rel=1e-6)


def test_one_sided_label_smoothing_targets_point_nine_for_real_only():
    expected = np.mean(-0.9 * np.log(_sigmoid(REAL)) - 0.1 * np.log(1 - _sigmoid(REAL))) \
        - np.mean(np.log(1 - _sigmoid(FAKE)))
    got = losses.non_saturating_discriminator_loss(REAL, FAKE, label_smoothing=0.1)
    assert _value(got) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("smoothing", [-0.1, 1.0, 2.0])
def test_label_smoothing_outside_unit_interval_is_refused(smoothing):
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=smoothing)


def test_minimax_generator_loss_is_mean_log_one_minus_d():
    assert _value(losses.minimax_generator_loss(FAKE)) == pytest.approx(np.mean(np.log(1 - _sigmoid(FAKE))), rel=1e-5)


def test_non_saturating_generator_loss_is_minus_mean_log_d():
    assert _value(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(-np.mean(np.log(_sigmoid(FAKE))),
                                                                               rel=1e-5)


def test_least_squares_losses_match_hand_computation():
    # D: 0.5 * mean((real - 1)^2) + 0.5 * mean(fake^2)
    d_expected = 0.5 * np.mean((REAL - 1) ** 2) + 0.5 * np.mean(FAKE ** 2)
    g_expected = 0.5 * np.mean((FAKE - 1) ** 2)
    assert _value(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(d_expected, rel=1e-6)
    assert _value(losses.least_squares_generator_loss(FAKE)) == pytest.approx(g_expected, rel=1e-6)


def test_hinge_losses_match_hand_computation():
    # real: max(0, 1-2)=0, max(0, 2)=2, max(0, .5)=.5 -> 2.5/3 ; fake: max(0,-2)=0, 1, 2.5 -> 3.5/3
    assert _value(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(2.5 / 3 + 3.5 / 3, rel=1e-6)
    assert _value(losses.hinge_generator_loss(FAKE)) == pytest.approx(-(-3 + 0 + 1.5) / 3, rel=1e-6)


def test_wasserstein_losses_match_hand_computation():
    assert _value(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(-0.5 - 0.5, rel=1e-6)
    assert _value(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(0.5, rel=1e-6)


def test_unknown_loss_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="non_saturating"):
        losses.get_losses("nonsaturating")


def _linear_critic(kernel):
    critic = keras.Sequential([keras.Input((len(kernel),)), keras.layers.Dense(1, use_bias=False)])
    critic.layers[0].set_weights([np.asarray(kernel, np.float32).reshape(-1, 1)])
    return critic


def test_gradient_penalty_is_zero_for_unit_norm_critic():
    critic = _linear_critic([0.6, 0.8])
    real, fake = np.random.default_rng(0).normal(size=(2, 16, 2)).astype(np.float32)
    assert _value(losses.gradient_penalty(critic, real, fake, weight=10.0, seed=1)) == pytest.approx(0.0, abs=1e-5)


def test_gradient_penalty_is_lambda_for_norm_two_critic():
    critic = _linear_critic([1.2, 1.6])
    real, fake = np.random.default_rng(0).normal(size=(2, 16, 2)).astype(np.float32)
    assert _value(losses.gradient_penalty(critic, real, fake, weight=10.0, seed=1)) == pytest.approx(10.0, rel=1e-5)


def test_gradient_penalty_has_no_nan_when_the_gradient_is_zero():
    critic = _linear_critic([0.0, 0.0])
    real, fake = np.ones((4, 2), np.float32), np.zeros((4, 2), np.float32)
    penalty, _, grads = backends.get().loss_and_gradients(
        lambda: (losses.gradient_penalty(critic, real, fake, weight=10.0, seed=1), None), critic.trainable_variables)
    assert _value(penalty) == pytest.approx(10.0, rel=1e-5)
    assert all(np.isfinite(keras.ops.convert_to_numpy(g)).all() for g in grads)


def test_gradient_penalty_draws_one_mixing_coefficient_per_example():
    seen = []

    def critic(x, training=False):
        seen.append(x)
        return keras.ops.sum(x, axis=(1, 2, 3))

    real, fake = np.ones((32, 4, 4, 1), np.float32), np.zeros((32, 4, 4, 1), np.float32)
    losses.gradient_penalty(critic, real, fake, seed=3)
    mixed = keras.ops.convert_to_numpy(seen[0]).reshape(32, -1)
    assert np.allclose(mixed, mixed[:, :1])  # constant within each example
    assert mixed.min() >= 0 and mixed.max() <= 1 and mixed[:, 0].std() > 0.1  # varies across examples


def test_r1_penalty_is_half_gamma_times_the_squared_kernel_norm_for_a_linear_discriminator():
    discriminator = _linear_critic([1.2, 1.6])  # grad_x D(x) = w everywhere, ||w||^2 = 4
    real = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    assert _value(losses.r1_penalty(discriminator, real, weight=10.0)) == pytest.approx(0.5 * 10.0 * 4.0, rel=1e-5)


def test_r1_penalty_of_a_quadratic_discriminator_is_half_gamma_times_the_mean_squared_norm():
    def discriminator(x, training=False):  # D(x) = ||x||^2 / 2, so grad_x D(x) = x
        return 0.5 * keras.ops.sum(keras.ops.square(x), axis=(1, 2, 3))

    real = np.random.default_rng(1).normal(size=(8, 3, 3, 1)).astype(np.float32)
    expected = 0.5 * 0.1 * np.mean(np.sum(real.astype(np.float64) ** 2, axis=(1, 2, 3)))
    assert _value(losses.r1_penalty(discriminator, real, weight=0.1)) == pytest.approx(expected, rel=1e-5)
