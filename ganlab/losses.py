"""GAN losses, in pairs with one naming scheme, on logits.

Every discriminator loss takes ``real_logits`` and ``fake_logits`` (the raw,
pre-sigmoid outputs of D); every generator loss takes ``fake_logits``. All
return a scalar averaged over the batch. Written with ``keras.ops`` so they run
on any Keras backend; only :func:`gradient_penalty` needs TensorFlow's tape.
"""

import keras
import numpy as np
from keras import ops


def _bce_with_logits(logits, target):
    """-t log sigmoid(x) - (1 - t) log(1 - sigmoid(x)), computed stably."""
    return target * ops.softplus(-logits) + (1.0 - target) * ops.softplus(logits)


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the original minimax game (Goodfellow et al., 2014).

    L_D = -E[log D(x)] - E[log(1 - D(G(z)))], D = sigmoid(logits).
    With one-sided label smoothing (Salimans et al., 2016) the real target is
    ``1 - label_smoothing`` (0.1 gives 0.9); fake targets stay 0.

    Raises:
        ValueError: if ``label_smoothing`` is not in [0, 1).
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}.")
    real = _bce_with_logits(real_logits, 1.0 - label_smoothing)
    fake = _bce_with_logits(fake_logits, 0.0)
    return ops.mean(real) + ops.mean(fake)


def minimax_generator_loss(fake_logits):
    """Generator loss of the minimax game: L_G = E[log(1 - D(G(z)))] = -E[softplus(logits)].

    It saturates: when D confidently rejects fakes (D(G(z)) -> 0) its gradient vanishes.
    """
    return -ops.mean(ops.softplus(fake_logits))


def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss paired with the non-saturating generator loss (the same BCE as minimax)."""
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss (Goodfellow et al., 2014): L_G = -E[log D(G(z))] = E[softplus(-logits)]."""
    return ops.mean(ops.softplus(-fake_logits))


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """LSGAN discriminator loss (Mao et al., 2017), targets a = 0, b = 1:

    L_D = 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2], with b = 1 - label_smoothing.
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing!r}.")
    target = 1.0 - label_smoothing
    return 0.5 * ops.mean(ops.square(real_logits - target)) + 0.5 * ops.mean(ops.square(fake_logits))


def least_squares_generator_loss(fake_logits):
    """LSGAN generator loss, c = 1: L_G = 1/2 E[(D(G(z)) - 1)^2]."""
    return 0.5 * ops.mean(ops.square(fake_logits - 1.0))


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge discriminator loss (Lim and Ye, 2017; Miyato et al., 2018):

    L_D = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))].
    """
    return ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """Hinge generator loss: L_G = -E[D(G(z))]."""
    return -ops.mean(fake_logits)


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Wasserstein critic loss (Arjovsky et al., 2017): L_D = E[D(G(z))] - E[D(x)].

    Its negative estimates the Wasserstein-1 distance when D is 1-Lipschitz
    (enforce that with weight clipping or :func:`gradient_penalty`).
    """
    return ops.mean(fake_logits) - ops.mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Wasserstein generator loss: L_G = -E[D(G(z))]."""
    return -ops.mean(fake_logits)


def gradient_penalty(critic, real, fake, weight=10.0, seed=None, labels=None):
    """WGAN-GP gradient penalty (Gulrajani et al., 2017).

    weight * E[(||grad_x_hat D(x_hat)||_2 - 1)^2] with x_hat = eps x + (1 - eps) G(z)
    and one eps ~ U[0, 1] per example. The norm is computed as
    sqrt(sum g^2 + 1e-12), so a zero gradient gives a finite penalty and no NaN.

    Args:
        critic: a Keras model mapping a batch (and, if conditional, labels) to scores.
        real: a batch of real examples.
        fake: a batch of generated examples of the same shape.
        weight: lambda; the paper uses 10.
        seed: an int or a ``keras.random.SeedGenerator`` for eps.
        labels: class labels for a conditional critic, else None.
    """
    import tensorflow as tf  # the one backend-specific piece: a gradient with respect to the input

    real = ops.convert_to_tensor(real)
    fake = ops.convert_to_tensor(fake)
    batch = ops.shape(real)[0]
    eps_shape = (batch,) + (1,) * (len(real.shape) - 1)
    eps = keras.random.uniform(eps_shape, 0.0, 1.0, seed=seed, dtype=real.dtype)
    interpolated = eps * real + (1.0 - eps) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        inputs = interpolated if labels is None else [interpolated, labels]
        scores = critic(inputs, training=True)
    grads = tape.gradient(scores, interpolated)
    axes = list(range(1, len(real.shape)))
    norms = ops.sqrt(ops.sum(ops.square(grads), axis=axes) + 1e-12)
    return weight * ops.mean(ops.square(norms - 1.0))


LOSSES = {
    "minimax": (minimax_discriminator_loss, minimax_generator_loss),
    "non_saturating": (non_saturating_discriminator_loss, non_saturating_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
}
SMOOTHABLE = ("minimax", "non_saturating", "least_squares")


def get_losses(name):
    """Return ``(discriminator_loss, generator_loss)`` for a loss name in :data:`LOSSES`."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(LOSSES)}.")
    return LOSSES[name]


# ---------------------------------------------------------------------- the minimax game on a grid (chapter 1)
# Densities tabulated on a 1D grid ``x`` (numpy arrays of the same length); integrals use the trapezoidal rule.


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
