"""Texture GANs: canvases of any size from crops of one painting (or several).

A fully convolutional generator maps a spatial *noise field* to an image; a
fully convolutional discriminator answers with one logit per receptive field
(a field of verdicts). Nothing in either network depends on the image size, so
a generator trained on 64 x 64 crops paints a canvas of any size: the Spatial
GAN of Jetchev, Bergmann and Vollgraf (2016, "Texture synthesis with spatial
generative adversarial networks") and its periodic extension PSGAN (Bergmann,
Jetchev and Vollgraf, 2017, "Learning texture manifolds with the periodic
spatial GAN").

The noise field has one cell per ``scale`` x ``scale`` output pixels
(``scale = 2 ** upsamplings``) and PSGAN's three kinds of channels:

- **local**: i.i.d. uniform in [-1, 1] at every cell (the variety within a texture);
- **global**: one uniform vector per image, the same at every cell (it picks
  the texture when several were learned; varied slowly across a canvas it morphs);
- **periodic**: ``sin(k_y(g) y + k_x(g) x + phi)`` over absolute cell positions,
  whose wave vectors ``k(g)`` a small MLP computes from the global noise ``g``
  and whose phases ``phi`` are random (regular structure: repeated motifs).

The generator's one input (named ``"noise"``) packs, per cell, the local and
global noise, the phases and the cell position ``(y, x)``; the
:class:`SpatialNoise` layer inside turns it into the three kinds of channels.
:func:`render_texture` builds that field for a whole canvas and runs the
generator on overlapping windows of it, so memory stays bounded at any size.
"""

import math

import keras
import numpy as np
from keras import layers, ops

from ganlab._checks import nonnegative_int, positive_ints
from ganlab.models import SpectralNormalization
from ganlab.training import GAN

MAX_CANVAS = 8192  # the largest side render_texture accepts


def _check_dims(**dims):
    for name, value in dims.items():
        nonnegative_int(name, value)


# --------------------------------------------------------------------------- the noise field


@keras.saving.register_keras_serializable(package="ganlab")
class SpatialNoise(layers.Layer):
    """PSGAN's noise channels from a packed noise field (Bergmann et al., 2017).

    The input, per cell, is ``[local (L) | global (G) | phases (P) | y | x]``.
    The output is ``[local | global | periodic]`` with, for each periodic channel c,

    $$ p_c(y, x) = \\sin(k_{c,y}(g)\\, y + k_{c,x}(g)\\, x + \\phi_c), \\qquad
       k(g) = W_2\\, \\mathrm{relu}(W_1 g + b_1) + b_2, $$

    where ``g`` is the global noise at that cell and the positions are in cells.
    With ``period = (rows, cols)`` every wave number is snapped to the nearest
    multiple of ``2 pi / rows`` (``2 pi / cols``), so a canvas of that many cells
    holds whole periods and wraps around (used by tileable rendering; the
    rounding has no gradient, so train without it).

    Args:
        local_dim, global_dim, periodic_dim: channels of each kind (0 turns a kind off).
        wave_hidden: width of the wave-vector MLP's hidden layer.
        period: ``(rows, cols)`` in cells to snap the wave vectors to, or None.
        crop_size: side in pixels of the training crops (recorded so that renders
            can refuse canvases smaller than what the model was trained on).
    """

    def __init__(self, local_dim, global_dim, periodic_dim, wave_hidden=32, period=None, crop_size=None,
                 **kwargs):
        super().__init__(**kwargs)
        _check_dims(local_dim=local_dim, global_dim=global_dim, periodic_dim=periodic_dim)
        positive_ints(wave_hidden=wave_hidden)
        if local_dim + global_dim + periodic_dim == 0:
            raise ValueError("SpatialNoise needs at least one noise channel; all three dims are 0.")
        self.local_dim, self.global_dim, self.periodic_dim = int(local_dim), int(global_dim), int(periodic_dim)
        self.wave_hidden = int(wave_hidden)
        if period is not None:
            period = (int(period[0]), int(period[1]))
            positive_ints(period_rows=period[0], period_cols=period[1])
        self.period = period
        self.crop_size = None if crop_size is None else int(crop_size)

    @property
    def input_dim(self):
        """Channels of the packed input: local + global + phases + 2 positions."""
        return self.local_dim + self.global_dim + self.periodic_dim + 2

    def build(self, input_shape):
        if input_shape[-1] != self.input_dim:
            raise ValueError(f"SpatialNoise expects {self.input_dim} input channels "
                             f"(local {self.local_dim} + global {self.global_dim} + phases "
                             f"{self.periodic_dim} + 2 positions), got {input_shape[-1]}.")
        if self.periodic_dim:
            if self.global_dim:
                self.hidden_kernel = self.add_weight(shape=(self.global_dim, self.wave_hidden), name="hidden_kernel",
                                                     initializer="he_normal")
                self.hidden_bias = self.add_weight(shape=(self.wave_hidden,), name="hidden_bias",
                                                   initializer="zeros")
                self.wave_kernel = self.add_weight(shape=(self.wave_hidden, 2 * self.periodic_dim),
                                                   name="wave_kernel",
                                                   initializer=keras.initializers.RandomNormal(stddev=0.1))
            # wave numbers start between -1.5 and 1.5 radians per cell: periods of 4 cells and more
            self.wave_bias = self.add_weight(shape=(2 * self.periodic_dim,), name="wave_bias",
                                             initializer=keras.initializers.RandomUniform(-1.5, 1.5))

    def wave_vectors(self, global_noise):
        """``(k_y, k_x)``, each (..., periodic_dim), for global noise of shape (..., global_dim)."""
        if self.global_dim:
            hidden = ops.relu(ops.matmul(global_noise, self.hidden_kernel) + self.hidden_bias)
            waves = ops.matmul(hidden, self.wave_kernel) + self.wave_bias
        else:
            waves = self.wave_bias
        k_y, k_x = waves[..., :self.periodic_dim], waves[..., self.periodic_dim:]
        if self.period is not None:
            rows, cols = self.period
            k_y = ops.round(k_y * rows / (2 * math.pi)) * (2 * math.pi / rows)
            k_x = ops.round(k_x * cols / (2 * math.pi)) * (2 * math.pi / cols)
        return k_y, k_x

    def call(self, noise):
        local_end = self.local_dim
        global_end = local_end + self.global_dim
        phase_end = global_end + self.periodic_dim
        channels = []
        if self.local_dim:
            channels.append(noise[..., :local_end])
        global_noise = noise[..., local_end:global_end]
        if self.global_dim:
            channels.append(global_noise)
        if self.periodic_dim:
            k_y, k_x = self.wave_vectors(global_noise)
            y, x = noise[..., phase_end:phase_end + 1], noise[..., phase_end + 1:phase_end + 2]
            channels.append(ops.sin(k_y * y + k_x * x + noise[..., global_end:phase_end]))
        return channels[0] if len(channels) == 1 else ops.concatenate(channels, axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.local_dim + self.global_dim + self.periodic_dim,)

    def get_config(self):
        return {**super().get_config(), "local_dim": self.local_dim, "global_dim": self.global_dim,
                "periodic_dim": self.periodic_dim, "wave_hidden": self.wave_hidden,
                "period": None if self.period is None else list(self.period), "crop_size": self.crop_size}


def _spatial_noise(generator):
    for layer in getattr(generator, "layers", ()):
        if isinstance(layer, SpatialNoise):
            return layer
    name = getattr(generator, "name", type(generator).__name__)
    raise ValueError(f"{name!r} is not a texture generator (it has no SpatialNoise layer); "
                     "build one with ganlab.texture.texture_generator.")


def is_texture(generator):
    """True if ``generator`` is a texture generator (it has a :class:`SpatialNoise` layer)."""
    return any(isinstance(layer, SpatialNoise) for layer in getattr(generator, "layers", ()))


def texture_scale(generator):
    """Output pixels per noise cell along each side: 2 ** (number of 2x upsamplings)."""
    _spatial_noise(generator)
    scale = 1
    for layer in generator.layers:
        if isinstance(layer, layers.UpSampling2D):
            scale *= int(layer.size[0])
    return scale


def texture_crop_size(generator):
    """Side in pixels of the crops the generator was built to train on."""
    return _spatial_noise(generator).crop_size


def texture_margin(generator):
    """Cells of context an output cell depends on, on each side: the generator's reach.

    A 3x3 convolution at cell resolution reaches one cell, at 2x resolution half
    a cell, and so on; the margin is the sum, rounded up. Windows of the noise
    field padded by this many cells give exactly the centre's pixels of a
    one-shot render (every layer is a stride-1 'same' convolution, a
    nearest-neighbour 2x upsampling or pointwise). With the default
    :func:`texture_generator`, 3 cells.
    """
    _spatial_noise(generator)
    scale, reach = 1, 0.0
    for layer in generator.layers:
        if isinstance(layer, layers.UpSampling2D):
            scale *= int(layer.size[0])
        elif isinstance(layer, layers.Conv2D):
            reach += (int(layer.kernel_size[0]) // 2) * int(layer.dilation_rate[0]) / scale
    return int(math.ceil(reach))


def sample_noise_field(batch_size, rows, cols, local_dim, global_dim, periodic_dim, seed=None):
    """A batch of packed noise fields (batch, rows, cols, L + G + P + 2) with ``keras.random``.

    Local and global noise ~ U[-1, 1] (global: one vector per image, broadcast
    over the cells), phases ~ U[0, 2 pi) (one per image and periodic channel),
    then the cell positions ``(y, x)`` centred on the field. Used during
    training; :func:`noise_field` is the numpy twin used for rendering.

    Args:
        batch_size, rows, cols: field size.
        local_dim, global_dim, periodic_dim: channels of each kind.
        seed: an int or a ``keras.random.SeedGenerator``.
    """
    shape = (batch_size, rows, cols)
    parts = []
    if local_dim:
        parts.append(keras.random.uniform(shape + (local_dim,), -1.0, 1.0, seed=seed))
    if global_dim:
        vectors = keras.random.uniform((batch_size, 1, 1, global_dim), -1.0, 1.0, seed=seed)
        parts.append(ops.broadcast_to(vectors, shape + (global_dim,)))
    if periodic_dim:
        phases = keras.random.uniform((batch_size, 1, 1, periodic_dim), 0.0, 2 * math.pi, seed=seed)
        parts.append(ops.broadcast_to(phases, shape + (periodic_dim,)))
    positions = ops.convert_to_tensor(_positions(0, rows, rows, 0, cols, cols))
    parts.append(ops.broadcast_to(positions[None], shape + (2,)))
    return ops.concatenate(parts, axis=-1)


def _positions(row_start, row_stop, rows, col_start, col_stop, cols):
    """Cell positions (y, x), float32 (row_stop - row_start, col_stop - col_start, 2), centred on a
    rows x cols canvas; indices outside [0, rows) continue the grid (used by wrapped margins)."""
    y = np.arange(row_start, row_stop, dtype=np.float32) - (rows - 1) / 2.0
    x = np.arange(col_start, col_stop, dtype=np.float32) - (cols - 1) / 2.0
    yy, xx = np.meshgrid(y, x, indexing="ij")
    return np.stack([yy, xx], axis=-1).astype(np.float32)


# --------------------------------------------------------------------------- the two networks


def texture_generator(local_dim=8, global_dim=16, periodic_dim=0, filters=(128, 64, 32, 16), channels=3,
                      crop_size=64, cell_layers=2, wave_hidden=32, batch_norm=True):
    """A fully convolutional PSGAN generator: noise field (rows, cols) -> image (rows * s, cols * s).

    SpatialNoise -> ``cell_layers`` x [Conv3x3(f_0) -> BN -> ReLU], then for
    each further width f_i: nearest 2x upsampling -> Conv3x3(f_i) -> BN ->
    ReLU, then Conv3x3(channels) -> tanh. Resizing before a convolution, instead of a
    transposed convolution, avoids checkerboard and striping artefacts (Odena
    et al., 2016, "Deconvolution and checkerboard artifacts"). Every layer is
    a stride-1 'same' convolution, an upsampling or pointwise, so the output of
    a ``rows x cols`` field is ``rows * s x cols * s`` with ``s = 2 **
    (len(filters) - 1)`` for any field size. Batch norm must be used in
    inference mode when rendering (the renders call the model with
    ``training=False``), so that the picture does not depend on the tiling.

    Args:
        local_dim, global_dim, periodic_dim: noise channels of each kind (PSGAN's
            L, G and P; 0 turns a kind off). Periodic channels are off by
            default: they repeat motifs on a lattice, which suits wallpaper-like
            textures but showed as a regular grid of small motifs (and, with 4
            channels, diagonal stripes) on canvases of The Starry Night.
        filters: widths, the first at cell resolution; each further entry adds
            one 2x upsampling. The default (4 entries) gives 8 pixels per cell.
        channels: 3 (colour) or 1.
        crop_size: side of the training crops in pixels, a multiple of the scale;
            recorded in the model for render checks and :class:`TextureGAN`.
        cell_layers: convolutions at cell resolution. Each adds one cell to
            the generator's reach (:func:`texture_margin`), so strokes and
            motifs can span more cells, at little cost (a cell is ``s * s`` pixels).
        wave_hidden: hidden width of the wave-vector MLP.
        batch_norm: batch norm after each hidden convolution.

    The defaults (8 pixels per cell, two convolutions at cell resolution, 16
    channels at full resolution) are sized for a 2-core CPU: about 0.2 s a
    training step on 16 crops of 64 x 64, and a 2048 x 2048 canvas in about
    2 s. With the defaults: 273,779 parameters (counting batch-norm statistics).
    Input "noise": (batch, rows, cols, L + G + P + 2), see :func:`noise_field`.
    """
    filters = tuple(filters)
    if not filters:
        raise ValueError("filters needs at least one width (the first is at cell resolution).")
    for width in filters:
        positive_ints(filters=width)
    positive_ints(channels=channels, crop_size=crop_size, cell_layers=cell_layers)
    scale = 2 ** (len(filters) - 1)
    if crop_size % scale:
        raise ValueError(f"crop_size {crop_size} must be a multiple of the scale {scale} "
                         f"(2 ** (len(filters) - 1)); try {max(scale, crop_size // scale * scale)}.")
    spatial_noise = SpatialNoise(local_dim, global_dim, periodic_dim, wave_hidden=wave_hidden, crop_size=crop_size,
                                 name="spatial_noise")
    noise = keras.Input(shape=(None, None, spatial_noise.input_dim), name="noise")
    x = spatial_noise(noise)
    widths = [filters[0]] * cell_layers + list(filters[1:])
    for index, width in enumerate(widths):
        if index >= cell_layers:
            x = layers.UpSampling2D(2, interpolation="nearest", name=f"upsample_{index}")(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=not batch_norm, name=f"conv_{index}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"batch_norm_{index}")(x)
        x = layers.ReLU(name=f"relu_{index}")(x)
    image = layers.Conv2D(channels, 3, padding="same", activation="tanh", name="image")(x)
    return keras.Model(noise, image, name="texture_generator")


def texture_discriminator(filters=(32, 64, 128, 256), kernel_size=5, channels=3, normalization="batch"):
    """A fully convolutional discriminator with one logit per receptive field (a field of verdicts).

    Conv(f_i, k, stride 2) -> [norm] -> LeakyReLU(0.2) for each width, then a
    3x3 convolution to one logit per position: an image of side ``n`` gets an
    ``n / 2**len(filters)`` square of verdicts, each judging a patch (SGAN,
    Jetchev et al., 2016). The losses of ``ganlab.losses`` average over the
    field, so every verdict counts equally.

    Args:
        filters: widths of the strided convolutions.
        kernel_size: their kernel size (SGAN uses 5).
        channels: image channels.
        normalization: ``"batch"`` (batch norm after every strided convolution
            but the first, as in DCGAN), ``"spectral"`` (every convolution
            wrapped in ``ganlab.models.SpectralNormalization``, Miyato et al.,
            2018, which bounds D's Lipschitz constant) or None.

    The default, batch norm, painted the clearest Starry Night canvases within
    10 CPU minutes: with spectral norm the discriminator stayed near D = 0.5
    on real and fake alike and the canvases stayed blotchy.

    With the defaults: 1,081,729 parameters (counting batch-norm statistics).
    """
    filters = tuple(filters)
    if not filters:
        raise ValueError("filters needs at least one width.")
    for width in filters:
        positive_ints(filters=width)
    positive_ints(kernel_size=kernel_size, channels=channels)
    if normalization not in ("batch", "spectral", None):
        raise ValueError(f"normalization must be 'batch', 'spectral' or None, got {normalization!r}.")

    def convolution(*args, **kwargs):
        layer = layers.Conv2D(*args, **kwargs)
        return SpectralNormalization(layer, name=f"spectral_{layer.name}") if normalization == "spectral" \
            else layer

    image = keras.Input(shape=(None, None, channels), name="image")
    x = image
    for index, width in enumerate(filters):
        batch_norm = normalization == "batch" and index > 0
        x = convolution(width, kernel_size, strides=2, padding="same", use_bias=not batch_norm,
                        name=f"conv_{index}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"batch_norm_{index}")(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"leaky_relu_{index}")(x)
    logits = convolution(1, 3, padding="same", name="logits")(x)
    return keras.Model(image, logits, name="texture_discriminator")


# --------------------------------------------------------------------------- training


class TextureGAN(GAN):
    """A :class:`ganlab.GAN` that feeds its generator noise fields instead of latent vectors.

    ``fit`` takes batches of real crops of side ``crop_size`` (the generator's,
    see :func:`texture_generator`). Each step samples noise fields of
    ``crop_size / scale + 2 * margin`` cells per side with
    :func:`sample_noise_field`, generates, and shows the discriminator only the
    centre ``crop_size`` pixels: those never see the zero padding at the
    field's edge, so what the discriminator judges is what the inside of a
    large canvas looks like (without the margin, a generator learns to compose
    its small training field from its edges, and a canvas's inside, far from
    every edge, comes out as a featureless texture). The discriminator's
    verdicts form a field; the losses average over it. Everything else
    (losses, discriminator steps, EMA, trackers) is ``GAN``'s.

    Args:
        generator: a :func:`texture_generator` (the one to render with).
        discriminator: a :func:`texture_discriminator`.
        seed, ema_decay: as for ``GAN``.
        margin: cells of context around each training crop; None for the
            generator's reach (:func:`texture_margin`), 0 to train on the whole field.

    Differences from ``GAN``: ``__init__`` gives ``GAN`` the generator with a
    centre crop appended (``self.generator``; same layers and weights as the
    one passed, which stays ``self.texture_generator``); ``sample_latents``
    draws noise fields and no labels; ``sampler`` returns the uncropped
    generator (moving average or not), which is what is saved and rendered;
    ``generate`` makes crop-sized samples from numpy noise fields.
    """

    def __init__(self, generator, discriminator, seed=None, ema_decay=None, margin=None, **kwargs):
        spatial_noise = _spatial_noise(generator)
        if spatial_noise.crop_size is None:
            raise ValueError("the generator records no crop_size; build it with texture_generator(crop_size=...).")
        margin = texture_margin(generator) if margin is None else margin
        _check_dims(margin=margin)
        scale = texture_scale(generator)
        cropped = generator
        if margin:
            centre = layers.Cropping2D(margin * scale, name="training_crop")(generator.outputs[0])
            cropped = keras.Model(generator.inputs[0], centre, name="texture_generator_cropped")
        super().__init__(cropped, discriminator, seed=seed, ema_decay=ema_decay, **kwargs)
        self.texture_generator = generator
        self.noise_dims = (spatial_noise.local_dim, spatial_noise.global_dim, spatial_noise.periodic_dim)
        self.crop_size = spatial_noise.crop_size
        self.margin = int(margin)
        self.cells = self.crop_size // scale + 2 * self.margin

    def sample_latents(self, batch_size):
        return sample_noise_field(batch_size, self.cells, self.cells, *self.noise_dims,
                                  seed=self.seed_generator), None

    @property
    def sampler(self):
        """The generator to render and save, uncropped: the moving average if there is one."""
        if self.ema_generator is None:
            return self.texture_generator
        if not self.margin:
            return self.ema_generator
        return keras.Model(self.ema_generator.inputs[0], self.ema_generator.get_layer("image").output,
                           name="texture_generator")

    def generate(self, n, seed=None, latents=None, batch_size=64):
        """``n`` crop-sized samples (numpy, (n, crop, crop, C)) from the sampler; the same seed repeats them.

        Each is the centre of a field with the training margin, as the discriminator sees them
        (:func:`texture_samples`).

        Args:
            n: how many.
            seed: seed of the noise fields (:func:`noise_field`).
            latents: packed noise fields (n, cells, cells, channels) to use instead
                (``cells = crop / scale + 2 * margin``); latent vectors are refused.
            batch_size: fields per generator call.
        """
        return texture_samples(self.sampler, n, seed=seed, margin=self.margin, fields=latents, batch_size=batch_size)


def texture_samples(generator, n, seed=None, margin=None, fields=None, batch_size=64):
    """``n`` samples of a texture generator at its training crop size: numpy (n, crop, crop, C) in [-1, 1].

    Each is the centre of a noise field with ``margin`` cells of context on every side, as a
    :class:`TextureGAN` shows its discriminator (and as ``ganlab sample`` draws from a texture run).

    Args:
        generator: a texture generator (:func:`texture_generator`), e.g. a run's ``generator.keras``.
        n: how many.
        seed: seed of the noise fields (:func:`noise_field`).
        margin: cells of context; None for the generator's reach (:func:`texture_margin`).
        fields: packed noise fields (n, cells, cells, channels) to use instead of drawing them.
        batch_size: fields per generator call.

    Raises:
        ValueError: for a generator that is not a texture generator, bad sizes, or fields of the wrong shape.
    """
    positive_ints(n=n, batch_size=batch_size)
    margin = texture_margin(generator) if margin is None else margin
    _check_dims(margin=margin)
    scale = texture_scale(generator)
    cells = texture_crop_size(generator) // scale + 2 * margin
    drawn = noise_field(generator, n, cells, cells, seed=seed)
    if fields is not None:
        fields = np.asarray(fields, np.float32)
        if fields.shape != drawn.shape:
            raise ValueError(f"a texture generator takes noise fields of shape {drawn.shape} here, got "
                             f"{fields.shape}; pass seed= instead, or build them with noise_field().")
        drawn = fields
    cut = margin * scale
    outputs = [ops.convert_to_numpy(generator(drawn[start:start + batch_size], training=False))
               for start in range(0, n, batch_size)]
    samples = np.concatenate(outputs, axis=0)
    return samples[:, cut:samples.shape[1] - cut, cut:samples.shape[2] - cut]


# --------------------------------------------------------------------------- rendering


def noise_field(generator, n, rows, cols, seed=None, global_noise=None):
    """Packed noise fields (n, rows, cols, L + G + P + 2) for ``generator``, float32, from numpy.

    The same distribution as :func:`sample_noise_field`, drawn with
    ``numpy.random.default_rng(seed)`` in a fixed order (global vectors, phases,
    local noise), so a seed gives the same field, and the same global vectors
    and phases at every size.

    Args:
        generator: a texture generator.
        n, rows, cols: how many fields, of how many cells.
        seed: numpy seed.
        global_noise: (global_dim,) or (n, global_dim) to use instead of the drawn global vectors.
    """
    spatial_noise = _spatial_noise(generator)
    positive_ints(n=n, rows=rows, cols=cols)
    rng = np.random.default_rng(seed)
    vectors = rng.uniform(-1.0, 1.0, (n, spatial_noise.global_dim))
    phases = rng.uniform(0.0, 2 * math.pi, (n, spatial_noise.periodic_dim))
    local = rng.uniform(-1.0, 1.0, (n, rows, cols, spatial_noise.local_dim))
    if global_noise is not None:
        vectors = np.broadcast_to(_global_vector(global_noise, spatial_noise, n), vectors.shape)
    field = np.empty((n, rows, cols, spatial_noise.input_dim), np.float32)
    dims = np.cumsum([spatial_noise.local_dim, spatial_noise.global_dim, spatial_noise.periodic_dim])
    field[..., :dims[0]] = local
    field[..., dims[0]:dims[1]] = vectors[:, None, None]
    field[..., dims[1]:dims[2]] = phases[:, None, None]
    field[..., dims[2]:] = _positions(0, rows, rows, 0, cols, cols)
    return field


def _global_vector(value, spatial_noise, n=None):
    vector = np.asarray(value, dtype=np.float32)
    allowed = [(spatial_noise.global_dim,)] + ([(n, spatial_noise.global_dim)] if n else [])
    if vector.shape not in allowed or not np.all(np.isfinite(vector)):
        raise ValueError(f"global noise must be finite with shape {' or '.join(map(str, allowed))}, "
                         f"got shape {vector.shape}; draw one with texture_global_noise(generator, seed).")
    return vector


def texture_global_noise(generator, seed=None):
    """One global noise vector (global_dim,), U[-1, 1], as :func:`render_texture` draws it for ``seed``.

    Pick a vector (for example the one whose render looks most like a given
    painting) and pass it as ``global_noise`` or ``morph_to``.
    """
    spatial_noise = _spatial_noise(generator)
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (1, spatial_noise.global_dim))[0].astype(np.float32)


def _canvas_size(size):
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"size must be an integer or a pair (height, width), got {size!r}.")
    for side in size:
        positive_ints(size=side)
    return int(size[0]), int(size[1])


def with_period(generator, period):
    """A copy of ``generator`` (same weights, no shared variables) whose wave vectors are snapped to
    ``period = (rows, cols)`` cells, or unsnapped with ``period=None`` (see :class:`SpatialNoise`)."""
    _spatial_noise(generator)
    config = generator.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "SpatialNoise" or layer["class_name"].endswith(">SpatialNoise"):
            layer["config"]["period"] = None if period is None else [int(period[0]), int(period[1])]
    model = keras.Model.from_config(config)
    model.set_weights(generator.get_weights())
    return model


def _lattice(cells, pad, count, periodic):
    """Smoothstep weights along one axis of a lattice of ``count`` spacings over ``cells`` cells (plus ``pad``).

    Returns ``(low, high, weight, size)``: for each of the ``cells + 2 pad`` cells the indices of the two
    lattice points around it, the smoothstep weight of ``high``, and the number of lattice points to draw.
    Periodic lattices wrap, so the first and the last cell are neighbours.
    """
    u = (np.arange(-pad, cells + pad, dtype=np.float64) + 0.5) * count / cells
    base = np.floor(u).astype(np.int64)
    t = u - base
    weight = (t * t * (3.0 - 2.0 * t)).astype(np.float32)
    if periodic:
        return base % count, (base + 1) % count, weight, count
    return base - base.min(), base + 1 - base.min(), weight, int(base.max() - base.min() + 2)


def _uniform(z):
    """Standard normal channels to U[-1, 1]: ``erf(z / sqrt(2))``, float32."""
    return ops.convert_to_numpy(ops.erf(z / np.float32(math.sqrt(2.0)))).astype(np.float32)


def blend_global_noise(vectors, weights):
    """Blend U[-1, 1] global vectors so that each channel stays U[-1, 1]; float32 (global_dim,) or (n, global_dim).

    A plain weighted average of uniform vectors shrinks their spread (halfway between two, each
    channel's standard deviation falls from 1 / sqrt(3) = 0.58 to 0.41), and a generator trained on
    U[-1, 1] global noise paints such vectors worse (see :func:`wandering_global_noise`). This blend
    takes each channel to N(0, 1), sums with the weights divided by the root of their sum of squares
    (which keeps a sum of independent standard normals standard normal), and maps back:

    $$ z_k = \\sqrt{2}\\, \\mathrm{erf}^{-1}(u_k), \\qquad
       u = \\mathrm{erf}\\Big(\\frac{\\sum_k w_k z_k}{\\sqrt{2 \\sum_k w_k^2}}\\Big). $$

    Only the ratio of the weights matters. Weights ``(cos(pi t / 2), sin(pi t / 2))`` go from the
    first of two vectors (t = 0) to the second (t = 1) at an even pace, a slerp in normal space;
    ``(1 - t, t)`` pass through the same vectors, but about twice as fast halfway as at the ends.
    Weights (1, 0, ...) give back the first vector, up to float rounding; values within 1e-6 of
    -1 or 1 (where erf^{-1} is infinite) are first clipped to that distance.

    Args:
        vectors: (k, global_dim) global vectors in [-1, 1].
        weights: (k,) or (n, k) nonnegative weights, one per vector and not all zero; they need not sum to one.

    Returns:
        float32 (global_dim,) for weights (k,), or (n, global_dim): one blended vector per row of weights.
    """
    limit = 1.0 - 1e-6
    vectors = np.clip(np.asarray(vectors, np.float64), -limit, limit)
    weights = np.asarray(weights, np.float64)
    normals = math.sqrt(2.0) * ops.convert_to_numpy(ops.erfinv(vectors))
    blend = weights @ normals / np.sqrt(np.sum(weights * weights, axis=-1, keepdims=True))
    return _uniform(blend)


def _even_pace(t):
    """The weights ``(cos(pi t / 2), sin(pi t / 2))`` of :func:`blend_global_noise` for fractions ``t`` of
    the way from one vector to the next, float64 (..., 2): an even pace from the first (t = 0) to the second."""
    angle = 0.5 * np.pi * np.asarray(t, np.float64)
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)


def blend_between(start, end, t):
    """Global vectors ``t`` of the way from ``start`` (t = 0) to ``end`` (t = 1) at an even pace, keeping the
    U[-1, 1] spread of training: :func:`blend_global_noise` with the weights of :func:`_even_pace`.
    float32 (global_dim,) for a number ``t``, (n, global_dim) for n of them."""
    return blend_global_noise(np.stack([start, end]), _even_pace(t))


def wandering_global_noise(global_dim, rows, cols, pad, period, seed=0, tileable=False):
    """Global vectors that drift across a canvas: float32 (rows + 2 pad, cols + 2 pad, global_dim).

    Vectors sit on a lattice about ``period`` cells apart in each direction, and every cell
    blends its four nearest lattice vectors with smoothstep weights, so the canvas passes
    smoothly from one global vector, one "mood" of the texture, to the next. The blend keeps
    every cell's vector distributed as in training, U[-1, 1] in each channel: the lattice
    holds standard normal vectors, the weights are divided by the root of their sum of
    squares (a normalised sum of independent standard normals is standard normal), and each
    channel goes to [-1, 1] by ``erf(z / sqrt(2))``, which maps N(0, 1) onto U[-1, 1]. A plain
    average of uniform vectors would not: halfway between four of them each channel's
    spread halves, and a generator trained on U[-1, 1] paints such shrunken vectors worse
    (crops of the wandering canvases of one R1 run, five seeds, scored 19.7 times the
    real-crop floor blended plainly and 12.5 blended so; those of a run without R1 16.9 and
    17.9: ``benchmarks/NOTES.md``). With ``tileable=True`` the lattice wraps
    around (a whole number of spacings per side), so the field is periodic. Drawn with
    ``numpy.random.default_rng((seed, 1))``: a stream of its own, so the seed's local noise is
    the same as without wandering.
    """
    rows_low, rows_high, row_weight, lattice_rows = _lattice(rows, pad, max(1, round(rows / period)), tileable)
    cols_low, cols_high, col_weight, lattice_cols = _lattice(cols, pad, max(1, round(cols / period)), tileable)
    lattice = np.random.default_rng((seed, 1)).standard_normal((lattice_rows, lattice_cols, global_dim))
    lattice = lattice.astype(np.float32)
    wy, wx = row_weight[:, None, None], col_weight[None, :, None]
    weights = ((1 - wy) * (1 - wx), (1 - wy) * wx, wy * (1 - wx), wy * wx)
    corners = (lattice[rows_low][:, cols_low], lattice[rows_low][:, cols_high], lattice[rows_high][:, cols_low],
               lattice[rows_high][:, cols_high])
    blend = sum(weight * corner for weight, corner in zip(weights, corners))
    blend /= np.sqrt(sum(weight * weight for weight in weights))
    return _uniform(blend)


def canvas_noise_field(generator, rows, cols, pad, seed=0, tileable=False, global_noise=None, morph_to=None,
                       morph_width=0.5, wander=None):
    """The packed noise field of a ``rows x cols``-cell canvas with ``pad`` extra cells on every side.

    float32 (rows + 2 pad, cols + 2 pad, L + G + P + 2); cell (i, j) of the
    canvas is entry (i + pad, j + pad), and positions continue into the padding.
    The padding is fresh noise, or with ``tileable=True`` the canvas's own
    opposite side (the field wraps around). With ``morph_to`` the global noise
    goes from the seed's (or ``global_noise``) at the left to ``morph_to`` at
    the right, along a smoothstep ramp over the middle ``morph_width`` of the
    canvas, blended by :func:`blend_global_noise` so that every column's vector
    keeps the U[-1, 1] spread of training. With ``wander`` (in cells) the global
    noise drifts over the canvas (:func:`wandering_global_noise`). Arguments as
    in :func:`render_texture`.
    """
    spatial_noise = _spatial_noise(generator)
    _check_dims(pad=pad)
    if tileable:
        field = noise_field(generator, 1, rows, cols, seed=seed, global_noise=global_noise)[0]
        field = np.pad(field, ((pad, pad), (pad, pad), (0, 0)), mode="wrap")
    else:
        field = noise_field(generator, 1, rows + 2 * pad, cols + 2 * pad, seed=seed, global_noise=global_noise)[0]
    field[..., -2:] = _positions(-pad, rows + pad, rows, -pad, cols + pad, cols)
    if morph_to is not None:
        first, last = spatial_noise.local_dim, spatial_noise.local_dim + spatial_noise.global_dim
        start, end = field[0, 0, first:last].copy(), _global_vector(morph_to, spatial_noise)
        t = (np.arange(-pad, cols + pad, dtype=np.float32) + 0.5) / cols
        t = np.clip((t - 0.5) / morph_width + 0.5, 0.0, 1.0)
        t = t * t * (3.0 - 2.0 * t)  # smoothstep: the ramp starts and ends flat
        field[:, :, first:last] = blend_between(start, end, t)
    if wander is not None:
        first, last = spatial_noise.local_dim, spatial_noise.local_dim + spatial_noise.global_dim
        field[:, :, first:last] = wandering_global_noise(spatial_noise.global_dim, rows, cols, pad, wander,
                                                         seed=seed, tileable=tileable)
    return field


def render_texture(generator, size=(1024, 1024), seed=0, tileable=False, global_noise=None, morph_to=None,
                   tile=512, morph_width=0.5, wander=None):
    """Paint a canvas of any size (up to 8192 per side) in overlapping tiles; float32 (H, W, C) in [-1, 1].

    The noise field of the whole canvas (one cell per ``scale`` pixels, see
    :func:`canvas_noise_field`) is drawn once, with a margin of
    :func:`texture_margin` cells beyond the canvas on every side; the
    generator then runs on windows of it of ``tile`` pixels plus that margin,
    and only each window's centre is kept. The margin covers the generator's
    reach, so the tiles join without seams: the result equals the centre of a
    one-shot render of the same field up to float rounding, and memory is
    bounded by the tile size.

    Modes:
        - ``tileable=True``: a periodic canvas. The noise field wraps around, the
          convolutions see wrapped neighbours, and the periodic channels' wave
          vectors are snapped so that the canvas holds whole periods; the
          left edge continues the right one and the top the bottom (print it
          in a repeat). Needs sides that are whole cells (multiples of the scale).
        - ``morph_to``: the global noise moves from ``global_noise`` (left) to
          ``morph_to`` (right) across the middle ``morph_width`` of the canvas
          (a smoothstep ramp), so one texture flows into another; the vectors
          in between keep the U[-1, 1] spread of training (:func:`blend_global_noise`).
        - ``wander``: the global noise drifts over the canvas, from one random
          vector to the next about every ``wander`` pixels in each direction
          (:func:`wandering_global_noise`). One global vector paints one
          "mood" of the texture everywhere; a painting has several (the sky,
          the stars and the cypress of The Starry Night), and a wandering
          canvas passes through them. Combines with ``tileable``.

    Args:
        generator: a texture generator (:func:`texture_generator`), e.g. ``gan.sampler``.
        size: side or (height, width) in pixels, between the training crop size and 8192.
        seed: seed of the noise (local, global, phases), as in :func:`noise_field`.
        tileable: render a periodic canvas.
        global_noise: (global_dim,) to use instead of the seed's global vector.
        morph_to: (global_dim,) global vector at the right edge; None for no morph.
        tile: side of the tiles in pixels (a multiple of the scale); memory grows as its square.
        morph_width: fraction of the width over which the morph happens, in (0, 1].
        wander: None (one global vector), or the distance in pixels between the
            global vectors the canvas drifts through, at least the training crop size.

    Raises:
        ValueError: for a generator that is not a texture generator, a size
            outside [crop size, 8192], a tileable size that is not whole cells,
            tileable with a morph, wander with a morph or a fixed global vector,
            a wander below the crop size, or global vectors of the wrong shape.
    """
    spatial_noise = _spatial_noise(generator)
    height, width = _canvas_size(size)
    crop_size = spatial_noise.crop_size or 1
    if max(height, width) > MAX_CANVAS:
        raise ValueError(f"size {height}x{width} is larger than {MAX_CANVAS}; render at most "
                         f"{MAX_CANVAS}x{MAX_CANVAS} and upscale the picture if you need more.")
    if min(height, width) < crop_size:
        raise ValueError(f"size {height}x{width} is smaller than the training crop {crop_size}; "
                         f"render at least {crop_size}x{crop_size} (crop the canvas afterwards).")
    scale = texture_scale(generator)
    positive_ints(tile=tile)
    if tile % scale:
        raise ValueError(f"tile {tile} must be a multiple of the generator's scale {scale}.")
    if not 0.0 < morph_width <= 1.0:
        raise ValueError(f"morph_width must be in (0, 1], got {morph_width!r}.")
    if tileable and morph_to is not None:
        raise ValueError("a morph is not periodic: use tileable=True or morph_to, not both.")
    if wander is not None:
        if isinstance(wander, bool) or not isinstance(wander, (int, np.integer)) or wander < crop_size:
            raise ValueError(f"wander must be a whole number of pixels of at least the training crop size "
                             f"{crop_size}, got {wander!r}: the global noise is constant over a training crop.")
        if morph_to is not None or global_noise is not None:
            raise ValueError("wander draws its own global vectors: use wander, or global_noise / morph_to, not both.")
    if tileable and (height % scale or width % scale):
        raise ValueError(f"a tileable canvas must be whole cells: {height}x{width} is not a multiple of the "
                         f"scale {scale}; use {height // scale * scale}x{width // scale * scale}.")
    rows, cols = -(-height // scale), -(-width // scale)

    # the canvas's field, drawn once with a margin of the generator's reach on every side: fresh
    # noise (so the canvas's edge never sees the zero padding, which training never shows it), or in
    # tileable mode the field's own far side
    pad = texture_margin(generator)
    field = canvas_noise_field(generator, rows, cols, pad, seed=seed, tileable=tileable,
                               global_noise=global_noise, morph_to=morph_to, morph_width=morph_width,
                               wander=None if wander is None else wander / scale)
    model = generator
    if tileable and spatial_noise.periodic_dim:
        model = with_period(generator, (rows, cols))

    tile_cells = tile // scale
    channels = int(generator.outputs[0].shape[-1])
    canvas = np.empty((rows * scale, cols * scale, channels), np.float32)
    for row in range(0, rows, tile_cells):
        for col in range(0, cols, tile_cells):
            row_stop, col_stop = min(rows, row + tile_cells), min(cols, col + tile_cells)
            # field rows row .. row_stop of the canvas are row + pad .. row_stop + pad of the padded field
            window = model(field[None, row:row_stop + 2 * pad, col:col_stop + 2 * pad], training=False)
            window = ops.convert_to_numpy(window)[0]
            canvas[row * scale:row_stop * scale, col * scale:col_stop * scale] = \
                window[pad * scale:(pad + row_stop - row) * scale, pad * scale:(pad + col_stop - col) * scale]
    return canvas[:height, :width]


def canvas_crops(canvas, n, size=64, seed=0):
    """``n`` random ``size`` x ``size`` crops of a rendered canvas (H, W, C), to score like samples.

    Each crop's top-left corner is uniform over the canvas (crops may overlap), drawn from
    ``numpy.random.default_rng(seed)``: all tops first, then all lefts.

    Raises:
        ValueError: for a canvas smaller than one crop, or a count or size that is not a positive integer.
    """
    positive_ints(n=n, size=size)
    canvas = np.asarray(canvas)
    if canvas.ndim != 3 or canvas.shape[0] < size or canvas.shape[1] < size:
        raise ValueError(f"canvas_crops takes a canvas (height, width, channels) of at least {size} x {size} "
                         f"pixels, got shape {canvas.shape}; render a larger canvas or pass a smaller size.")
    rng = np.random.default_rng(seed)
    tops = rng.integers(0, canvas.shape[0] - size + 1, n)
    lefts = rng.integers(0, canvas.shape[1] - size + 1, n)
    return np.stack([canvas[top:top + size, left:left + size] for top, left in zip(tops, lefts)])


def texture_walk_vectors(global_dim, n_frames=48, keyframes=4, seed=0):
    """The global vectors of :func:`texture_walk_frames`, one per frame; float32 (n_frames, global_dim).

    ``keyframes`` vectors, U[-1, 1], drawn by ``numpy.random.default_rng([seed, 1])``,
    are visited in turn, frame 0 at the first, and the loop returns to the first. At a
    fraction ``s`` of the way from one keyframe to the next, the two are blended as
    :func:`blend_between` blends them, ``e`` of the way, for the cosine ease
    ``e = (1 - cos(pi s)) / 2``, so the vectors in between keep the U[-1, 1] spread of training.
    Arguments as in :func:`texture_walk_frames`.

    Raises:
        ValueError: for a number of frames that is not a positive integer, or fewer than 2 keyframes.
    """
    _check_dims(global_dim=global_dim)
    positive_ints(n_frames=n_frames)
    if isinstance(keyframes, bool) or not isinstance(keyframes, (int, np.integer)) or keyframes < 2:
        raise ValueError(f"keyframes must be an integer >= 2, got {keyframes!r}.")
    vectors = np.random.default_rng([seed, 1]).uniform(-1.0, 1.0, (keyframes, global_dim))
    position = np.arange(n_frames) * keyframes / n_frames
    first = np.floor(position).astype(np.int64)
    pace = _even_pace(0.5 - 0.5 * np.cos(np.pi * (position - first)))
    weights = np.zeros((n_frames, keyframes))
    frame = np.arange(n_frames)
    weights[frame, first % keyframes] = pace[:, 0]
    weights[frame, (first + 1) % keyframes] = pace[:, 1]
    return blend_global_noise(vectors, weights)


def texture_walk_frames(generator, n_frames=48, size=256, seed=0, keyframes=4, tileable=False, tile=512):
    """Frames of an animation that walks the global noise around a loop; float32 (n, H, W, C).

    The local noise and the phases stay those of ``seed``; the global vector
    visits ``keyframes`` random vectors in turn and returns to the first
    (a cosine ease between them), so the texture changes slowly and the last
    frame leads back into the first. The vectors in between keep the U[-1, 1]
    spread of training (:func:`texture_walk_vectors`, :func:`blend_global_noise`).

    Args:
        generator: a texture generator.
        n_frames: number of frames.
        size: side or (height, width) of each frame, as in :func:`render_texture`.
        seed: seed of the noise and of the keyframes.
        keyframes: how many global vectors the loop visits (at least 2).
        tileable, tile: as in :func:`render_texture`.
    """
    spatial_noise = _spatial_noise(generator)
    vectors = texture_walk_vectors(spatial_noise.global_dim, n_frames, keyframes, seed)
    if not spatial_noise.global_dim:
        raise ValueError("this generator has no global noise (global_dim=0): there is nothing to walk.")
    return np.stack([render_texture(generator, size, seed=seed, tileable=tileable, global_noise=vector, tile=tile)
                     for vector in vectors])
