"""GAN losses, in pairs with one naming scheme, on logits.

Every discriminator loss takes ``real_logits`` and ``fake_logits`` (the raw,
pre-sigmoid outputs of D); every generator loss takes ``fake_logits``. All
return a scalar averaged over the batch. Written with ``keras.ops`` so they run
on any Keras backend; :func:`gradient_penalty` and :func:`r1_penalty` take their input
gradient from the backend seam, ``ganlab.backends``.
"""

import keras
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
    The input gradient comes from the backend seam (``ganlab.backends``).

    Args:
        critic: a Keras model mapping a batch (and, if conditional, labels) to scores.
        real: a batch of real examples.
        fake: a batch of generated examples of the same shape.
        weight: lambda; the paper uses 10.
        seed: an int or a ``keras.random.SeedGenerator`` for eps.
        labels: class labels for a conditional critic, else None.
    """
    from ganlab import backends

    real = ops.convert_to_tensor(real)
    fake = ops.convert_to_tensor(fake)
    batch = ops.shape(real)[0]
    eps_shape = (batch,) + (1,) * (len(real.shape) - 1)
    eps = keras.random.uniform(eps_shape, 0.0, 1.0, seed=seed, dtype=real.dtype)
    interpolated = eps * real + (1.0 - eps) * fake
    grads = backends.get().input_gradient(
        lambda x: critic(x if labels is None else [x, labels], training=True), interpolated)
    axes = list(range(1, len(real.shape)))
    norms = ops.sqrt(ops.sum(ops.square(grads), axis=axes) + 1e-12)
    return weight * ops.mean(ops.square(norms - 1.0))


def r1_penalty(discriminator, real, weight=10.0, labels=None):
    """R1 penalty on real data (Mescheder et al., 2018, "Which training methods for GANs do actually converge?").

    (gamma / 2) E_x[ ||grad_x D(x)||_2^2 ] over real x, with D the discriminator's
    logit. It pushes D's slope to zero on the data, which makes simple GANs
    converge locally; StyleGAN2 uses it with gamma between 0.1 and 100 by data set.
    The input gradient comes from the backend seam (``ganlab.backends``).

    Args:
        discriminator: a Keras model mapping a batch (and, if conditional, labels) to logits.
        real: a batch of real examples (as the discriminator sees them: augmented, if it is).
        weight: gamma.
        labels: class labels for a conditional discriminator, else None.

    Returns:
        The penalty, a scalar.
    """
    from ganlab import backends

    real = ops.convert_to_tensor(real)
    grads = backends.get().input_gradient(
        lambda x: discriminator(x if labels is None else [x, labels], training=True), real)
    axes = list(range(1, len(real.shape)))
    return 0.5 * weight * ops.mean(ops.sum(ops.square(grads), axis=axes))


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
