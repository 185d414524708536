import keras
import numpy as np
import pytest

from ganlab import datasets, losses, models
from ganlab.training import GAN

pytestmark = pytest.mark.backends  # run on every Keras backend by `make test` (see tests/test_backends.py)


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




def _ring(n=64):
    return datasets.make_dataset(datasets.ring_of_gaussians(n, seed=0), batch_size=32, seed=0)


def test_r1_penalty_is_tracked_when_enabled():
    history = _toy_gan(r1_weight=1.0).fit(_ring(), epochs=1, verbose=0)
    assert history.history["r1_penalty"][0] > 0
    assert "r1_penalty" not in _toy_gan().fit(_ring(), epochs=1, verbose=0).history


@pytest.mark.parametrize("compile_kwargs", [dict(), dict(r1_weight=1.0),
                                            dict(loss="wasserstein", gradient_penalty_weight=10.0,
                                                 discriminator_steps=2)])
def test_a_spectrally_normalised_discriminator_trains_with_every_penalty(compile_kwargs):
    # the discriminator is called two or three times in one loss; Keras' own wrapper rewrote its kernel in
    # every training call, which PyTorch's autograd refused ("modified by an inplace operation")
    keras.utils.set_random_seed(0)
    critic = models.wgan_critic(filters=8, normalization=None, spectral_norm=True)
    gan = GAN(models.dcgan_generator(latent_dim=8), critic, seed=0)
    compile_kwargs.setdefault("loss", "non_saturating")
    gan.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5), **compile_kwargs)
    kernels = [keras.ops.convert_to_numpy(layer.layer.kernel) for layer in models.spectral_layers(critic)]
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    history = gan.fit(images, batch_size=32, epochs=1, verbose=0)
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert len(kernels) == 3
    for before, layer in zip(kernels, models.spectral_layers(critic)):
        after = keras.ops.convert_to_numpy(layer.layer.kernel)
        # normalised: its norm fell from the initial N(0, 0.02) kernel's, whose largest singular value is above 1
        assert not np.allclose(before, after)


def test_a_discriminator_with_keras_own_spectral_norm_is_refused_on_pytorch_only():
    image = keras.Input((4,))
    logit = keras.layers.SpectralNormalization(keras.layers.Dense(1, name="score"))(image)
    discriminator = keras.Model(image, logit)
    if keras.backend.backend() == "torch":
        with pytest.raises(ValueError, match="wraps score in keras.layers.SpectralNormalization"):
            GAN(models.toy_generator(hidden=(8,), output_dim=4), discriminator)
    else:  # TensorFlow and JAX differentiate Keras' wrapper: it keeps working there
        GAN(models.toy_generator(hidden=(8,), output_dim=4), discriminator)


def test_identity_augmentation_and_a_loss_pair_keep_the_numbers_of_the_plain_gan():
    plain = _toy_gan(seed=3, loss="hinge").fit(_ring(), epochs=1, verbose=0).history
    pair = _toy_gan(seed=3, loss=(losses.hinge_discriminator_loss, losses.hinge_generator_loss),
                    augment=lambda images, seed_generator: images).fit(_ring(), epochs=1, verbose=0).history
    assert pair == plain


def test_augmentation_is_applied_to_every_image_the_discriminator_sees():
    calls = []

    def blank(images, seed_generator):  # the discriminator then sees only zeros, real or fake
        calls.append(tuple(images.shape))
        return images * 0.0

    gan = _toy_gan(augment=blank, gradient_penalty_weight=1.0, r1_weight=1.0, run_eagerly=True)
    history = gan.fit(datasets.make_dataset(datasets.ring_of_gaussians(32, seed=0), batch_size=32), epochs=1,
                      verbose=0).history
    assert len(calls) == 3  # real and fake in the discriminator step, generated in the generator step
    assert history["d_real"] == history["d_fake"]
    assert gan.training_settings()["augment"].endswith("blank")


def test_a_loss_pair_is_recorded_by_name_and_a_bad_loss_is_refused():
    gan = _toy_gan(loss=(losses.hinge_discriminator_loss, losses.hinge_generator_loss))
    assert gan.training_settings()["loss"] == ["ganlab.losses.hinge_discriminator_loss",
                                                "ganlab.losses.hinge_generator_loss"]
    assert _toy_gan(loss="hinge").training_settings()["loss"] == "hinge"
    with pytest.raises(ValueError, match="pair"):
        _toy_gan(loss=(losses.hinge_discriminator_loss,))
    with pytest.raises(ValueError, match="r1_weight"):
        _toy_gan(r1_weight=-1.0)
    with pytest.raises(ValueError, match="augment"):
        _toy_gan(augment="flip")


def test_a_subclass_can_sample_other_generator_inputs():
    class TwoNoises(GAN):
        def sample_latents(self, batch_size):
            coarse = keras.random.normal((batch_size, 2), seed=self.seed_generator)
            fine = keras.random.normal((batch_size, 3), seed=self.seed_generator)
            return [coarse, fine], None

    coarse, fine = keras.Input((2,), name="coarse"), keras.Input((3,), name="fine")
    generator = keras.Model([coarse, fine], keras.layers.Dense(2)(keras.layers.Concatenate()([coarse, fine])))
    gan = TwoNoises(generator, models.toy_discriminator(hidden=(8,)), seed=0)
    assert not gan.conditional  # two inputs, none named "label"
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    history = gan.fit(_ring(), epochs=1, verbose=0).history
    assert np.isfinite(history["g_loss"][0])


# ---------------------------------------------------------------------- one step, by hand, on every backend

class _FixedLatents(GAN):
    """Draws the same latent vectors at every call, so that one training step can be worked out by hand."""

    latents = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 0.5], [0.0, 2.0]], np.float32)

    def sample_latents(self, batch_size):
        return keras.ops.convert_to_tensor(self.latents[:batch_size]), None


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


def _one_step_by_hand(A, c, w, b, X, Z, loss, lr, discriminator_steps=1, label_smoothing=0.0,
                      gradient_penalty_weight=0.0, r1_weight=0.0, clip_value=None):
    """One GAN training step of a linear generator F = Z A + c and a linear discriminator D(x) = x w + b with
    SGD, in float64 numpy: returns the new (A, c, w, b) and the logged d_loss, g_loss (and penalty)."""
    n, t = len(X), 1.0 - label_smoothing
    F = Z @ A + c  # the fakes: the generator does not move during the discriminator steps
    for _ in range(discriminator_steps):
        r, f = X @ w + b, F @ w + b
        if loss == "least_squares":
            d_loss = 0.5 * np.mean((r - t) ** 2) + 0.5 * np.mean(f ** 2)
            dr, df = (r - t) / n, f / n
        elif loss == "non_saturating":
            d_loss = np.mean(t * _softplus(-r) + (1 - t) * _softplus(r)) + np.mean(_softplus(f))
            dr, df = (_sigmoid(r) - t) / n, _sigmoid(f) / n
        else:  # wasserstein
            d_loss = np.mean(f) - np.mean(r)
            dr, df = -np.ones_like(r) / n, np.ones_like(f) / n
        grad_w, grad_b = X.T @ dr + F.T @ df, np.sum(dr) + np.sum(df)
        norm = np.sqrt(np.sum(w ** 2) + 1e-12)  # a linear critic's input gradient is w, at every point
        penalties = {}
        if gradient_penalty_weight:
            penalties["gradient_penalty"] = gradient_penalty_weight * (norm - 1.0) ** 2
            grad_w = grad_w + 2 * gradient_penalty_weight * (norm - 1.0) * w / norm
        if r1_weight:
            penalties["r1_penalty"] = 0.5 * r1_weight * np.sum(w ** 2)
            grad_w = grad_w + r1_weight * w
        d_loss += sum(penalties.values())
        w, b = w - lr * grad_w, b - lr * grad_b
        if clip_value is not None:
            w, b = np.clip(w, -clip_value, clip_value), np.clip(b, -clip_value, clip_value)
    f = F @ w + b
    if loss == "least_squares":
        g_loss, df = 0.5 * np.mean((f - 1) ** 2), (f - 1) / n
    elif loss == "non_saturating":
        g_loss, df = np.mean(_softplus(-f)), -_sigmoid(-f) / n
    else:
        g_loss, df = -np.mean(f), -np.ones_like(f) / n
    grad_F = df @ w.T
    A, c = A - lr * Z.T @ grad_F, c - lr * np.sum(grad_F, axis=0)
    return (A, c, w, b), dict(d_loss=d_loss, g_loss=g_loss, **penalties)


@pytest.mark.backends
@pytest.mark.parametrize("settings", [
    dict(loss="least_squares"),
    dict(loss="non_saturating", label_smoothing=0.1, r1_weight=0.5),
    dict(loss="wasserstein", gradient_penalty_weight=10.0, discriminator_steps=2),
    dict(loss="wasserstein", clip_value=0.3, discriminator_steps=3),
], ids=["least_squares", "smoothing_r1", "wgan_gp", "wgan_clip"])
def test_one_step_of_linear_networks_matches_the_step_worked_out_in_numpy(settings):
    rng = np.random.default_rng(0)
    A, c = rng.normal(size=(2, 2)), rng.normal(size=2)
    w, b = rng.normal(size=(2, 1)) * 0.7, rng.normal(size=1)
    X = rng.normal(size=(4, 2)).astype(np.float32)
    generator = keras.Sequential([keras.Input((2,), name="latent"), keras.layers.Dense(2)])
    discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    generator.set_weights([A, c])
    discriminator.set_weights([w, b])
    gan = _FixedLatents(generator, discriminator, seed=0, ema_decay=0.5)
    lr = 0.05
    gan.compile(keras.optimizers.SGD(lr), keras.optimizers.SGD(lr), **settings)
    history = gan.fit(X, batch_size=4, epochs=1, verbose=0).history

    start_weights = [A, c]
    (A, c, w, b), logs = _one_step_by_hand(A, c, w, b, X.astype(np.float64), _FixedLatents.latents.astype(np.float64),
                                           lr=lr, **settings)
    for got, want in zip(gan.generator.get_weights() + gan.discriminator.get_weights(), [A, c, w, b]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    for name, want in logs.items():
        assert history[name][0] == pytest.approx(want, rel=1e-5, abs=1e-6), name
    # the moving average's first update has the warm-up decay 1/10: 0.1 * before + 0.9 * after
    for got, start, end in zip(gan.ema_generator.get_weights(), start_weights, [A, c]):
        np.testing.assert_allclose(got, 0.1 * start + 0.9 * end, rtol=1e-5, atol=1e-6)
    assert int(keras.ops.convert_to_numpy(gan.d_optimizer.iterations)) == settings.get("discriminator_steps", 1)
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 1


@pytest.mark.backends
def test_noise_seed_optimizer_steps_and_trackers_carry_over_from_step_to_step():
    gan = _toy_gan(loss="wasserstein", gradient_penalty_weight=10.0, discriminator_steps=3)
    start = keras.ops.convert_to_numpy(gan.seed_generator.state).astype(np.int64)
    gan.fit(datasets.make_dataset(datasets.ring_of_gaussians(64, seed=0), batch_size=16, seed=0), epochs=1, verbose=0)
    # 4 steps, each drawing 3 x (latents, mixing coefficients) for the critic and latents for the generator
    seed_draws = keras.ops.convert_to_numpy(gan.seed_generator.state).astype(np.int64) - start
    np.testing.assert_array_equal(seed_draws, [0, 4 * 7])
    assert int(keras.ops.convert_to_numpy(gan.d_optimizer.iterations)) == 4 * 3
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 4
    assert [float(keras.ops.convert_to_numpy(tracker.count)) for tracker in gan.metrics] == [4.0] * len(gan.metrics)
