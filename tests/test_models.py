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
