"""Differentiable augmentation (DiffAugment) of the images a discriminator sees.

Zhao et al. (2020), "Differentiable Augmentation for Data-Efficient GAN
Training": with few training images the discriminator memorises them and the
generator stops learning. Augmenting *both* the real and the generated images
with the same random, differentiable transformations before the
discriminator (and back-propagating through the augmentation into the
generator) lets a GAN train on a hundred images, or on crops of one painting,
without the augmentations leaking into the samples::

    augment = make_augment(("color", "translation", "cutout"))
    real_logits = discriminator(augment(real_images, seed_generator))
    fake_logits = discriminator(augment(generated_images, seed_generator))

Everything here is written with ``keras.ops`` and ``keras.random`` (no backend
import), works for batches of 1- and 3-channel images in [-1, 1], channels
last, and keeps their shape and dtype. The ranges are those of the reference
implementation (mit-han-lab/data-efficient-gans).
"""

import keras
from keras import ops


def _per_image(images, seed_generator, low, high):
    """One uniform number in [low, high) per image, shaped (batch, 1, 1, 1) to broadcast."""
    shape = (ops.shape(images)[0], 1, 1, 1)
    return keras.random.uniform(shape, low, high, dtype=images.dtype, seed=seed_generator)


def _as_images(images):
    images = ops.convert_to_tensor(images)
    if len(images.shape) != 4:
        raise ValueError(f"images must be a batch (batch, height, width, channels), got shape {tuple(images.shape)}.")
    if not keras.backend.is_float_dtype(images.dtype):
        raise ValueError(f"images must be floats in [-1, 1], got dtype {images.dtype}.")
    if images.shape[1] is None or images.shape[2] is None:
        raise ValueError("images need a known height and width (only the batch size may vary).")
    return images


# --------------------------------------------------------------------------- colour


def random_brightness(images, seed_generator):
    """Add one uniform number b ~ U(-0.5, 0.5) per image to every pixel: x' = x + b."""
    images = _as_images(images)
    return images + _per_image(images, seed_generator, -0.5, 0.5)


def random_saturation(images, seed_generator):
    """Scale each pixel's colour about its grey level by s ~ U(0, 2) per image.

    x' = (x - m) s + m with m the mean over the channels of that pixel: s = 0
    turns the image grey, s = 2 doubles its saturation. A grey pixel (and so a
    1-channel image) is left unchanged.
    """
    images = _as_images(images)
    grey = ops.mean(images, axis=-1, keepdims=True)
    return (images - grey) * _per_image(images, seed_generator, 0.0, 2.0) + grey


def random_contrast(images, seed_generator):
    """Scale each image about its mean by c ~ U(0.5, 1.5): x' = (x - m) c + m, m over all pixels and channels."""
    images = _as_images(images)
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * _per_image(images, seed_generator, 0.5, 1.5) + mean


# --------------------------------------------------------------------------- translation


def translate(images, shifts):
    """Move each image by a whole number of pixels, filling the uncovered border with zeros.

    ``x'[i, j] = x[i - dy, j - dx]`` where that lies inside the image, else 0
    (mid-grey for images in [-1, 1], as the reference pads with zeros). Written
    as ``x' = S_dy x S_dx^T`` with S_d the identity shifted down by d (rows
    that fall outside are dropped), so it is linear in the images and its
    gradient is the opposite move. On a CPU these two small matrix products
    are several times faster to differentiate than a gather.

    Args:
        images: (batch, height, width, channels).
        shifts: (batch, 2) integers (dy, dx): down and right by that many pixels.

    Returns:
        The moved images, same shape and dtype.
    """
    images = _as_images(images)
    shifts = ops.cast(ops.convert_to_tensor(shifts), "int32")
    height, width = images.shape[1], images.shape[2]
    # rows[n, i, j] = 1 where row i of the output is row j = i - dy of the input
    rows = ops.equal(ops.arange(height, dtype="int32")[None, None, :],
                     ops.arange(height, dtype="int32")[None, :, None] - shifts[:, :1, None])
    columns = ops.equal(ops.arange(width, dtype="int32")[None, None, :],
                        ops.arange(width, dtype="int32")[None, :, None] - shifts[:, 1:, None])
    moved = ops.einsum("nij,njwc->niwc", ops.cast(rows, images.dtype), images)
    return ops.einsum("nkw,niwc->nikc", ops.cast(columns, images.dtype), moved)


def random_translation(images, seed_generator, ratio=0.125):
    """Translate each image by dy, dx drawn uniformly from {-s, ..., s}, s = round(ratio * side); zero fill.

    With the reference's ratio 1/8 a 64 x 64 image moves by up to 8 pixels each way.
    """
    images = _as_images(images)
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    max_dy, max_dx = int(height * ratio + 0.5), int(width * ratio + 0.5)
    dy = keras.random.randint((batch, 1), -max_dy, max_dy + 1, dtype="int32", seed=seed_generator)
    dx = keras.random.randint((batch, 1), -max_dx, max_dx + 1, dtype="int32", seed=seed_generator)
    return translate(images, ops.concatenate([dy, dx], axis=1))


# --------------------------------------------------------------------------- cutout


def cut_out(images, corners, size):
    """Set a ``size`` x ``size`` square of each image to zero (the part of it that lies inside the image).

    Args:
        images: (batch, height, width, channels).
        corners: (batch, 2) integers (top, left) of each square; they may lie
            outside the image, so that only part of the square is cut.
        size: side of the square in pixels.

    Returns:
        The images with the squares zeroed in every channel, same shape and dtype.
    """
    images = _as_images(images)
    corners = ops.cast(ops.convert_to_tensor(corners), "int32")
    rows = ops.arange(images.shape[1], dtype="int32")[None, :] - corners[:, :1]
    columns = ops.arange(images.shape[2], dtype="int32")[None, :] - corners[:, 1:]
    inside = ops.logical_and(ops.logical_and(rows >= 0, rows < size)[:, :, None],
                             ops.logical_and(columns >= 0, columns < size)[:, None, :])
    return images * ops.cast(ops.logical_not(inside), images.dtype)[..., None]


def random_cutout(images, seed_generator, ratio=0.5):
    """Zero a square of side c = round(ratio * side) at a uniformly drawn place in each image.

    As in the reference, the square's centre is drawn from the whole image
    (plus one position for an even c), so near the border only part of the
    square falls inside: on average the cut-out covers less than ratio^2 of the image.
    """
    images = _as_images(images)
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    size_y, size_x = int(height * ratio + 0.5), int(width * ratio + 0.5)
    if size_y != size_x:
        raise ValueError(f"cutout needs square images, got {height} x {width}.")
    centre_y = keras.random.randint((batch, 1), 0, height + 1 - size_y % 2, dtype="int32", seed=seed_generator)
    centre_x = keras.random.randint((batch, 1), 0, width + 1 - size_x % 2, dtype="int32", seed=seed_generator)
    return cut_out(images, ops.concatenate([centre_y, centre_x], axis=1) - size_y // 2, size_y)


# --------------------------------------------------------------------------- policies


AUGMENTATIONS = {
    "color": (random_brightness, random_saturation, random_contrast),
    "translation": (random_translation,),
    "cutout": (random_cutout,),
}
DEFAULT_POLICY = ("color", "translation", "cutout")


def _check_policy(policy):
    if not isinstance(policy, str) and not (isinstance(policy, (tuple, list))
                                            and all(isinstance(name, str) for name in policy)):
        raise ValueError(f"an augmentation policy is names separated by commas or a sequence of names, "
                         f"such as 'color,translation,cutout' or {DEFAULT_POLICY!r}; got {policy!r}.")
    names = tuple(name.strip() for name in policy.split(",") if name.strip()) if isinstance(policy, str) \
        else tuple(policy)
    unknown = [name for name in names if name not in AUGMENTATIONS]
    if unknown:
        raise ValueError(f"unknown augmentation {unknown[0]!r} in policy {policy!r}; "
                         f"use names from {sorted(AUGMENTATIONS)}.")
    return names


def diff_augment(images, seed_generator, policy=DEFAULT_POLICY):
    """DiffAugment: random differentiable colour, translation and cutout (Zhao et al., 2020).

    For each policy name in order: ``"color"`` adds a brightness
    b ~ U(-0.5, 0.5), scales saturation by s ~ U(0, 2) and contrast by
    c ~ U(0.5, 1.5); ``"translation"`` moves the image by up to 1/8 of its side
    in each direction with zero fill; ``"cutout"`` zeroes a square of half its
    side. Every draw is per image. All operations are differentiable with
    respect to the images, so the generator is trained through them.

    Apply the *same* augmentation (the same policy) to real and generated
    images: augmenting only the real ones teaches the generator to produce
    augmented-looking images. Works for 1- and 3-channel images in [-1, 1]
    (the colour ops do not keep them inside [-1, 1], nor need to: only the
    discriminator sees them).

    Args:
        images: float tensor (batch, height, width, channels), square images.
        seed_generator: a ``keras.random.SeedGenerator`` (an integer seed would
            draw the same augmentation at every step of a compiled train step).
        policy: names from ``AUGMENTATIONS``, as a tuple or a comma-separated
            string ("color,translation,cutout" as in the reference code); empty
            for none.

    Returns:
        The augmented images, same shape and dtype.

    Raises:
        ValueError: for an unknown policy name or images that are not a 4-D float batch.
    """
    for name in _check_policy(policy):
        for operation in AUGMENTATIONS[name]:
            images = operation(images, seed_generator)
    return images


def make_augment(policy=DEFAULT_POLICY):
    """An ``augment(images, seed_generator) -> images`` callable for ``GAN.compile(augment=...)``.

    The policy is checked now, so a typo fails before training starts; the
    callable carries it as ``augment.policy`` (a tuple of names) so a run can record it.

    Raises:
        ValueError: for an unknown policy name.
    """
    names = _check_policy(policy)

    def augment(images, seed_generator):
        return diff_augment(images, seed_generator, names)

    augment.policy = names
    augment.__name__ = augment.__qualname__ = f"diff_augment_{'_'.join(names) or 'none'}"
    return augment
