"""The theory chapters' mathematics (1-3), in numpy: the minimax game on a 1D grid and its densities.

Densities are tabulated on a 1D grid ``x`` (numpy arrays of the same length);
integrals use the trapezoidal rule. :class:`Mixture1D` gives the densities of
chapter 1; :func:`optimal_discriminator`, :func:`value_function`,
:func:`kl_divergence` and :func:`jensen_shannon` are Goodfellow et al.'s (2014)
Proposition 1 and Theorem 1 computed on the grid.
"""

import math
from dataclasses import dataclass

import numpy as np

from ganlab._checks import positive_int


@dataclass
class Mixture1D:
    """A mixture of 1D Gaussians: its density on a grid and samples from it (chapter 1).

    Args:
        means, stds, weights: one entry per component; weights are normalised to sum to 1.
    """

    means: tuple
    stds: tuple
    weights: tuple = None

    def __post_init__(self):
        self.means = np.atleast_1d(np.asarray(self.means, dtype=np.float64))
        self.stds = np.atleast_1d(np.asarray(self.stds, dtype=np.float64))
        weights = np.ones(len(self.means)) if self.weights is None else self.weights
        self.weights = np.atleast_1d(np.asarray(weights, dtype=np.float64))
        if not (self.means.shape == self.stds.shape == self.weights.shape) or self.means.ndim != 1:
            raise ValueError("means, stds and weights must be 1D and of one length.")
        if np.any(self.stds <= 0) or np.any(self.weights < 0) or self.weights.sum() <= 0:
            raise ValueError("stds must be positive and weights non-negative with a positive sum.")
        self.weights = self.weights / self.weights.sum()

    def density(self, x):
        """p(x) = sum_k w_k N(x; mu_k, sigma_k^2), evaluated at the points ``x``."""
        x = np.asarray(x, dtype=np.float64)[..., None]
        z = (x - self.means) / self.stds
        return np.sum(self.weights * np.exp(-0.5 * z ** 2) / (self.stds * math.sqrt(2 * math.pi)), axis=-1)

    def sample(self, n, seed=None):
        """Draw ``n`` points, float32 of shape (n, 1); the same seed gives the same points."""
        positive_int("n", n)
        rng = np.random.default_rng(seed)
        components = rng.choice(len(self.means), size=n, p=self.weights)
        points = self.means[components] + self.stds[components] * rng.standard_normal(n)
        return points.astype(np.float32)[:, None]


def _check_grid(x, *densities):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or len(x) < 2 or np.any(np.diff(x) <= 0):
        raise ValueError("x must be a strictly increasing 1D grid with at least two points.")
    arrays = []
    for density in densities:
        density = np.asarray(density, dtype=np.float64)
        if density.shape != x.shape:
            raise ValueError(f"a density must have the grid's shape {x.shape}, got {density.shape}.")
        if np.any(density < 0):
            raise ValueError("densities must be non-negative.")
        arrays.append(density)
    return x, arrays


def _integrate(values, x):
    return float(np.sum(0.5 * (values[1:] + values[:-1]) * np.diff(x)))


def _xlogy(p, y):
    """p * log(y), taken as 0 where p == 0 (the convention 0 log 0 = 0).

    y is floored at the smallest positive float64 (log = -708), so a ratio that
    rounded to exactly 0 in a far tail, where p is itself negligible, adds a
    negligible term instead of -inf.
    """
    safe = np.where(p > 0, np.maximum(y, np.finfo(np.float64).tiny), 1.0)
    return np.where(p > 0, p * np.log(safe), 0.0)


def optimal_discriminator(p_data, p_g):
    """The best discriminator for a fixed generator (Goodfellow et al., 2014, Proposition 1).

    D*(x) = p_data(x) / (p_data(x) + p_g(x)), pointwise; 1/2 where both densities vanish.

    Args:
        p_data, p_g: the two densities evaluated at the same points (arrays of one shape).

    Returns:
        D*(x) as a float64 array of that shape.
    """
    p_data = np.asarray(p_data, dtype=np.float64)
    p_g = np.asarray(p_g, dtype=np.float64)
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g must have one shape, got {p_data.shape} and {p_g.shape}.")
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


def value_function(d, p_data, p_g, x):
    """The value of the minimax game, V(D, G) = E_{p_data}[log D(x)] + E_{p_g}[log(1 - D(x))].

    Computed as the integral of p_data log D + p_g log(1 - D) over the grid ``x``
    (trapezoidal rule). With D = D* it equals -log 4 + 2 JSD(p_data || p_g)
    (Goodfellow et al., 2014, Theorem 1).

    Args:
        d: D(x) on the grid, values in [0, 1].
        p_data, p_g: the densities on the grid.
        x: the grid, strictly increasing.

    Returns:
        V as a float. log 0 is taken as -708 (the log of the smallest float64), so a D
        that is exactly 0 or 1 where the matching density is positive gives a large
        negative V rather than -inf.
    """
    x, (d, p_data, p_g) = _check_grid(x, d, p_data, p_g)
    if np.any(d > 1):
        raise ValueError("D(x) must lie in [0, 1].")
    return _integrate(_xlogy(p_data, d) + _xlogy(p_g, 1.0 - d), x)


def kl_divergence(p, q, x):
    """KL(p || q) = integral of p log(p / q) over the grid ``x``, in nats.

    Where q = 0 but p > 0 the true KL is infinite; here log 0 is floored at -708, so
    the result is large but finite. Check the supports before trusting a large value.
    """
    x, (p, q) = _check_grid(x, p, q)
    return _integrate(_xlogy(p, p) - _xlogy(p, q), x)


def jensen_shannon(p, q, x):
    """Jensen-Shannon divergence of two densities on a grid, in nats.

    JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2. It lies in
    [0, log 2] for normalised densities: 0 when p = q, log 2 when they do not overlap.
    """
    x, (p, q) = _check_grid(x, p, q)
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, x) + 0.5 * kl_divergence(q, m, x)
