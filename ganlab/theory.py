"""The theory chapters' mathematics (1-3), in numpy: the minimax game on a 1D grid, its densities, what the
non-saturating loss minimises, and the Dirac-GAN of Mescheder et al. (2018).

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


# ---------------------------------------------------------------------- the non-saturating loss (chapters 2 and 3)


def non_saturating_generator_value(p_data, p_g, x, d=None):
    """The non-saturating generator loss, E_{p_g}[-log D(x)], integrated on the grid ``x``.

    With ``d=None`` it is taken at the optimal discriminator D* = p_data / (p_data + p_g)
    (Goodfellow et al., 2014). log 0 is floored at -708 as in :func:`value_function`.

    Args:
        p_data, p_g: the densities on the grid.
        x: the grid, strictly increasing.
        d: D(x) on the grid, values in [0, 1]; None for D*.

    Returns:
        The loss as a float, in nats.
    """
    x, (p_data, p_g) = _check_grid(x, p_data, p_g)
    d = optimal_discriminator(p_data, p_g) if d is None else _check_grid(x, d)[1][0]
    if np.any(d > 1):
        raise ValueError("D(x) must lie in [0, 1].")
    return -_integrate(_xlogy(p_g, d), x)


def non_saturating_divergence(p_data, p_g, x):
    """KL(p_g || p_data) - 2 JSD(p_data || p_g): what the non-saturating generator loss follows at D*.

    Arjovsky and Bottou (2017, Theorem 2.5): with D* computed for the current generator
    and held fixed, the gradient of E_{p_g}[-log D*] with respect to the generator's
    parameters equals the gradient of this divergence. Its values differ by a term
    that does not depend on the generator when D* is held fixed:
    E_{p_g}[-log D*] = KL(p_g || p_data) - 2 JSD(p_data || p_g) + log 4 + E_{p_data}[log D*].

    The reverse KL, KL(p_g || p_data), is large where p_g puts mass and p_data has none,
    and small when p_g misses some of p_data's modes; the -2 JSD term rewards separating
    from the data. Both leave a generator that drops modes little penalised.

    Returns:
        The divergence as a float, in nats (may be negative).
    """
    return kl_divergence(p_g, p_data, x) - 2.0 * jensen_shannon(p_data, p_g, x)


# ---------------------------------------------------------------------- the Dirac-GAN (chapter 3)

DIRAC_GAN_LOSSES = ("gan", "wgan-gp", "r1")


def dirac_gan(theta, psi, loss="gan", steps=1000, learning_rate=0.1, penalty_weight=1.0, alternating=False):
    """Gradient steps of the Dirac-GAN of Mescheder et al. (2018): a 1D game whose equilibrium is (0, 0).

    The data are a point mass at 0; the generator is a point mass at ``theta``; the
    discriminator is linear, D(x) = sigma(psi x) (its logit psi x). Both players take
    gradient steps of size ``learning_rate``, simultaneous or, with ``alternating``, the
    discriminator first. The losses:

    - ``"gan"``: the minimax game of chapter 1, V = log sigma(psi 0) + log(1 - sigma(psi theta)),
      which D ascends and G descends. The field, d theta = sigma(psi theta) psi and
      d psi = -sigma(psi theta) theta, is at right angles to (theta, psi): the flow keeps
      theta^2 + psi^2 fixed and circles the equilibrium; simultaneous steps spiral out,
      alternating ones circle.
    - ``"wgan-gp"``: the critic's score is psi x; D ascends -psi theta - w (abs(psi) - 1)^2
      (the gradient penalty: abs(d score / dx) = abs(psi) everywhere), G ascends psi theta. The
      penalty pushes psi away from psi = 0 with slope 2w: for psi > 0 the field is
      d theta = psi, d psi = 2w - theta - 2w psi, a damped oscillation about (2w, 0), and for
      psi < 0 about (-2w, 0). With w >= 1 (damped enough) the iterates settle at one of these
      false equilibria, 2w from the data, with the critic chattering around psi = 0; with a
      smaller w they can keep swinging between the two sides.
    - ``"r1"``: ``"gan"`` with the R1 penalty (w / 2) (d logit / dx)^2 on the data,
      (w / 2) psi^2, in D's loss: d psi gains -w psi, which damps the rotation and the
      iterates converge to (0, 0).

    Args:
        theta, psi: the starting point.
        loss: one of :data:`DIRAC_GAN_LOSSES`.
        steps: number of gradient steps.
        learning_rate: the step size, the same for both players.
        penalty_weight: w, the weight of the gradient penalty or of R1 (gamma).
        alternating: update D first and let G see the new D.

    Returns:
        float64 array of shape (steps + 1, 2): (theta, psi) after each step, the start first.
    """
    if loss not in DIRAC_GAN_LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {DIRAC_GAN_LOSSES}.")
    positive_int("steps", steps)
    if not learning_rate > 0 or not penalty_weight >= 0:
        raise ValueError(f"learning_rate must be positive and penalty_weight non-negative, got {learning_rate!r} "
                         f"and {penalty_weight!r}.")

    def sigmoid(t):
        return 1.0 / (1.0 + math.exp(-t)) if t >= 0 else math.exp(t) / (1.0 + math.exp(t))

    def d_step(theta, psi):  # the discriminator's ascent direction
        if loss == "wgan-gp":
            return -theta - 2.0 * penalty_weight * (abs(psi) - 1.0) * np.sign(psi)
        direction = -sigmoid(psi * theta) * theta  # d/dpsi log(1 - sigma(psi theta)); the real term is constant
        return direction - penalty_weight * psi if loss == "r1" else direction

    def g_step(theta, psi):  # the generator's descent direction (minus its gradient)
        if loss == "wgan-gp":
            return psi
        return sigmoid(psi * theta) * psi  # -d/dtheta of log(1 - sigma(psi theta))

    path = np.empty((steps + 1, 2))
    path[0] = theta, psi
    for step in range(steps):
        if alternating:
            psi = psi + learning_rate * d_step(theta, psi)
            theta = theta + learning_rate * g_step(theta, psi)
        else:
            theta, psi = theta + learning_rate * g_step(theta, psi), psi + learning_rate * d_step(theta, psi)
        path[step + 1] = theta, psi
    return path
