"""Builders that return ``keras.Model`` generators and discriminators.

Every builder takes its sizes as arguments and names its inputs, so the models
save to and load from ``.keras`` files with no custom code but the layers
registered here.
"""

import keras
from keras import layers, ops


IMAGE_SHAPE = (28, 28, 1)


def _init():
    """Radford et al.: all weights from N(0, 0.02)."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _batch_norm():
    return layers.BatchNormalization(
        momentum=0.9, gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02)
    )


def _check_positive(**sizes):
    for name, value in sizes.items():
        values = value if isinstance(value, (tuple, list)) else (value,)
        if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
            raise ValueError(f"{name} must be a positive integer (or a non-empty list of them), got {value!r}.")


@keras.saving.register_keras_serializable(package="ganlab")
class MinibatchStddev(layers.Layer):
    """Append the batch's mean feature standard deviation as one more feature.

    Karras et al. (2018), "Progressive Growing of GANs": a discriminator that
    sees how varied a batch is can tell a collapsed generator from real data.
    Works on (batch, features) and (batch, H, W, C) inputs.
    """

    def call(self, inputs):
        std = ops.sqrt(ops.var(inputs, axis=0) + 1e-8)
        mean_std = ops.mean(std)
        shape = ops.shape(inputs)
        extra = ops.ones(tuple(shape[:-1]) + (1,), dtype=inputs.dtype) * mean_std
        return ops.concatenate([inputs, extra], axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] + 1,)


def _label_input(num_classes, width, name):
    label = keras.Input(shape=(), dtype="int32", name="label")
    embedded = layers.Embedding(num_classes, width, name=name)(label)
    return label, embedded


def _join_label(inputs, x, num_classes, width):
    """For a conditional model (``num_classes`` set), add a label input and concatenate
    its ``width``-wide embedding to the features ``x``; otherwise return both unchanged."""
    if num_classes is None:
        return inputs, x
    label, embedded = _label_input(num_classes, width, "label_embedding")
    return inputs + [label], layers.Concatenate()([x, embedded])


# --------------------------------------------------------------------------- MLP pair


def mlp_generator(latent_dim=100, hidden=(256, 512, 1024), image_shape=IMAGE_SHAPE, num_classes=None):
    """Fully connected generator of the classic MNIST GAN: 100 -> 256 -> 512 -> 1024 -> 784.

    LeakyReLU(0.2) between layers, tanh output reshaped to ``image_shape``.
    With ``num_classes`` it is conditional: a label embedding of width 50 is
    concatenated to the latent vector (Mirza and Osindero, 2014).
    With the defaults: 1,486,352 parameters (unconditional).
    """
    _check_positive(latent_dim=latent_dim, hidden=list(hidden))
    z = keras.Input(shape=(latent_dim,), name="latent")
    inputs, x = _join_label([z], z, num_classes, 50)
    for width in hidden:
        x = layers.Dense(width, kernel_initializer=_init())(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    size = 1
    for dim in image_shape:
        size *= dim
    x = layers.Dense(size, activation="tanh", kernel_initializer=_init())(x)
    image = layers.Reshape(image_shape, name="image")(x)
    return keras.Model(inputs if len(inputs) > 1 else z, image, name="mlp_generator")


def mlp_discriminator(hidden=(1024, 512, 256), image_shape=IMAGE_SHAPE, dropout=0.3, num_classes=None):
    """Fully connected discriminator: 784 -> 1024 -> 512 -> 256 -> 1 logit, LeakyReLU(0.2).

    Dropout (0.3 by default) after each hidden layer, as in the original GAN code.
    Returns logits: apply a sigmoid for D(x).
    With the defaults: 1,460,225 parameters (unconditional).
    """
    _check_positive(hidden=list(hidden))
    image = keras.Input(shape=image_shape, name="image")
    inputs, x = _join_label([image], layers.Flatten()(image), num_classes, 50)
    for width in hidden:
        x = layers.Dense(width, kernel_initializer=_init())(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    logit = layers.Dense(1, kernel_initializer=_init(), name="logit")(x)
    return keras.Model(inputs if len(inputs) > 1 else image, logit, name="mlp_discriminator")


# --------------------------------------------------------------------------- DCGAN pair


def dcgan_generator(latent_dim=100, filters=64, num_classes=None):
    """DCGAN generator for 28x28x1 images (Radford et al., 2016).

    z -> Dense(7*7*2f) -> BN -> ReLU -> ConvT(f, 4, stride 2) -> BN -> ReLU
    -> ConvT(1, 4, stride 2) -> tanh. Batch norm everywhere but the output,
    weights from N(0, 0.02). With ``num_classes`` a 50-wide label embedding is
    concatenated to z. With the defaults (f = 64): 784,641 parameters (counting batch-norm statistics),
    sized so that it trains to clear digits in minutes on a 2-core CPU.
    """
    _check_positive(latent_dim=latent_dim, filters=filters)
    z = keras.Input(shape=(latent_dim,), name="latent")
    inputs, x = _join_label([z], z, num_classes, 50)
    x = layers.Dense(7 * 7 * 2 * filters, use_bias=False, kernel_initializer=_init())(x)
    x = _batch_norm()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((7, 7, 2 * filters))(x)
    x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                               kernel_initializer=_init())(x)
    x = _batch_norm()(x)
    x = layers.ReLU()(x)
    image = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh",
                                   kernel_initializer=_init(), name="image")(x)
    return keras.Model(inputs if len(inputs) > 1 else z, image, name="dcgan_generator")


def dcgan_discriminator(filters=64, normalization="batch", num_classes=None, name="dcgan_discriminator"):
    """DCGAN discriminator for 28x28x1 images (Radford et al., 2016).

    Conv(f, 4, stride 2) -> LeakyReLU(0.2) -> Conv(2f, 4, stride 2) -> norm ->
    LeakyReLU(0.2) -> Flatten -> Dense(1) logit. No normalisation on the input
    layer; ``normalization`` is ``"batch"`` (DCGAN), ``"layer"`` or ``None``
    (use one of the last two for a WGAN-GP critic, whose gradient penalty is
    per example). With ``num_classes`` the label enters as a 28x28 embedding
    channel. With the defaults: 138,945 parameters.
    """
    _check_positive(filters=filters)
    if normalization not in ("batch", "layer", None):
        raise ValueError(f"normalization must be 'batch', 'layer' or None, got {normalization!r}.")
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    inputs, x = [image], image
    if num_classes is not None:
        label, embedded = _label_input(num_classes, 28 * 28, "label_embedding")
        inputs.append(label)
        x = layers.Concatenate()([image, layers.Reshape((28, 28, 1))(embedded)])
    x = layers.Conv2D(filters, 4, strides=2, padding="same", kernel_initializer=_init())(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Conv2D(2 * filters, 4, strides=2, padding="same", use_bias=normalization is None,
                      kernel_initializer=_init())(x)
    if normalization == "batch":
        x = _batch_norm()(x)
    elif normalization == "layer":
        x = layers.LayerNormalization()(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Flatten()(x)
    logit = layers.Dense(1, kernel_initializer=_init(), name="logit")(x)
    return keras.Model(inputs if len(inputs) > 1 else image, logit, name=name)


def wgan_critic(filters=64, normalization="layer", num_classes=None):
    """A WGAN / WGAN-GP critic: the DCGAN discriminator without batch norm.

    Gulrajani et al. (2017) drop batch norm from the critic because the
    gradient penalty is defined per example; layer norm is their suggested
    replacement. Returns an unbounded score, not a probability.
    With the defaults: 138,689 parameters.
    """
    if normalization == "batch":
        raise ValueError("a WGAN-GP critic must not use batch norm; use normalization='layer' or None.")
    return dcgan_discriminator(filters, normalization, num_classes, name="wgan_critic")


# --------------------------------------------------------------------------- DCGAN pair for any image size
# Colour (or grey) images of any square size 2^k from 16 to 256: one block per doubling.

IMAGE_SIZES = (16, 32, 64, 128, 256)
UPSAMPLING = ("resize", "transpose")


def _check_image(size, channels):
    if isinstance(size, bool) or not isinstance(size, int) or size not in IMAGE_SIZES:
        raise ValueError(f"size must be a power of two from 16 to 256 (one of {IMAGE_SIZES}), got {size!r}; "
                         "crop or resize the images to such a size.")
    if isinstance(channels, bool) or not isinstance(channels, int) or channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (colour), got {channels!r}.")


def _check_num_classes(num_classes):
    if num_classes is not None:
        _check_positive(num_classes=num_classes)


def _widths(size, filters, max_filters):
    """Feature widths at the resolutions 4, 8, ..., size / 2: ``filters`` at size / 2,
    doubling with every halving of the resolution, capped at ``max_filters``."""
    _check_positive(filters=filters, max_filters=max_filters)
    if max_filters < filters:
        raise ValueError(f"max_filters ({max_filters}) must be at least filters ({filters}).")
    resolutions = [4 * 2 ** k for k in range(size.bit_length() - 3)]
    return {r: min(max_filters, filters * (size // 2) // r) for r in resolutions}


def _spectral(layer, spectral_norm):
    """``layer``, wrapped in spectral normalisation if asked."""
    return layers.SpectralNormalization(layer) if spectral_norm else layer


def image_generator(size=64, channels=3, latent_dim=128, filters=32, max_filters=256, num_classes=None,
                    upsample="resize", name="image_generator"):
    """DCGAN generator for ``size`` x ``size`` x ``channels`` images, built from the size.

    z (and a label) -> Dense(4*4*w_4) -> BN -> ReLU, then one block per doubling
    of the resolution, 4 -> 8 -> ... -> size: upsample x2 -> conv -> BN -> ReLU,
    the last block without BN and with a tanh output (Radford et al., 2016).
    The width at resolution r is ``w_r = min(max_filters, filters * size / (2 r))``:
    ``filters`` at size / 2, doubling towards 4 x 4 up to the cap.

    ``upsample="resize"`` doubles by nearest-neighbour resizing followed by a
    3 x 3 convolution, which avoids the checkerboard artefacts of transposed
    convolutions (Odena et al., 2016, "Deconvolution and Checkerboard
    Artifacts"); ``"transpose"`` uses Conv2DTranspose(kernel 4, stride 2) as
    in DCGAN. With ``num_classes`` the generator is conditional: an int32
    input named ``"label"`` is embedded (width 50) and concatenated to z.

    With the defaults (64 x 64 x 3, resize, unconditional): 929,507 parameters
    (counting batch-norm statistics); with the default discriminator, one
    ``GAN`` train step on a batch of 64 takes about 0.2 s on 2 CPU cores.

    Args:
        size: image side, a power of two from 16 to 256.
        channels: 1 (grey) or 3 (colour).
        latent_dim: size of z.
        filters: width of the last hidden block (at size / 2).
        max_filters: cap on the width of the blocks near 4 x 4.
        num_classes: number of labels for a conditional generator; None for none.
        upsample: ``"resize"`` or ``"transpose"``.
        name: the model's name.

    Returns:
        A ``keras.Model`` from z (batch, latent_dim) (and labels (batch,)) to
        images (batch, size, size, channels) in [-1, 1].

    Raises:
        ValueError: for a size, channel count, width or upsampling mode that is not supported.
    """
    _check_image(size, channels)
    _check_positive(latent_dim=latent_dim)
    _check_num_classes(num_classes)
    if upsample not in UPSAMPLING:
        raise ValueError(f"upsample must be one of {UPSAMPLING}, got {upsample!r}.")
    widths = _widths(size, filters, max_filters)
    z = keras.Input(shape=(latent_dim,), name="latent")
    inputs, x = _join_label([z], z, num_classes, 50)
    x = layers.Dense(4 * 4 * widths[4], use_bias=False, kernel_initializer=_init())(x)
    x = _batch_norm()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((4, 4, widths[4]))(x)
    for resolution in [r for r in widths if r > 4] + [size]:
        last = resolution == size
        width = channels if last else widths[resolution]
        options = dict(padding="same", use_bias=last, kernel_initializer=_init(),
                       activation="tanh" if last else None, name="image" if last else None)
        if upsample == "resize":
            x = layers.UpSampling2D(2, interpolation="nearest")(x)
            x = layers.Conv2D(width, 3, **options)(x)
        else:
            x = layers.Conv2DTranspose(width, 4, strides=2, **options)(x)
        if not last:
            x = _batch_norm()(x)
            x = layers.ReLU()(x)
    return keras.Model(inputs if len(inputs) > 1 else z, x, name=name)


def image_discriminator(size=64, channels=3, filters=32, max_filters=256, num_classes=None, spectral_norm=False,
                        name="image_discriminator"):
    """DCGAN discriminator for ``size`` x ``size`` x ``channels`` images, built from the size.

    One Conv(w_r, 4, stride 2) -> norm -> LeakyReLU(0.2) per halving of the
    resolution, size -> size / 2 -> ... -> 4, then Flatten -> Dense(1) logit.
    The width at resolution r is ``w_r = min(max_filters, filters * size / (2 r))``
    (``filters`` after the first convolution, doubling per halving up to the
    cap). As in DCGAN there is no normalisation after the first convolution
    and batch norm after the others (Radford et al., 2016).

    ``spectral_norm=True`` wraps every convolution and dense layer (the
    label embedding is one) in ``keras.layers.SpectralNormalization`` (Miyato et al.,
    2018, "Spectral Normalization for GANs"), which divides each kernel by an
    estimate of its largest singular value, so every layer is 1-Lipschitz, and
    then uses no batch norm. (Keras' wrapper writes W / sigma into the kernel at
    every training call, one power iteration each.)

    With ``num_classes`` the discriminator is conditional, by projection
    (Miyato and Koyama, 2018, "cGANs with Projection Discriminator"): with
    phi(x) the flattened 4 x 4 features and e(y) a learned embedding,

    $$ D(x, y) = w^T \\phi(x) + b + e(y)^T \\phi(x). $$

    The label scores how well the image's features match that class instead
    of being one more input channel that the network may learn to ignore;
    projection discriminators gave the best class-conditional results of the
    schemes compared there, and the label costs only one embedding.

    With the defaults (64 x 64 x 3, unconditional): 695,585 parameters
    (counting batch-norm statistics); with ``spectral_norm=True`` 694,722
    (no batch norm; the wrappers' power-iteration vectors count).

    Args:
        size: image side, a power of two from 16 to 256.
        channels: 1 (grey) or 3 (colour).
        filters: width after the first convolution (at size / 2).
        max_filters: cap on the width of the last convolutions.
        num_classes: number of labels for a conditional discriminator; None for none.
        spectral_norm: spectrally normalise every layer (and drop batch norm).
        name: the model's name.

    Returns:
        A ``keras.Model`` from images (batch, size, size, channels) (and labels
        (batch,), int32, input ``"label"``) to one logit each (batch, 1).

    Raises:
        ValueError: for a size, channel count or width that is not supported.
    """
    _check_image(size, channels)
    _check_num_classes(num_classes)
    widths = _widths(size, filters, max_filters)
    image = keras.Input(shape=(size, size, channels), name="image")
    x = image
    for index, resolution in enumerate(sorted(widths, reverse=True)):
        normalize = index > 0 and not spectral_norm
        conv = layers.Conv2D(widths[resolution], 4, strides=2, padding="same", use_bias=not normalize,
                             kernel_initializer=_init())
        x = _spectral(conv, spectral_norm)(x)
        if normalize:
            x = _batch_norm()(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    features = layers.Flatten(name="features")(x)
    if num_classes is None:
        dense = layers.Dense(1, kernel_initializer=_init(), name=None if spectral_norm else "logit")
        logit = (layers.SpectralNormalization(dense, name="logit") if spectral_norm else dense)(features)
        return keras.Model(image, logit, name=name)
    label = keras.Input(shape=(), dtype="int32", name="label")
    # e(y) = E^T onehot(y), an embedding written as a dense layer on the one-hot label: Keras'
    # SpectralNormalization casts its output to its input's dtype, so around an Embedding of
    # int labels it would round e(y) to integers and pass no gradient.
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot")(label)
    embedding = layers.Dense(16 * widths[4], use_bias=False, kernel_initializer=_init(), name="label_projection")
    embedded = _spectral(embedding, spectral_norm)(one_hot)
    unconditional = _spectral(layers.Dense(1, kernel_initializer=_init()), spectral_norm)(features)
    projection = layers.Dot(axes=1)([embedded, features])
    logit = layers.Add(name="logit")([unconditional, projection])
    return keras.Model([image, label], logit, name=name)


# --------------------------------------------------------------------------- 2D toy MLPs


def toy_generator(latent_dim=2, hidden=(128, 128, 128), output_dim=2):
    """Small MLP generator for 2D toy data: ReLU hidden layers, linear output."""
    _check_positive(latent_dim=latent_dim, hidden=list(hidden), output_dim=output_dim)
    z = keras.Input(shape=(latent_dim,), name="latent")
    x = z
    for width in hidden:
        x = layers.Dense(width, activation="relu")(x)
    point = layers.Dense(output_dim, name="point")(x)
    return keras.Model(z, point, name="toy_generator")


def toy_discriminator(hidden=(128, 128, 128), input_dim=2, minibatch_std=False):
    """Small MLP discriminator for 2D toy data: LeakyReLU(0.2) hidden layers, one logit.

    ``minibatch_std=True`` adds a :class:`MinibatchStddev` feature before the
    last layer, which lets the discriminator see a collapsed batch.
    """
    _check_positive(hidden=list(hidden), input_dim=input_dim)
    point = keras.Input(shape=(input_dim,), name="point")
    x = point
    for width in hidden:
        x = layers.Dense(width)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
    if minibatch_std:
        x = MinibatchStddev()(x)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(point, logit, name="toy_discriminator")


# --------------------------------------------------------------------------- saving


def load_generator(path):
    """Load a generator saved as a ``.keras`` file (``RUN_DIR/generator.keras``).

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file is not a readable Keras model.
    """
    import os

    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "generator.keras")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no generator at {path!r}; pass a .keras file or a run directory.")
    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:
        raise ValueError(f"{path} is not a readable Keras model ({type(error).__name__}: {error}).") from None


# --------------------------------------------------------------------------- CPPN (chapter 8, art)
# A compositional pattern-producing network (Stanley, 2007; Ha, 2016) as a GAN generator.


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
        _check_positive(size=size)
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
        import numpy as np

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
    _check_positive(latent_dim=latent_dim, hidden=hidden, size=size, channels=channels)
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
    _check_positive(size=size)
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
    import numpy as np

    latents = np.asarray(latents, dtype=np.float32)
    single = latents.ndim == 1
    latents = latents[None] if single else latents
    latent_dim = int(generator.inputs[0].shape[-1])
    if latents.ndim != 2 or latents.shape[1] != latent_dim or len(latents) == 0:
        raise ValueError(f"latents must have shape (n, {latent_dim}) or ({latent_dim},), got {latents.shape}.")
    _check_positive(size=size, max_pixels=max_pixels)
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
