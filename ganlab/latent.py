"""The latent space: latent vectors, generating from them, paths between them, directions in it.

- :func:`latent_vectors`, :func:`seed_latents` and :func:`generate`: the seeded
  noise a generator runs on and the pictures it makes (``GAN.generate`` uses them).
- :func:`lerp`, :func:`slerp`, :func:`interpolate`, :func:`latent_walk`,
  :func:`render` and :func:`walk_frames`: paths through the latent space and their
  pictures (chapter 8).
- :func:`pca_directions` and :func:`orthonormal_rows`: directions to move along
  (the latent explorer of ``ganlab.widgets``).
- :func:`shell_latents` (the truncation trick: a narrower shell) and
  :func:`latent_arithmetic` (Radford et al.'s vector arithmetic) (chapter 8).
- :func:`label_embeddings` and :func:`render_embeddings`: a conditional generator
  run from label embeddings instead of labels, to cross between classes (chapter 9).
"""

import numpy as np
from keras import ops

from ganlab import _checks
from ganlab._checks import positive_int
from ganlab.cppn import is_cppn, render_cppn


def latent_vectors(n, latent_dim, seed=None):
    """Standard-normal latent vectors, float32 (n, latent_dim), from numpy's generator with ``seed``."""
    positive_int("n", n)
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def generate(generator, n, seed=None, labels=None, latents=None, batch_size=500):
    """Run ``generator`` (not training) on ``n`` latent vectors and return a numpy array.

    Works for any generator built by ``ganlab.models`` or ``ganlab.cppn``. A conditional
    one (an input named ``"label"``) takes ``labels``; by default 0, 1, 2, ... cycling
    through the classes its label embedding knows.

    Args:
        generator: the generator.
        n: how many.
        seed: seed of the latent vectors (see :func:`latent_vectors`).
        labels: class labels, shape (n,), for a conditional generator.
        latents: use these latent vectors (shape (n, latent_dim)) instead of drawing them.
        batch_size: how many to run at once.
    """
    latent_dim = _checks.latent_dim(generator)
    if latents is None:
        latents = latent_vectors(n, latent_dim, seed)
    latents = np.asarray(latents, dtype=np.float32)
    if latents.shape != (n, latent_dim):
        raise ValueError(f"latents must have shape ({n}, {latent_dim}), got {latents.shape}.")
    conditional = _checks.is_conditional(generator)
    labels = _checks.class_labels(generator, labels)
    if conditional:
        labels = np.arange(n, dtype=np.int32) % _checks.num_classes(generator) if labels is None else labels
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape ({n},), got {labels.shape}.")
    outputs = []
    for start in range(0, n, batch_size):
        z = latents[start:start + batch_size]
        inputs = [z, labels[start:start + batch_size]] if conditional else z
        outputs.append(ops.convert_to_numpy(generator(inputs, training=False)))
    return np.concatenate(outputs, axis=0)


def lerp(a, b, t):
    """Linear interpolation ``(1 - t) a + t b`` between latent vectors.

    Args:
        a, b: arrays of one shape (..., d).
        t: a number, or a 1D array of T numbers (usually in [0, 1]).

    Returns:
        An array shaped like ``a`` for a number ``t``, ``(T, *a.shape)`` for an array;
        float64 if ``a`` or ``b`` is float64, else float32.
    """
    a, b, t, dtype = _path_arguments(a, b, t)
    return ((1.0 - t) * a + t * b).astype(dtype)


def slerp(a, b, t, eps=1e-6):
    """Spherical linear interpolation between latent vectors (Shoemake, 1985; White, 2016).

    .. math::

        \\mathrm{slerp}(a, b; t) = \\frac{\\sin((1 - t)\\Omega)}{\\sin \\Omega} a
        + \\frac{\\sin(t \\Omega)}{\\sin \\Omega} b, \\qquad
        \\cos \\Omega = \\frac{a \\cdot b}{\\|a\\| \\|b\\|}.

    It moves along the great circle from a to b at constant angular speed, so
    for unit vectors every point has norm 1 and equal steps in ``t`` sweep equal
    angles. For Gaussian latents (whose norms all lie near sqrt(d)) it keeps
    the path where the generator was trained, while the midpoint of
    :func:`lerp` has norm about sqrt(d / 2). When a and b are (anti)parallel
    (sin Omega < ``eps``) or one is zero, the great circle is not defined and
    it falls back to :func:`lerp` (no NaN).

    Args and returns as in :func:`lerp`; the last axis is the vector axis.
    """
    a, b, t, dtype = _path_arguments(a, b, t)
    norm_a = np.linalg.norm(a, axis=-1, keepdims=True)
    norm_b = np.linalg.norm(b, axis=-1, keepdims=True)
    denominator = norm_a * norm_b
    cosine = np.sum(a * b, axis=-1, keepdims=True) / np.where(denominator > 0, denominator, 1.0)
    omega = np.arccos(np.clip(cosine, -1.0, 1.0))
    sine = np.sin(omega)
    degenerate = (sine < eps) | (denominator == 0)
    safe = np.where(degenerate, 1.0, sine)
    weight_a = np.where(degenerate, 1.0 - t, np.sin((1.0 - t) * omega) / safe)
    weight_b = np.where(degenerate, t, np.sin(t * omega) / safe)
    return (weight_a * a + weight_b * b).astype(dtype)


def _path_arguments(a, b, t):
    a, b = np.asarray(a), np.asarray(b)
    dtype = np.result_type(a.dtype, b.dtype, np.float32)
    a, b = a.astype(np.float64), b.astype(np.float64)
    if a.shape != b.shape or a.ndim == 0:
        raise ValueError(f"a and b must be vectors of one shape, got {a.shape} and {b.shape}.")
    t = np.asarray(t, dtype=np.float64)
    if t.ndim > 1:
        raise ValueError(f"t must be a number or a 1D array, got shape {t.shape}.")
    if not np.all(np.isfinite(t)):
        raise ValueError("t must be finite.")
    if t.ndim == 1:
        t = t.reshape((-1,) + (1,) * a.ndim)
    return a, b, t, dtype


INTERPOLATIONS = {"lerp": lerp, "slerp": slerp}


def interpolate(a, b, frames, method="slerp"):
    """``frames`` latent vectors from ``a`` to ``b`` (both ends included), shape ``(frames, *a.shape)``.

    Args:
        method: ``"slerp"`` (default; see :func:`slerp`) or ``"lerp"``.

    Raises:
        ValueError: for fewer than 2 frames or an unknown method.
    """
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 2:
        raise ValueError(f"frames must be an integer >= 2, got {frames!r}.")
    if method not in INTERPOLATIONS:
        raise ValueError(f"method must be one of {sorted(INTERPOLATIONS)}, got {method!r}.")
    return INTERPOLATIONS[method](a, b, np.linspace(0.0, 1.0, frames))


def latent_walk(keyframes, frames_per_segment=16, method="slerp", loop=False):
    """A path through several latent vectors: ``frames_per_segment`` steps from each to the next.

    Args:
        keyframes: (K, d) latent vectors, K >= 2.
        loop: also go from the last back to the first, so the animation repeats smoothly.

    Returns:
        (N, d) with N = (K - 1) * frames_per_segment + 1, or K * frames_per_segment with ``loop``;
        row ``k * frames_per_segment`` is keyframe k.
    """
    keyframes = np.asarray(keyframes)
    if keyframes.ndim != 2 or len(keyframes) < 2:
        raise ValueError(f"keyframes must have shape (K, d) with K >= 2, got {keyframes.shape}.")
    positive_int("frames_per_segment", frames_per_segment)
    ends = list(range(1, len(keyframes))) + ([0] if loop else [])
    path = [interpolate(keyframes[end - 1], keyframes[end], frames_per_segment + 1, method)[:-1] for end in ends]
    if not loop:
        path.append(keyframes[-1:].astype(path[0].dtype))
    return np.concatenate(path, axis=0)


def shell_latents(n, latent_dim, radius, seed=None):
    """Latent vectors of norm exactly ``radius``, in the directions of :func:`latent_vectors`; float32.

    A standard Gaussian z in d dimensions has norm about sqrt(d) (its squared
    norm has mean d and standard deviation sqrt(2 d)), so a generator is
    trained on a thin shell of that radius. Row i here is
    ``latent_vectors(n, latent_dim, seed)[i]`` rescaled to norm ``radius``: the
    same direction, nearer to or further from the origin. A radius below
    sqrt(d) is the *truncation trick* as a narrower shell (Brock et al., 2019,
    "Large scale GAN training for high fidelity natural image synthesis",
    truncate the coordinates of z instead): samples that trade variety for
    fidelity. Radius sqrt(d / 2) is where the midpoint of a linear
    interpolation between two independent vectors lies.

    Args:
        n: how many.
        latent_dim: d.
        radius: the norm of every row, a finite number >= 0.
        seed: seed of the directions (see :func:`latent_vectors`).

    Returns:
        float32 array (n, latent_dim).

    Raises:
        ValueError: for a negative or non-finite ``radius``, or a bad ``n`` or ``latent_dim``.
    """
    positive_int("latent_dim", latent_dim)
    if isinstance(radius, bool) or not isinstance(radius, (int, float, np.integer, np.floating)) \
            or not np.isfinite(radius) or radius < 0:
        raise ValueError(f"radius must be a finite number >= 0, got {radius!r}; sqrt(latent_dim) is the shell "
                         "a Gaussian z lies on.")
    directions = latent_vectors(n, latent_dim, seed).astype(np.float64)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return (float(radius) * directions).astype(np.float32)


def latent_arithmetic(plus, minus, base):
    """Vector arithmetic on concepts: mean(plus) - mean(minus) + mean(base), one latent vector (d,).

    Radford et al. (2016, "Unsupervised representation learning with deep
    convolutional generative adversarial networks") average the latent vectors
    of three samples per concept, because single samples were unstable, and
    render e.g. "smiling woman" - "neutral woman" + "neutral man".

    Args:
        plus, minus, base: latent vectors of the samples of each concept, arrays (k, d) with k >= 1
            (k may differ between concepts; one vector (d,) is one sample).

    Returns:
        float32 array (d,).

    Raises:
        ValueError: for an empty concept, non-finite values, or concepts of different d.
    """
    concepts = []
    for name, latents in (("plus", plus), ("minus", minus), ("base", base)):
        latents = np.asarray(latents, dtype=np.float64)
        if latents.ndim == 1:
            latents = latents[None]
        if latents.ndim != 2 or len(latents) == 0 or latents.shape[1] == 0:
            raise ValueError(f"{name} must be latent vectors of shape (k, d) with k >= 1, got shape {latents.shape}.")
        if not np.isfinite(latents).all():
            raise ValueError(f"{name} holds NaN or infinite values.")
        concepts.append(latents.mean(axis=0))
    dims = {len(mean) for mean in concepts}
    if len(dims) != 1:
        raise ValueError(f"plus, minus and base must have the same latent dimension, got {[len(m) for m in concepts]}.")
    return (concepts[0] - concepts[1] + concepts[2]).astype(np.float32)


def seed_latents(seeds, latent_dim):
    """One latent vector per seed, row i equal to ``latent_vectors(1, latent_dim, seeds[i])[0]``.

    So the picture a seed gives here is the one ``gan.generate(1, seed=s)`` gives.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty.")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seeds must be non-negative integers, got {seed!r}.")
    return np.concatenate([latent_vectors(1, latent_dim, int(seed)) for seed in seeds], axis=0)


def render(generator, latents, labels=None, size=None, extent=1.0):
    """The generator's pictures for ``latents`` (numpy, [-1, 1]); a CPPN at any ``size``.

    Args:
        generator: any ganlab image generator.
        latents: (n, latent_dim).
        labels: for a conditional generator: one label for all, or n labels.
        size: for a CPPN, the side in pixels to render at (its training size if None);
            other generators only draw at their own size and refuse another.
        extent: for a CPPN, the half-width of the square its pixels sample.
    """
    latents = np.asarray(latents, dtype=np.float32)
    if is_cppn(generator):
        if size is None:
            return generate(generator, len(latents), latents=latents)
        return render_cppn(generator, latents, size=size, extent=extent)
    native = int(generator.outputs[0].shape[1])
    if size is not None and size != native:
        raise ValueError(f"{generator.name} draws {native}x{native} pictures; only a CPPN renders at "
                         f"another size (resize with export_png instead).")
    if labels is not None and np.ndim(labels) == 0:
        labels = np.full(len(latents), int(labels))
    return generate(generator, len(latents), latents=latents, labels=labels)


def walk_frames(generator, keyframes, frames_per_segment=16, method="slerp", loop=False, labels=None,
                size=None):
    """The pictures along :func:`latent_walk` through ``keyframes`` (save them with ``viz.save_gif``).

    ``labels`` (conditional generators) is one label held along the walk, or one per frame.
    """
    return render(generator, latent_walk(keyframes, frames_per_segment, method, loop), labels=labels,
                  size=size)


def _embedding_parts(generator):
    """(embedding layer, Concatenate layer) of a conditional generator that joins z and a label embedding."""
    import keras

    try:
        embedding = generator.get_layer("label_embedding")
    except ValueError:
        raise ValueError(f"{generator.name} has no layer 'label_embedding'; give a conditional generator "
                         "built by ganlab.models (num_classes=...).") from None
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Concatenate):
            joined = layer.input
            if len(joined) == 2 and joined[0] is generator.inputs[0] and joined[1] is embedding.output:
                return embedding, layer
    raise ValueError(f"{generator.name} does not concatenate [z, label embedding] as its first step; "
                     "render_embeddings needs a generator built by ganlab.models.")


def label_embeddings(generator):
    """The learned label embeddings of a conditional generator: a (num_classes, width) float32 array.

    Row y is the vector e(y) that the generator concatenates to z for label y
    (``models.image_generator``, ``models.mlp_generator``: G(z, y) = F([z, e(y)])).

    Raises:
        ValueError: for a generator without a ``label_embedding`` layer joined to z.
    """
    embedding, _ = _embedding_parts(generator)
    return np.asarray(ops.convert_to_numpy(embedding.embeddings), dtype=np.float32)


def render_embeddings(generator, latents, embeddings, batch_size=500):
    """A conditional generator's pictures F([z, e]) for latent vectors z and label embeddings e.

    With e = :func:`label_embeddings` (generator)[y] this is G(z, y); with
    e = (1 - t) e(a) + t e(b) it is the picture "between" labels a and b that the
    network itself draws, a point it was never trained on (chapter 9's walk from
    one painting to another).

    Args:
        generator: a conditional generator from ``ganlab.models`` (see :func:`label_embeddings`).
        latents: (n, latent_dim) latent vectors.
        embeddings: (n, width) embeddings, or one (width,) embedding for all.
        batch_size: how many to run at once.

    Returns:
        (n, H, W, C) float32 pictures in [-1, 1].

    Raises:
        ValueError: for a generator without a label embedding, or arrays of the wrong shape.
    """
    import keras

    _, join = _embedding_parts(generator)
    latents = np.asarray(latents, dtype=np.float32)
    d = _checks.latent_dim(generator)
    if latents.ndim != 2 or latents.shape[1] != d:
        raise ValueError(f"latents must have shape (n, {d}), got {latents.shape}.")
    width = int(join.input[1].shape[-1])
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.shape == (width,):
        embeddings = np.broadcast_to(embeddings, (len(latents), width))
    if embeddings.shape != (len(latents), width):
        raise ValueError(f"embeddings must have shape ({len(latents)}, {width}) or ({width},), "
                         f"got {embeddings.shape}.")
    head = keras.Model(join.output, generator.outputs[0])
    joined = np.concatenate([latents, embeddings], axis=1)
    return np.concatenate([ops.convert_to_numpy(head(joined[start:start + batch_size], training=False))
                           for start in range(0, len(joined), batch_size)], axis=0).astype(np.float32)


def orthonormal_rows(vectors):
    """Gram-Schmidt (via QR) on the rows of ``vectors``, keeping their order and orientation."""
    q, r = np.linalg.qr(np.asarray(vectors, dtype=np.float64).T)
    signs = np.sign(np.diag(r))
    if np.any(np.abs(np.diag(r)) < 1e-10):
        raise ValueError("the directions are linearly dependent; give independent ones.")
    return (q * signs).T


def pca_directions(generator, k, samples=512, seed=0, labels=None):
    """The k latent directions that change a generator's pictures most (output-space PCA, GANSpace-like).

    Draw ``samples`` latent vectors, generate their pictures, take the top k
    principal components of the pictures, and for each the latent direction
    whose linear regression best predicts that component's score (the
    output-space variant of GANSpace, Haerkoenen et al., 2020); then
    orthonormalise them in order (:func:`orthonormal_rows`). To first order,
    the first direction changes the pictures most. PCA of the latent vectors
    themselves would be useless: a standard Gaussian has no preferred direction.

    Args:
        generator: an image generator.
        k: how many directions.
        samples: pictures to find them from; more than the latent dimension.
        seed: seed of the latent vectors drawn.
        labels: for a conditional generator, one label for all pictures (or one per picture).

    Returns:
        ``(directions, explained_variance)``: float64 arrays (k, latent_dim) with orthonormal
        rows, and (k,) the fraction of the pictures' variance of each principal component.

    Raises:
        ValueError: if ``samples`` is not an integer larger than the latent dimension.
    """
    d = _checks.latent_dim(generator)
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples <= d:
        raise ValueError(f"samples must be an integer larger than latent_dim={d}, got {samples!r}.")
    latents = np.random.default_rng(seed).standard_normal((samples, d)).astype(np.float32)
    pictures = render(generator, latents, labels=labels).reshape(samples, -1)
    centred = pictures - pictures.mean(axis=0)
    _, singular, components = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    scores = centred @ components[:k].T  # (samples, k): each picture's principal-component scores
    weights, *_ = np.linalg.lstsq(latents - latents.mean(axis=0), scores, rcond=None)  # (d, k)
    variance = singular ** 2
    return orthonormal_rows(weights.T), variance[:k] / variance.sum()
