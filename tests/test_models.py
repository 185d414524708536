import numpy as np
import pytest

from ganlab import models


@pytest.mark.parametrize("builder, params, output", [
    (models.mlp_generator, 1_486_352, (None, 28, 28, 1)),
    (models.mlp_discriminator, 1_460_225, (None, 1)),
    (models.dcgan_generator, 784_641, (None, 28, 28, 1)),
    (models.dcgan_discriminator, 138_945, (None, 1)),
    (models.wgan_critic, 138_689, (None, 1)),
    (models.toy_generator, 33_666, (None, 2)),
    (models.toy_discriminator, 33_537, (None, 1)),
])
def test_builder_has_documented_size_and_output_shape(builder, params, output):
    model = builder()
    assert model.count_params() == params
    assert model.output_shape == output
    assert f"{params:,}" in builder.__doc__ or builder in (models.toy_generator, models.toy_discriminator)


def test_mlp_generator_follows_the_classic_layer_widths():
    dense_widths = [layer.units for layer in models.mlp_generator().layers if hasattr(layer, "units")]
    assert dense_widths == [256, 512, 1024, 784]


def test_dcgan_generator_uses_tanh_output_and_no_batch_norm_on_it():
    generator = models.dcgan_generator()
    assert generator.layers[-1].activation.__name__ == "tanh"
    images = np.asarray(generator(np.random.default_rng(0).normal(size=(3, 100)).astype(np.float32)))
    assert images.min() >= -1 and images.max() <= 1


def test_wgan_critic_has_no_batch_norm():
    import keras

    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in models.wgan_critic().layers)
    with pytest.raises(ValueError, match="batch norm"):
        models.wgan_critic(normalization="batch")


@pytest.mark.parametrize("pair", [(models.mlp_generator, models.mlp_discriminator),
                                  (models.dcgan_generator, models.dcgan_discriminator)])
def test_conditional_pair_takes_labels(pair):
    generator, discriminator = pair[0](num_classes=10), pair[1](num_classes=10)
    z = np.zeros((4, 100), np.float32)
    labels = np.array([0, 1, 2, 9], np.int32)
    images = generator([z, labels])
    assert images.shape == (4, 28, 28, 1)
    assert discriminator([np.asarray(images), labels]).shape == (4, 1)


def test_minibatch_stddev_appends_the_batch_spread():
    layer = models.MinibatchStddev()
    x = np.array([[0.0, 0.0], [2.0, 4.0]], np.float32)  # stds 1 and 2 -> mean 1.5
    out = np.asarray(layer(x))
    assert out.shape == (2, 3)
    assert out[:, 2] == pytest.approx([1.5, 1.5], rel=1e-4)


@pytest.mark.parametrize("kwargs", [dict(latent_dim=0), dict(hidden=(256, -1)), dict(latent_dim=2.5)])
def test_bad_sizes_are_refused(kwargs):
    with pytest.raises(ValueError):
        models.mlp_generator(**kwargs)


def test_generator_round_trips_through_a_keras_file(tmp_path):
    generator = models.dcgan_generator(filters=8)
    path = tmp_path / "generator.keras"
    generator.save(path)
    loaded = models.load_generator(path)
    z = np.random.default_rng(0).normal(size=(2, 100)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(loaded(z)), np.asarray(generator(z)), atol=1e-6)


def test_load_generator_explains_missing_and_corrupt_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no generator"):
        models.load_generator(tmp_path / "nothing.keras")
    bad = tmp_path / "generator.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable Keras model"):
        models.load_generator(bad)


# --------------------------------------------------------------------------- image pair (any size, colour)


def _layers_of(model, kind):
    import keras

    inner = [layer.layer if isinstance(layer, keras.layers.SpectralNormalization) else layer
             for layer in model.layers]
    return [layer for layer in inner if isinstance(layer, kind)]


@pytest.mark.parametrize("size", [16, 32, 64, 128, 256])
@pytest.mark.parametrize("channels", [1, 3])
def test_image_pair_shapes_for_every_size_and_channel_count(size, channels):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2, 16)).astype(np.float32)
    labels = np.array([0, 2], np.int32)
    for num_classes, upsample in [(None, "resize"), (None, "transpose"), (3, "resize"), (3, "transpose")]:
        generator = models.image_generator(size, channels, latent_dim=16, filters=8, max_filters=32,
                                           num_classes=num_classes, upsample=upsample)
        discriminator = models.image_discriminator(size, channels, filters=8, max_filters=32,
                                                   num_classes=num_classes)
        inputs = z if num_classes is None else [z, labels]
        images = np.asarray(generator(inputs))
        assert images.shape == (2, size, size, channels)
        assert images.min() >= -1 and images.max() <= 1
        logits = discriminator(images if num_classes is None else [images, labels])
        assert tuple(logits.shape) == (2, 1)
        assert ("label" in [t.name for t in generator.inputs]) == (num_classes is not None)
        assert ("label" in [t.name for t in discriminator.inputs]) == (num_classes is not None)


@pytest.mark.parametrize("size", [16, 64, 256])
def test_image_pair_has_one_block_per_doubling(size):
    import keras

    doublings = int(np.log2(size // 4))
    resize = models.image_generator(size, filters=8, max_filters=16)
    assert len(_layers_of(resize, keras.layers.UpSampling2D)) == doublings
    assert not _layers_of(resize, keras.layers.Conv2DTranspose)
    transpose = models.image_generator(size, filters=8, max_filters=16, upsample="transpose")
    assert len(_layers_of(transpose, keras.layers.Conv2DTranspose)) == doublings
    assert not _layers_of(transpose, keras.layers.UpSampling2D)
    discriminator = models.image_discriminator(size, filters=8, max_filters=16)
    assert [layer.strides for layer in _layers_of(discriminator, keras.layers.Conv2D)] == [(2, 2)] * doublings


def test_image_pair_default_parameter_counts_by_hand():
    # Generator, 64 x 64 x 3, latent 128, widths 256 (4x4), 128 (8x8), 64 (16x16), 32 (32x32).
    # Batch norm counts 4 numbers per channel (gamma, beta, moving mean and variance).
    generator = (128 * 4 * 4 * 256 + 4 * 4 * 4 * 256     # dense projection (no bias) + its batch norm
                 + 3 * 3 * 256 * 128 + 4 * 128           # 8x8 conv + batch norm
                 + 3 * 3 * 128 * 64 + 4 * 64             # 16x16
                 + 3 * 3 * 64 * 32 + 4 * 32              # 32x32
                 + 3 * 3 * 32 * 3 + 3)                   # 64x64 image conv with bias
    # Discriminator: 4x4 stride-2 convs 3 -> 32 (bias), 32 -> 64, 64 -> 128, 128 -> 256 (batch norm), dense.
    discriminator = (4 * 4 * 3 * 32 + 32
                     + 4 * 4 * 32 * 64 + 4 * 64
                     + 4 * 4 * 64 * 128 + 4 * 128
                     + 4 * 4 * 128 * 256 + 4 * 256
                     + 4 * 4 * 256 + 1)
    # Spectral norm: biases instead of batch norm, plus one power-iteration vector u per layer (its output width).
    spectral = (4 * 4 * 3 * 32 + 4 * 4 * 32 * 64 + 4 * 4 * 64 * 128 + 4 * 4 * 128 * 256 + 4 * 4 * 256
                + 2 * (32 + 64 + 128 + 256 + 1))
    assert models.image_generator().count_params() == generator == 929_507
    assert models.image_discriminator().count_params() == discriminator == 695_585
    assert models.image_discriminator(spectral_norm=True).count_params() == spectral == 694_722
    assert "929,507" in models.image_generator.__doc__
    assert "695,585" in models.image_discriminator.__doc__ and "694,722" in models.image_discriminator.__doc__


def test_width_doubles_towards_4x4_up_to_the_cap():
    import keras

    discriminator = models.image_discriminator(128, filters=16, max_filters=64)
    assert [layer.filters for layer in _layers_of(discriminator, keras.layers.Conv2D)] == [16, 32, 64, 64, 64]
    generator = models.image_generator(128, filters=16, max_filters=64)
    assert [layer.filters for layer in _layers_of(generator, keras.layers.Conv2D)] == [64, 64, 32, 16, 3]


@pytest.mark.parametrize("num_classes", [None, 4])
def test_spectral_norm_wraps_every_weight_layer_and_drops_batch_norm(num_classes):
    import keras

    discriminator = models.image_discriminator(32, filters=8, num_classes=num_classes, spectral_norm=True)
    weighted = [layer for layer in discriminator.layers if layer.weights]
    assert all(isinstance(layer, keras.layers.SpectralNormalization) for layer in weighted)
    wrapped = sorted(type(layer.layer).__name__ for layer in weighted)
    # three convolutions (32 -> 16 -> 8 -> 4), the logit's dense layer, and the label embedding if conditional
    assert wrapped == ["Conv2D"] * 3 + ["Dense"] * (1 if num_classes is None else 2)
    assert not _layers_of(discriminator, keras.layers.BatchNormalization)
    plain = models.image_discriminator(32, filters=8, num_classes=num_classes)
    assert not any(isinstance(layer, keras.layers.SpectralNormalization) for layer in plain.layers)
    assert len(_layers_of(plain, keras.layers.BatchNormalization)) == 2


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_conditional_discriminator_adds_the_projection_of_the_label_embedding(spectral_norm):
    import keras

    discriminator = models.image_discriminator(16, 3, filters=4, num_classes=3, spectral_norm=spectral_norm)
    layers = {layer.name: getattr(layer, "layer", layer) for layer in discriminator.layers}
    (projection,) = [layer for layer in layers.values() if layer.name == "label_projection"]
    (logit,) = [layer for layer in _layers_of(discriminator, keras.layers.Dense) if layer is not projection]
    embeddings = np.random.default_rng(1).normal(size=projection.kernel.shape).astype(np.float32)
    projection.kernel.assign(embeddings)
    images = np.random.default_rng(2).uniform(-1, 1, (3, 16, 16, 3)).astype(np.float32)
    labels = np.array([0, 1, 2], np.int32)
    features = np.asarray(keras.Model(discriminator.inputs, discriminator.get_layer("features").output)(
        [images, labels]))
    kernel, bias = logit.get_weights()
    expected = features @ kernel + bias + np.sum(embeddings[labels] * features, axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(discriminator([images, labels])), expected, rtol=1e-4, atol=1e-5)


def test_spectrally_normalised_label_embedding_gets_a_gradient():
    import tensorflow as tf

    discriminator = models.image_discriminator(16, 3, filters=4, num_classes=3, spectral_norm=True)
    images = np.random.default_rng(2).uniform(-1, 1, (3, 16, 16, 3)).astype(np.float32)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(discriminator([images, np.array([0, 1, 2], np.int32)], training=True))
    projection = [v for v in discriminator.trainable_variables if "label_projection" in v.path]
    assert len(projection) == 1
    gradient = tape.gradient(total, projection[0])
    assert gradient is not None and np.abs(np.asarray(gradient)).sum() > 0


def test_conditional_image_pair_trains_a_step_and_reloads(tmp_path):
    import keras

    from ganlab import GAN

    generator = models.image_generator(16, 3, latent_dim=8, filters=8, max_filters=16, num_classes=2)
    discriminator = models.image_discriminator(16, 3, filters=8, max_filters=16, num_classes=2, spectral_norm=True)
    gan = GAN(generator, discriminator, seed=0)
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype(np.float32)
    labels = np.array([0, 1] * 4, np.int32)
    history = gan.fit(images, labels, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
    generator.save(tmp_path / "generator.keras")
    discriminator.save(tmp_path / "discriminator.keras")
    z = np.random.default_rng(1).normal(size=(2, 8)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(models.load_generator(tmp_path)([z, labels[:2]])),
                               np.asarray(generator([z, labels[:2]])), atol=1e-6)
    reloaded = keras.saving.load_model(tmp_path / "discriminator.keras")
    np.testing.assert_allclose(np.asarray(reloaded([images, labels])), np.asarray(discriminator([images, labels])),
                               atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=8), "power of two from 16 to 256"),
    (dict(size=512), "power of two from 16 to 256"),
    (dict(size=48), "power of two from 16 to 256"),
    (dict(size=64.0), "power of two from 16 to 256"),
    (dict(size=True), "power of two from 16 to 256"),
    (dict(channels=2), "channels must be 1"),
    (dict(channels=4), "channels must be 1"),
    (dict(channels=3.0), "channels must be 1"),
    (dict(filters=0), "filters must be a positive integer"),
    (dict(filters=64, max_filters=32), "max_filters"),
    (dict(num_classes=0), "num_classes must be a positive integer"),
])
def test_image_pair_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.image_generator(**kwargs)
    with pytest.raises(ValueError, match=message):
        models.image_discriminator(**kwargs)


def test_image_generator_refuses_unknown_upsampling():
    with pytest.raises(ValueError, match="upsample must be one of"):
        models.image_generator(upsample="bilinear-ish")


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_image_discriminator_output_layer_is_named_logit(spectral_norm):
    discriminator = models.image_discriminator(16, filters=4, spectral_norm=spectral_norm)
    assert discriminator.layers[-1].name == "logit"


# ---- spectral normalisation of the MNIST critic (chapter 6)


def test_mnist_critic_with_spectral_norm_wraps_its_three_weight_layers():
    import keras

    critic = models.wgan_critic(normalization=None, spectral_norm=True)
    wrapped = [layer for layer in critic.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert [type(layer.layer).__name__ for layer in wrapped] == ["Conv2D", "Conv2D", "Dense"]
    assert critic.layers[-1].name == "logit"
    assert not any(isinstance(layer, (keras.layers.LayerNormalization, keras.layers.BatchNormalization))
                   for layer in critic.layers)
    # the same trainable weights as the plain critic without normalisation, plus one u vector per wrapped layer
    plain = models.wgan_critic(normalization=None)
    assert sum(int(np.prod(w.shape)) for w in critic.trainable_weights) == plain.count_params()
    assert [tuple(w.shape) for w in critic.non_trainable_weights] == [(1, 64), (1, 128), (1, 1)]


def test_spectrally_normalised_critic_kernels_have_largest_singular_value_near_one_after_normalising():
    import keras

    keras.utils.set_random_seed(0)
    critic = models.wgan_critic(normalization=None, spectral_norm=True)
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    critic(images, training=True)
    kernel = keras.ops.convert_to_numpy(critic.layers[-1].layer.kernel)
    critic(images, training=True)  # a call only applies the layers: the kernel is rewritten by normalize_spectra
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(critic.layers[-1].layer.kernel), kernel)
    for _ in range(30):  # one power-iteration round each: the estimate of sigma converges over rounds
        assert models.normalize_spectra(critic) == 3
    for layer in critic.layers:
        if isinstance(layer, keras.layers.SpectralNormalization):
            kernel = keras.ops.convert_to_numpy(layer.layer.kernel)
            sigma = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
            assert sigma == pytest.approx(1.0, abs=0.05)


def test_mnist_critic_refuses_spectral_norm_with_a_normalisation_layer():
    with pytest.raises(ValueError, match="spectral_norm=True takes normalization=None"):
        models.wgan_critic(spectral_norm=True)
    with pytest.raises(ValueError, match="normalization=None"):
        models.dcgan_discriminator(normalization="batch", spectral_norm=True)
