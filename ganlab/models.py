"""Builders that return ``keras.Model`` generators and discriminators.

Every builder takes its sizes as arguments and names its inputs, so the models
save to and load from ``.keras`` files with no custom code but the layers
registered here.
"""

import keras
from keras import layers, ops

from ganlab._checks import LABEL_INPUT, positive_ints
from ganlab.datasets import MNIST_IMAGE_SHAPE, check_channels, check_image_size


def _init():
    """Radford et al.: all weights from N(0, 0.02)."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _batch_norm():
    return layers.BatchNormalization(
        momentum=0.9, gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02)
    )


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
    label = keras.Input(shape=(), dtype="int32", name=LABEL_INPUT)
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


def mlp_generator(latent_dim=100, hidden=(256, 512, 1024), image_shape=MNIST_IMAGE_SHAPE, num_classes=None):
    """Fully connected generator of the classic MNIST GAN: 100 -> 256 -> 512 -> 1024 -> 784.

    LeakyReLU(0.2) between layers, tanh output reshaped to ``image_shape``.
    With ``num_classes`` it is conditional: a label embedding of width 50 is
    concatenated to the latent vector (Mirza and Osindero, 2014).
    With the defaults: 1,486,352 parameters (unconditional).
    """
    positive_ints(latent_dim=latent_dim, hidden=list(hidden))
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


def mlp_discriminator(hidden=(1024, 512, 256), image_shape=MNIST_IMAGE_SHAPE, dropout=0.3, num_classes=None):
    """Fully connected discriminator: 784 -> 1024 -> 512 -> 256 -> 1 logit, LeakyReLU(0.2).

    Dropout (0.3 by default) after each hidden layer, as in the original GAN code.
    Returns logits: apply a sigmoid for D(x).
    With the defaults: 1,460,225 parameters (unconditional).
    """
    positive_ints(hidden=list(hidden))
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
    positive_ints(latent_dim=latent_dim, filters=filters)
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


def dcgan_discriminator(filters=64, normalization="batch", num_classes=None, name="dcgan_discriminator",
                        spectral_norm=False):
    """DCGAN discriminator for 28x28x1 images (Radford et al., 2016).

    Conv(f, 4, stride 2) -> LeakyReLU(0.2) -> Conv(2f, 4, stride 2) -> norm ->
    LeakyReLU(0.2) -> Flatten -> Dense(1) logit. No normalisation on the input
    layer; ``normalization`` is ``"batch"`` (DCGAN), ``"layer"`` or ``None``
    (use one of the last two for a WGAN-GP critic, whose gradient penalty is
    per example). With ``num_classes`` the label enters as a 28x28 embedding
    channel. With the defaults: 138,945 parameters.

    ``spectral_norm=True`` wraps both convolutions and the logit layer in
    :class:`SpectralNormalization` (Miyato et al., 2018): before each training
    step each divides its kernel, reshaped to a matrix, by an estimate of that
    matrix's largest singular value (one power iteration per step). It takes
    ``normalization=None``, as in Miyato et al.'s critics: a batch or layer norm
    after a normalised layer would rescale its output again.
    """
    positive_ints(filters=filters)
    if normalization not in ("batch", "layer", None):
        raise ValueError(f"normalization must be 'batch', 'layer' or None, got {normalization!r}.")
    if spectral_norm and normalization is not None:
        raise ValueError(f"spectral_norm=True takes normalization=None, got normalization={normalization!r}; "
                         "pass normalization=None.")
    image = keras.Input(shape=MNIST_IMAGE_SHAPE, name="image")
    inputs, x = [image], image
    if num_classes is not None:
        label, embedded = _label_input(num_classes, 28 * 28, "label_embedding")
        inputs.append(label)
        x = layers.Concatenate()([image, layers.Reshape((28, 28, 1))(embedded)])
    x = _spectral(layers.Conv2D(filters, 4, strides=2, padding="same", kernel_initializer=_init()), spectral_norm)(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = _spectral(layers.Conv2D(2 * filters, 4, strides=2, padding="same", use_bias=normalization is None,
                                kernel_initializer=_init()), spectral_norm)(x)
    if normalization == "batch":
        x = _batch_norm()(x)
    elif normalization == "layer":
        x = layers.LayerNormalization()(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Flatten()(x)
    dense = layers.Dense(1, kernel_initializer=_init(), name=None if spectral_norm else "logit")
    logit = _spectral(dense, spectral_norm, name="logit")(x)
    return keras.Model(inputs if len(inputs) > 1 else image, logit, name=name)


def wgan_critic(filters=64, normalization="layer", num_classes=None, spectral_norm=False):
    """A WGAN / WGAN-GP critic: the DCGAN discriminator without batch norm.

    Gulrajani et al. (2017) drop batch norm from the critic because the
    gradient penalty is defined per example; layer norm is their suggested
    replacement. Returns an unbounded score, not a probability.
    With the defaults: 138,689 parameters. ``spectral_norm=True`` (with
    ``normalization=None``) spectrally normalises every layer instead, as
    :func:`dcgan_discriminator` describes.
    """
    if normalization == "batch":
        raise ValueError("a WGAN-GP critic must not use batch norm; use normalization='layer' or None.")
    return dcgan_discriminator(filters, normalization, num_classes, name="wgan_critic", spectral_norm=spectral_norm)


# --------------------------------------------------------------------------- DCGAN pair for any image size
# Colour (or grey) images of any square size 2^k from 16 to 256: one block per doubling.

UPSAMPLING = ("resize", "transpose")


def _check_num_classes(num_classes):
    if num_classes is not None:
        positive_ints(num_classes=num_classes)


def _widths(size, filters, max_filters):
    """Feature widths at the resolutions 4, 8, ..., size / 2: ``filters`` at size / 2,
    doubling with every halving of the resolution, capped at ``max_filters``."""
    positive_ints(filters=filters, max_filters=max_filters)
    if max_filters < filters:
        raise ValueError(f"max_filters ({max_filters}) must be at least filters ({filters}).")
    resolutions = [4 * 2 ** k for k in range(size.bit_length() - 3)]
    return {r: min(max_filters, filters * (size // 2) // r) for r in resolutions}


@keras.saving.register_keras_serializable(package="ganlab")
class SpectralNormalization(layers.SpectralNormalization):
    """``keras.layers.SpectralNormalization`` that normalises when asked, not in every training call.

    Keras' wrapper runs a power-iteration round and writes ``W / sigma`` into the wrapped
    layer's kernel in every call with ``training=True``. On the PyTorch backend that write is
    an in-place change of a tensor the autograd graph has saved, so a loss that calls the
    discriminator twice (on real and on generated images, or again for a penalty) fails in
    its backward pass. Here the call only applies the layer, and :meth:`normalize` does one
    round and writes the kernel; ``GAN`` calls it (through :func:`normalize_spectra`) before
    each discriminator and each generator step, outside the gradient computation, so every
    call of a step sees the same normalised kernel, on every backend. That is one round per
    update, as in Miyato et al.'s Algorithm 1. A training loop of your own must call
    :func:`normalize_spectra` itself, or the kernels are never normalised.
    """

    def call(self, inputs, training=False):
        return ops.cast(self.layer(inputs), inputs.dtype)

    def normalize(self):
        """One power-iteration round: update ``u`` and divide the kernel by its estimated largest singular value."""
        vector_u, kernel = ops.cond(ops.all(ops.equal(self.kernel.value, 0)),  # an all-zero kernel stays (as Keras)
                                    lambda: (self.vector_u.value, self.kernel.value), self.normalized_weights)
        self.vector_u.assign(ops.stop_gradient(vector_u))
        self.kernel.assign(ops.stop_gradient(kernel))


def nested_layers(model):
    """Every layer of ``model``, the layers of the models nested in it included, in order."""
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from nested_layers(layer)


def spectral_layers(model):
    """The :class:`SpectralNormalization` layers of ``model``, nested models included."""
    return [layer for layer in nested_layers(model) if isinstance(layer, SpectralNormalization)]


def normalize_spectra(model):
    """Run one power-iteration round in every spectrally normalised layer of ``model``; return how many."""
    found = spectral_layers(model)
    for layer in found:
        layer.normalize()
    return len(found)


def _spectral(layer, spectral_norm, name=None):
    """``layer``, wrapped in spectral normalisation if asked."""
    return SpectralNormalization(layer, name=name) if spectral_norm else layer


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
    size, channels = check_image_size(size), check_channels(channels)
    positive_ints(latent_dim=latent_dim)
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
    label embedding is one) in :class:`SpectralNormalization` (Miyato et al.,
    2018, "Spectral Normalization for GANs"), which divides each kernel by an
    estimate of its largest singular value, so every dense layer is 1-Lipschitz
    (a convolution only approximately: its kernel is normalised as a matrix), and
    then uses no batch norm. ``GAN`` writes W / sigma into the kernels before every
    step, one power-iteration round each (:func:`normalize_spectra`).

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
    size, channels = check_image_size(size), check_channels(channels)
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
        logit = _spectral(dense, spectral_norm, name="logit")(features)
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
    positive_ints(latent_dim=latent_dim, hidden=list(hidden), output_dim=output_dim)
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
    positive_ints(hidden=list(hidden), input_dim=input_dim)
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
    from ganlab import cppn  # noqa: F401  (registers the CPPN layers a saved CPPN needs)

    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:
        raise ValueError(f"{path} is not a readable Keras model ({type(error).__name__}: {error}).") from None
