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
