"""Tests for ganlab.theory: the chapter-1 minimax game on a grid and the 1D mixture behind it."""

import math

import numpy as np
import pytest

from ganlab import theory


GRID = np.linspace(-12.0, 12.0, 4801)


def _gauss(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def test_optimal_discriminator_is_the_density_ratio_pointwise():
    p_data = np.array([1.0, 0.0, 2.0, 3.0, 0.0])
    p_g = np.array([1.0, 2.0, 0.0, 1.0, 0.0])
    expected = np.array([0.5, 0.0, 1.0, 0.75, 0.5])  # by hand; both zero -> 1/2
    np.testing.assert_allclose(theory.optimal_discriminator(p_data, p_g), expected)


def test_value_function_of_the_uninformed_discriminator_is_minus_log_four():
    p = _gauss(GRID, 0.0, 1.0)
    q = _gauss(GRID, 3.0, 0.5)
    assert theory.value_function(np.full_like(GRID, 0.5), p, q, GRID) == pytest.approx(-math.log(4), abs=1e-6)


def test_kl_divergence_of_two_unit_gaussians_is_half_the_squared_mean_gap():
    # KL(N(0,1) || N(1,1)) = (0 - 1)^2 / 2 = 0.5; KL(N(0,1) || N(0,2^2)) = log 2 + 1/8 - 1/2
    assert theory.kl_divergence(_gauss(GRID, 0, 1), _gauss(GRID, 1, 1), GRID) == pytest.approx(0.5, abs=1e-6)
    expected = math.log(2) + 1 / 8 - 0.5
    assert theory.kl_divergence(_gauss(GRID, 0, 1), _gauss(GRID, 0, 2), GRID) == pytest.approx(expected, abs=1e-6)


def test_jensen_shannon_is_zero_for_equal_and_log_two_for_disjoint_densities():
    p = _gauss(GRID, 0.0, 1.0)
    assert theory.jensen_shannon(p, p, GRID) == pytest.approx(0.0, abs=1e-12)
    left = np.where((GRID > -3) & (GRID < -1), 0.5, 0.0)
    right = np.where((GRID > 1) & (GRID < 3), 0.5, 0.0)
    assert theory.jensen_shannon(left, right, GRID) == pytest.approx(math.log(2), abs=2e-3)


def test_jensen_shannon_of_two_overlapping_boxes_matches_the_hand_computation():
    # p uniform on [0, 2], q uniform on [1, 3]: on the overlap m = p = q, elsewhere m = p / 2 or q / 2,
    # so KL(p || m) = 1/2 log 2 and JSD = 1/2 log 2.
    x = np.linspace(-1, 4, 50001)
    p = np.where((x >= 0) & (x <= 2), 0.5, 0.0)
    q = np.where((x >= 1) & (x <= 3), 0.5, 0.0)
    assert theory.jensen_shannon(p, q, x) == pytest.approx(0.5 * math.log(2), abs=1e-3)


def test_value_at_the_optimal_discriminator_is_minus_log_four_plus_twice_the_jsd():
    p = _gauss(GRID, 0.0, 1.0)
    q = 0.5 * _gauss(GRID, -2.0, 0.5) + 0.5 * _gauss(GRID, 2.5, 0.7)
    d_star = theory.optimal_discriminator(p, q)
    value = theory.value_function(d_star, p, q, GRID)
    assert value == pytest.approx(-math.log(4) + 2 * theory.jensen_shannon(p, q, GRID), abs=1e-9)
    # and D* beats any other discriminator
    assert value > theory.value_function(np.clip(d_star + 0.05, 0, 1), p, q, GRID)
    assert value > theory.value_function(np.full_like(GRID, 0.5), p, q, GRID)


def test_grid_helpers_refuse_bad_grids_and_densities():
    with pytest.raises(ValueError, match="increasing"):
        theory.jensen_shannon(np.ones(3), np.ones(3), np.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        theory.kl_divergence(np.ones(3), np.ones(4), np.arange(3.0))
    with pytest.raises(ValueError, match="non-negative"):
        theory.jensen_shannon(np.array([1.0, -1.0]), np.ones(2), np.arange(2.0))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        theory.value_function(np.full(2, 1.5), np.ones(2), np.ones(2), np.arange(2.0))


def test_mixture_density_integrates_to_one_and_samples_have_its_mean():
    mixture = theory.Mixture1D(means=(-1.0, 2.0), stds=(0.5, 0.3), weights=(3, 1))
    assert np.trapezoid(mixture.density(GRID), GRID) == pytest.approx(1.0, abs=1e-9)
    points = mixture.sample(20_000, seed=0)
    assert points.shape == (20_000, 1) and points.dtype == np.float32
    assert points.mean() == pytest.approx(0.75 * -1.0 + 0.25 * 2.0, abs=0.02)
    np.testing.assert_array_equal(points, mixture.sample(20_000, seed=0))


# ---------------------------------------------------------------------- the non-saturating loss at D*


def test_non_saturating_value_of_a_constant_half_discriminator_is_log_two():
    q = _gauss(GRID, 1.0, 0.7)
    assert theory.non_saturating_generator_value(_gauss(GRID, 0, 1), q, GRID, d=np.full_like(GRID, 0.5)) \
        == pytest.approx(math.log(2), abs=1e-9)


def test_non_saturating_divergence_is_zero_and_the_loss_log_two_when_the_generator_copies_the_data():
    p = 0.5 * _gauss(GRID, -2.0, 0.5) + 0.5 * _gauss(GRID, 2.0, 0.5)
    assert theory.non_saturating_divergence(p, p, GRID) == pytest.approx(0.0, abs=1e-12)
    assert theory.non_saturating_generator_value(p, p, GRID) == pytest.approx(math.log(2), abs=1e-9)


def test_non_saturating_loss_at_d_star_is_the_divergence_plus_a_term_fixed_by_d_star():
    p = 0.5 * _gauss(GRID, -2.0, 0.5) + 0.5 * _gauss(GRID, 2.0, 0.5)
    q = _gauss(GRID, 0.7, 1.2)
    d_star = p / (p + q)  # numpy, by hand
    e_data_log_d = np.trapezoid(p * np.log(d_star), GRID)
    expected = theory.kl_divergence(q, p, GRID) - 2 * theory.jensen_shannon(p, q, GRID) + math.log(4) + e_data_log_d
    assert theory.non_saturating_generator_value(p, q, GRID) == pytest.approx(expected, abs=1e-9)
    direct = -np.trapezoid(q * np.log(d_star), GRID)
    assert theory.non_saturating_generator_value(p, q, GRID) == pytest.approx(direct, abs=1e-9)


def test_gradient_of_the_non_saturating_loss_with_d_star_held_fixed_is_that_of_kl_minus_two_jsd():
    # Arjovsky and Bottou (2017), Theorem 2.5, for a Gaussian generator N(mu, 1) moved along mu.
    p = 0.5 * _gauss(GRID, -2.0, 0.5) + 0.5 * _gauss(GRID, 2.0, 0.5)
    mu, h = 0.8, 1e-3
    d_star = theory.optimal_discriminator(p, _gauss(GRID, mu, 1.0))  # held fixed

    def loss(m):
        return theory.non_saturating_generator_value(p, _gauss(GRID, m, 1.0), GRID, d=d_star)

    def divergence(m):
        return theory.non_saturating_divergence(p, _gauss(GRID, m, 1.0), GRID)

    loss_slope = (loss(mu + h) - loss(mu - h)) / (2 * h)
    divergence_slope = (divergence(mu + h) - divergence(mu - h)) / (2 * h)
    assert abs(loss_slope) > 0.05  # a real slope, not two zeros
    assert loss_slope == pytest.approx(divergence_slope, abs=1e-5)


def test_reverse_kl_punishes_a_missed_mode_less_than_mass_between_the_modes():
    p = 0.5 * _gauss(GRID, -2.0, 0.5) + 0.5 * _gauss(GRID, 2.0, 0.5)
    one_mode = _gauss(GRID, 2.0, 0.5)
    between = _gauss(GRID, 0.0, 2.0)
    assert theory.kl_divergence(one_mode, p, GRID) == pytest.approx(math.log(2), abs=1e-3)  # by hand: log 2
    assert theory.kl_divergence(one_mode, p, GRID) < theory.kl_divergence(between, p, GRID)


# ---------------------------------------------------------------------- the Dirac-GAN


def test_one_dirac_gan_step_matches_the_hand_computation():
    s = 1 / (1 + math.exp(-1))  # sigma(1)
    np.testing.assert_allclose(theory.dirac_gan(1.0, 1.0, "gan", steps=1, learning_rate=0.1)[1],
                               [1 + 0.1 * s, 1 - 0.1 * s])
    np.testing.assert_allclose(theory.dirac_gan(1.0, 1.0, "r1", steps=1, learning_rate=0.1, penalty_weight=1.0)[1],
                               [1 + 0.1 * s, 1 - 0.1 * (s + 1)])
    # alternating: G sees the new psi
    psi = 1 - 0.1 * s
    theta = 1 + 0.1 * psi / (1 + math.exp(-psi))
    np.testing.assert_allclose(theory.dirac_gan(1.0, 1.0, "gan", steps=1, learning_rate=0.1, alternating=True)[1],
                               [theta, psi])
    # WGAN-GP at |psi| = 0.5: the penalty's pull (+1) cancels -theta (-1), and G moves by psi
    np.testing.assert_allclose(theory.dirac_gan(1.0, 0.5, "wgan-gp", steps=1, learning_rate=0.1)[1], [1.05, 0.5])


def test_dirac_gan_converges_with_r1_and_not_without():
    radius = {}
    for loss in theory.DIRAC_GAN_LOSSES:
        path = theory.dirac_gan(1.0, 1.0, loss, steps=3000, learning_rate=0.1)
        radius[loss] = np.hypot(path[-200:, 0], path[-200:, 1]).min()
    assert radius["r1"] < 1e-3
    assert radius["gan"] > math.sqrt(2)  # simultaneous steps spiral out from the start's radius sqrt(2)
    assert radius["wgan-gp"] > 0.5
    # WGAN-GP: for psi > 0 the field is a damped oscillation about (2w, 0), where the penalty's push away from
    # psi = 0 balances -theta; with w = 1 the iterates settle there, at theta = 2w = 2, not at the data (0)
    theta, psi = theory.dirac_gan(1.0, 1.0, "wgan-gp", steps=3000, learning_rate=0.1)[-1]
    assert abs(psi) < 0.2 and abs(theta) == pytest.approx(2.0, abs=0.1)
    alternating = theory.dirac_gan(1.0, 1.0, "gan", steps=3000, learning_rate=0.1, alternating=True)
    np.testing.assert_allclose(np.hypot(alternating[:, 0], alternating[:, 1]), math.sqrt(2), rtol=0.1)  # circles


def test_dirac_gan_refuses_bad_settings():
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        theory.dirac_gan(1.0, 1.0, "hinge")
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        theory.dirac_gan(1.0, 1.0, learning_rate=0)
