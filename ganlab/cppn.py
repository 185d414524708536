"""CPPN generators (chapter 8, art): a picture as a function of pixel coordinates, drawn at any size.

A compositional pattern-producing network (Stanley, 2007; Ha, 2016) maps the
coordinates (x, y, r) of every pixel and a latent vector z to an intensity, so
the same weights draw a picture at 28 x 28 for training and at 1024 x 1024 for
a print. :func:`cppn_generator` builds one as a GAN generator;
:func:`render_cppn` draws it at any size.
"""

import keras
import numpy as np
from keras import layers, ops

from ganlab import _checks
from ganlab._checks import positive_ints


@keras.saving.register_keras_serializable(package="ganlab")
def sine(x):
    """sin(x) as a Keras activation (periodic features for CPPNs); saved as ``"ganlab>sine"``."""
    return ops.sin(x)


@keras.saving.register_keras_serializable(package="ganlab")
def gaussian(x):
    """exp(-x^2) as a Keras activation (soft blobs, the classic CPPN bump); saved as ``"ganlab>gaussian"``."""
    return ops.exp(-ops.square(x))


CPPN_ACTIVATIONS = {"sine": sine, "gaussian": gaussian}


@keras.saving.register_keras_serializable(package="ganlab")
class CoordinateGrid(layers.Layer):
    """The pixel coordinates (x, y, r) of a ``size`` x ``size`` image, one grid per latent vector.

    Pixel centres lie at ``x_j = extent * ((2j + 1) / size - 1)`` (the same for y),
    so every size samples the same square [-extent, extent]^2 and a picture
    rendered at 4 * size, averaged over 4 x 4 blocks, matches the one rendered
    at size. ``r = sqrt(x^2 + y^2)``. The layer has no weights; its input (the
    latent vectors) only sets the batch size.

    Args:
        size: image side in pixels.
        extent: half-width of the square the pixels sample (1.0 is what the
            CPPN was trained on; larger values zoom out past the training frame).
        rows: ``(start, stop)`` to produce only those rows (used to render large
            images in strips); None for all rows.

    Output shape: (batch, stop - start, size, 3).
    """

    def __init__(self, size=28, extent=1.0, rows=None, **kwargs):
        super().__init__(**kwargs)
        positive_ints(size=size)
        if not extent > 0:
            raise ValueError(f"extent must be positive, got {extent!r}.")
        self.size = int(size)
        self.extent = float(extent)
        if rows is not None:
            rows = (int(rows[0]), int(rows[1]))
            if not 0 <= rows[0] < rows[1] <= self.size:
                raise ValueError(f"rows must satisfy 0 <= start < stop <= size={self.size}, got {rows}.")
        self.rows = rows

    def grid(self):
        """The coordinates as a numpy array (rows, size, 3), float32."""
        ticks = ((2.0 * np.arange(self.size) + 1.0) / self.size - 1.0) * self.extent
        start, stop = self.rows or (0, self.size)
        y, x = np.meshgrid(ticks[start:stop], ticks, indexing="ij")
        return np.stack([x, y, np.sqrt(x * x + y * y)], axis=-1).astype("float32")

    def call(self, latents):
        grid = ops.convert_to_tensor(self.grid())
        return ops.broadcast_to(grid[None], (ops.shape(latents)[0],) + tuple(grid.shape))

    def compute_output_shape(self, input_shape):
        start, stop = self.rows or (0, self.size)
        return (input_shape[0], stop - start, self.size, 3)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "extent": self.extent,
                "rows": None if self.rows is None else list(self.rows)}


def cppn_generator(latent_dim=32, hidden=64, activations=("sine", "tanh", "tanh", "tanh"), size=28,
                   channels=1, coordinate_scale=3.0):
    """A CPPN generator: intensity = f(x, y, r, z) at every pixel, for images of any size.

    The latent vector z and the pixel coordinates (x, y, r) (built inside by a
    :class:`CoordinateGrid`) are projected to ``hidden`` units and added,

    $$ h_1 = a_1(W_c [x, y, r] + W_z z + b), \\qquad h_{k+1} = a_{k+1}(W_k h_k + b_k), $$

    then a tanh unit gives the intensity in [-1, 1]. The same small network runs
    at every pixel, so the weights do not depend on ``size``: train at 28 x 28,
    then render at 1024 x 1024 with :func:`render_cppn` (Ha, 2016). There is no
    batch norm, whose statistics would depend on the image size.

    Args:
        latent_dim: size of z.
        hidden: width of every hidden layer.
        activations: one activation per hidden layer: Keras names or ``"sine"`` /
            ``"gaussian"``. A sine first layer gives the network stripes and
            rings to build strokes from; tanh layers bend them into shapes.
        size: side of the images the model outputs (28 for MNIST training).
        channels: 1 (grey) or 3 (colour).
        coordinate_scale: standard deviation of the initial coordinate weights:
            how many oscillations per unit the first layer starts with. With 1.0
            the first pictures are smooth blobs that a GAN struggles to sharpen
            into strokes; 3.0 trains to digit-like strokes in a few epochs.

    With the defaults: 14,849 parameters. Input: z (batch, latent_dim);
    output (batch, size, size, channels).
    """
    positive_ints(latent_dim=latent_dim, hidden=hidden, size=size, channels=channels)
    activations = list(activations)
    if not activations:
        raise ValueError("activations needs at least one entry (one per hidden layer).")
    resolved = []
    for name in activations:
        if name in CPPN_ACTIVATIONS:
            resolved.append(CPPN_ACTIVATIONS[name])
        else:
            try:
                keras.activations.get(name)
            except ValueError:
                raise ValueError(f"unknown activation {name!r}; use a Keras name or one of "
                                 f"{sorted(CPPN_ACTIVATIONS)}.") from None
            resolved.append(name)
    z = keras.Input(shape=(latent_dim,), name="latent")
    coordinates = CoordinateGrid(size, name="coordinates")(z)
    from_coordinates = layers.Dense(hidden, use_bias=False, name="coordinate_projection",
                                    kernel_initializer=keras.initializers.RandomNormal(stddev=coordinate_scale))(
        coordinates)
    from_latent = layers.Dense(hidden, name="latent_projection")(z)
    from_latent = layers.Reshape((1, 1, hidden), name="latent_broadcast")(from_latent)
    x = layers.Add(name="combine")([from_coordinates, from_latent])
    x = layers.Activation(resolved[0], name="hidden_1")(x)
    for index, activation in enumerate(resolved[1:], start=2):
        x = layers.Dense(hidden, activation=activation, name=f"hidden_{index}")(x)
    image = layers.Dense(channels, activation="tanh", name="image")(x)
    return keras.Model(z, image, name="cppn_generator")


def is_cppn(generator):
    """True if ``generator`` builds its own coordinate grid (a :func:`cppn_generator`)."""
    return any(isinstance(layer, CoordinateGrid) for layer in generator.layers)


def cppn_at_size(generator, size, extent=1.0, rows=None):
    """The same CPPN (a copy sharing no variables, same weights) outputting ``size`` x ``size`` images.

    Args:
        generator: a model made by :func:`cppn_generator` (or loaded from one).
        size: image side in pixels.
        extent: half-width of the square the pixels sample (see :class:`CoordinateGrid`).
        rows: ``(start, stop)``: output only those rows.

    Raises:
        ValueError: if ``generator`` is not a CPPN or the sizes are invalid.
    """
    if not is_cppn(generator):
        raise ValueError(f"{generator.name!r} is not a CPPN generator (it has no CoordinateGrid layer); "
                         "only a CPPN can be rendered at any size.")
    positive_ints(size=size)
    config = generator.get_config()
    for layer in config["layers"]:
        if layer["class_name"] == "CoordinateGrid" or layer["class_name"].endswith(">CoordinateGrid"):
            layer["config"].update(size=int(size), extent=float(extent),
                                   rows=None if rows is None else list(rows))
    model = keras.Model.from_config(config)
    model.set_weights(generator.get_weights())
    return model


def render_cppn(generator, latents, size=512, extent=1.0, max_pixels=2 ** 18):
    """Render a CPPN's pictures for ``latents`` at ``size`` x ``size`` pixels (numpy, float32 in [-1, 1]).

    The image is computed in horizontal strips of at most ``max_pixels``
    pixels (times the batch), so memory stays small at any size: a strip at
    hidden width 64 takes ``max_pixels * 64 * 4`` bytes per layer.

    Args:
        generator: a CPPN generator.
        latents: (n, latent_dim) or one (latent_dim,) vector.
        size: image side in pixels.
        extent: 1.0 renders the frame the CPPN was trained on; 2.0 zooms out 2x.
        max_pixels: pixels computed at once.

    Returns:
        (n, size, size, channels), or (size, size, channels) for one vector.
    """
    latents = np.asarray(latents, dtype=np.float32)
    single = latents.ndim == 1
    latents = latents[None] if single else latents
    latent_dim = _checks.latent_dim(generator)
    if latents.ndim != 2 or latents.shape[1] != latent_dim or len(latents) == 0:
        raise ValueError(f"latents must have shape (n, {latent_dim}) or ({latent_dim},), got {latents.shape}.")
    positive_ints(size=size, max_pixels=max_pixels)
    rows = max(1, min(size, max_pixels // size))
    per_call = max(1, max_pixels // (rows * size))
    channels = int(generator.outputs[0].shape[-1])
    picture = np.empty((len(latents), size, size, channels), dtype=np.float32)
    for start in range(0, size, rows):
        stop = min(size, start + rows)
        strip = cppn_at_size(generator, size, extent=extent, rows=(start, stop))
        for first in range(0, len(latents), per_call):
            batch = latents[first:first + per_call]
            picture[first:first + len(batch), start:stop] = ops.convert_to_numpy(strip(batch, training=False))
    return picture[0] if single else picture
