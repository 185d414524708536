import keras
import numpy as np
import pytest

from ganlab import datasets, models, training
from ganlab.training import GAN


def _toy_gan(seed=0, ema_decay=None, **compile_kwargs):
    keras.utils.set_random_seed(seed)
    gan = GAN(models.toy_generator(hidden=(32, 32)), models.toy_discriminator(hidden=(32, 32)), seed=seed,
              ema_decay=ema_decay)
    compile_kwargs.setdefault("loss", "non_saturating")
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5), **compile_kwargs)
    return gan


def test_same_seed_gives_identical_samples_and_other_seeds_differ():
    gan = _toy_gan()
    np.testing.assert_array_equal(gan.generate(50, seed=7), gan.generate(50, seed=7))
    assert not np.allclose(gan.generate(50, seed=7), gan.generate(50, seed=8))


def test_fit_handles_a_smaller_last_batch():
    gan = _toy_gan()
    points = datasets.ring_of_gaussians(70, seed=0)
    history = gan.fit(datasets.make_dataset(points, batch_size=32, seed=0), epochs=1, verbose=0)
    assert set(history.history) >= {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(v[0]) for v in history.history.values())


@pytest.mark.slow
def test_short_training_on_ring8_moves_samples_towards_the_ring():
    distribution = datasets.toy_distribution("ring8")
    gan = _toy_gan(seed=1)
    before = np.linalg.norm(gan.generate(2000, seed=0), axis=1)
    data = datasets.make_dataset(distribution.sample(20_000, seed=0), batch_size=128, seed=0)
    gan.fit(data, epochs=8, verbose=0)
    after = np.linalg.norm(gan.generate(2000, seed=0), axis=1)
    # the ring has radius 2: the mean distance of samples from the circle must shrink a lot
    assert np.mean(np.abs(after - 2.0)) < 0.4 * np.mean(np.abs(before - 2.0))


def test_weight_clipping_keeps_every_critic_weight_in_range():
    gan = _toy_gan(loss="wasserstein", clip_value=0.01, discriminator_steps=2)
    gan.fit(datasets.make_dataset(datasets.ring_of_gaussians(64, seed=0), batch_size=32), epochs=1, verbose=0)
    for weight in gan.discriminator.trainable_variables:
        assert np.abs(keras.ops.convert_to_numpy(weight)).max() <= 0.01 + 1e-7


def test_gradient_penalty_is_tracked_when_enabled():
    gan = _toy_gan(loss="wasserstein", gradient_penalty_weight=10.0)
    history = gan.fit(datasets.make_dataset(datasets.ring_of_gaussians(64, seed=0), batch_size=32), epochs=1,
                      verbose=0)
    assert history.history["gradient_penalty"][0] >= 0


def test_ema_generator_is_the_moving_average_of_the_weights():
    gan = _toy_gan(ema_decay=0.9)
    before = [np.array(w) for w in gan.generator.get_weights()]
    gan.fit(datasets.make_dataset(datasets.ring_of_gaussians(32, seed=0), batch_size=32), epochs=1, verbose=0)
    after = gan.generator.get_weights()
    decay = min(0.9, 1 / 10)  # the warm-up decay (1 + t) / (10 + t) at the first update, t = 0
    expected = [decay * b + (1 - decay) * a for b, a in zip(before, after)]
    for average, want in zip(gan.ema_generator.get_weights(), expected):
        np.testing.assert_allclose(average, want, rtol=1e-5, atol=1e-6)
    assert gan.sampler is gan.ema_generator


def test_conditional_gan_trains_on_labelled_batches_and_generates_chosen_digits():
    keras.utils.set_random_seed(0)
    gan = GAN(models.mlp_generator(hidden=(16,), num_classes=10),
              models.mlp_discriminator(hidden=(16,), num_classes=10), seed=0)
    gan.compile(keras.optimizers.Adam(2e-4), keras.optimizers.Adam(2e-4))
    images = np.random.default_rng(0).uniform(-1, 1, (40, 28, 28, 1)).astype(np.float32)
    labels = np.arange(40) % 10
    gan.fit(datasets.make_dataset(images, labels, batch_size=16), epochs=1, verbose=0)
    assert gan.num_classes == 10
    assert gan.generate(5, seed=0, labels=[3, 3, 3, 3, 3]).shape == (5, 28, 28, 1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(loss="bce"), "unknown loss"),
    (dict(discriminator_steps=0), "discriminator_steps"),
    (dict(gradient_penalty_weight=-1.0), "gradient_penalty_weight"),
    (dict(clip_value=0.0), "clip_value"),
    (dict(loss="hinge", label_smoothing=0.1), "label_smoothing"),
])
def test_bad_compile_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _toy_gan(**kwargs)


def test_one_optimizer_for_both_networks_is_refused():
    gan = GAN(models.toy_generator(), models.toy_discriminator())
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different optimizer"):
        gan.compile(optimizer, optimizer)


def test_published_configurations_carry_the_papers_defaults():
    kwargs, make = training.wgan_gp_config()
    optimizer = make()
    assert kwargs == dict(loss="wasserstein", discriminator_steps=5, gradient_penalty_weight=10.0)
    assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.beta_2) == pytest.approx((1e-4, 0.0, 0.9))
    kwargs, make = training.wgan_config()
    assert kwargs["clip_value"] == 0.01 and kwargs["discriminator_steps"] == 5
    assert float(make().learning_rate) == pytest.approx(5e-5)
    kwargs, make = training.dcgan_config()
    assert kwargs["loss"] == "non_saturating"
    assert (float(make().learning_rate), make().beta_1) == pytest.approx((2e-4, 0.5))


def test_dcgan_config_takes_another_learning_rate_and_refuses_a_bad_one():
    _, make = training.dcgan_config(learning_rate=2e-3)
    assert float(make().learning_rate) == pytest.approx(2e-3)
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        training.dcgan_config(learning_rate=0)
