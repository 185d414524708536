"""Tests for ganlab.backends: the gradients of the running Keras backend.

These tests, test_losses, test_training and the checkpoint tests of test_runs carry the ``backends`` marker: ``make test``
runs them once more on each other Keras backend (``KERAS_BACKEND=torch pytest -m backends``), so
the numbers below, computed by hand or in numpy, are checked on every backend: they agree across
backends because each must agree with them.
"""

import importlib.util

import keras
import numpy as np
import pytest

from ganlab import backends, datasets
from ganlab.training import GAN

pytestmark = pytest.mark.backends


def test_loss_and_gradients_differentiates_the_loss_and_passes_aux_through():
    variable = keras.Variable(np.array([1.0, -2.0, 3.0], np.float32))
    loss, aux, (grad,) = backends.get().loss_and_gradients(lambda: (keras.ops.sum(variable ** 2), "aux"), [variable])
    assert float(loss) == pytest.approx(14.0) and aux == "aux"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), [2.0, -4.0, 6.0])  # d/dv sum v^2 = 2 v


def test_input_gradient_is_each_examples_gradient_of_its_own_score():
    x = keras.ops.convert_to_tensor(np.array([[1.0, 2.0], [3.0, -1.0]], np.float32))
    grad = backends.get().input_gradient(lambda t: keras.ops.sum(t ** 3, axis=1), x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), 3 * keras.ops.convert_to_numpy(x) ** 2)


def test_input_gradient_can_be_differentiated_again_with_respect_to_the_variables():
    v = keras.Variable(np.array([0.5, -2.0], np.float32))
    x = keras.ops.convert_to_tensor(np.array([[1.0, 2.0], [3.0, -1.0]], np.float32))

    def loss_fn():  # d/dt sum(v t^2) = 2 v t, summed over the batch: 2 v sum(x), whose gradient in v is 2 sum(x)
        return keras.ops.sum(backends.get().input_gradient(lambda t: keras.ops.sum(v * t ** 2, axis=1), x)), None

    loss, _, (grad,) = backends.get().loss_and_gradients(loss_fn, [v])
    assert float(loss) == pytest.approx(2 * (0.5 * 4.0 - 2.0 * 1.0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), [8.0, 2.0])


def test_assignments_made_while_differentiating_take_effect():
    seed_generator = keras.random.SeedGenerator(3)
    state_before = keras.ops.convert_to_numpy(seed_generator.state).copy()
    counter = keras.Variable(0.0, trainable=False)
    weight = keras.Variable(np.array([1.0, 2.0], np.float32))

    def score(t):  # counts its calls, like a batch-norm layer updating its statistics
        counter.assign(counter + 1.0)
        return keras.ops.sum(t, axis=1)

    def loss_fn():
        noise = keras.random.normal((2,), seed=seed_generator)
        counter.assign(counter + 1.0)
        inner = backends.get().input_gradient(score, keras.ops.ones((3, 2)))
        return keras.ops.sum(weight * noise) + 0.0 * keras.ops.sum(inner), noise

    _, noise, (grad,) = backends.get().loss_and_gradients(loss_fn, [weight])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), keras.ops.convert_to_numpy(noise))
    assert float(keras.ops.convert_to_numpy(counter)) == 2.0  # once in loss_fn, once in the input gradient's fn
    assert not np.array_equal(keras.ops.convert_to_numpy(seed_generator.state), state_before)  # the draw moved it


def test_an_input_gradient_can_be_differentiated_again_with_respect_to_the_weights():
    w = keras.Variable(np.array([1.5, -0.5], np.float32))
    x = keras.ops.convert_to_tensor(np.array([[1.0, 2.0], [0.5, -1.0]], np.float32))

    def penalty():  # D(x) = (w . x)^2 has grad_x D = 2 (w . x) w; the penalty is mean ||grad_x D||^2
        grad = backends.get().input_gradient(lambda t: keras.ops.sum(t * w, axis=1) ** 2, x)
        return keras.ops.mean(keras.ops.sum(grad ** 2, axis=1)), None

    # mean over x of 4 (w . x)^2 ||w||^2; its gradient in w: mean of 8 (w . x) x ||w||^2 + 8 (w . x)^2 w
    wn, xn = np.array([1.5, -0.5]), keras.ops.convert_to_numpy(x).astype(np.float64)
    s = xn @ wn
    expected = np.mean(8 * s[:, None] * xn * (wn @ wn) + 8 * (s ** 2)[:, None] * wn, axis=0)
    loss, _, (grad,) = backends.get().loss_and_gradients(penalty, [w])
    assert float(loss) == pytest.approx(np.mean(4 * s ** 2 * (wn @ wn)), rel=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grad), expected, rtol=1e-5)


def test_the_running_backend_is_one_ganlab_has_and_every_listed_module_has_the_seam():
    assert keras.backend.backend() in backends.available()
    for name in backends.available():
        if importlib.util.find_spec(name) is None:  # each backend's library has the backend's name
            continue  # not installed here, so its module cannot be imported; the others are checked
        module = importlib.import_module(f"ganlab.backends.{name}")
        assert callable(module.loss_and_gradients) and callable(module.input_gradient)
        assert isinstance(module.MULTI_STEP_EXECUTION, bool)


# ---------------------------------------------------------------------- one training step, checked in numpy


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class _FixedLatents(GAN):
    """A GAN that draws its latents from a given list, so that every backend sees the same ones."""

    def __init__(self, *args, latents, **kwargs):
        super().__init__(*args, **kwargs)
        self.latent_stream = iter(latents)

    def sample_latents(self, batch_size):
        return keras.ops.convert_to_tensor(next(self.latent_stream)), None


def _reference_step(real, latents, generator, critic, lr, smoothing, gp_weight, r1_weight, clip, steps):
    """One train step of a linear generator (z W + c) and a linear critic (x w + b), by hand, in float64.

    The critic's input gradient is w everywhere, so the gradient penalty is lambda (||w|| - 1)^2 whatever
    the mixing coefficients, and R1 is gamma / 2 ||w||^2. Returns the logs and the new weights.
    """
    (kernel_g, bias_g), (w, b) = [a.astype(np.float64) for a in generator], [a.astype(np.float64) for a in critic]
    real = real.astype(np.float64)
    n, target = len(real), 1.0 - smoothing
    for step in range(steps):
        fake = latents[step] @ kernel_g + bias_g
        r, f = real @ w + b, fake @ w + b
        norm = np.linalg.norm(w)
        logs = dict(gradient_penalty=gp_weight * (norm - 1.0) ** 2, r1_penalty=0.5 * r1_weight * norm ** 2,
                    d_real=np.mean(_sigmoid(r)), d_fake=np.mean(_sigmoid(f)))
        logs["d_loss"] = (np.mean(target * _softplus(-r) + (1 - target) * _softplus(r)) + np.mean(_softplus(f))
                          + logs["gradient_penalty"] + logs["r1_penalty"])
        d_r, d_f = (_sigmoid(r) - target) / n, _sigmoid(f) / n  # dL_D / d logit
        grad_w = real.T @ d_r + fake.T @ d_f + gp_weight * 2 * (norm - 1.0) * w / norm + r1_weight * w
        grad_b = np.sum(d_r) + np.sum(d_f)
        w, b = np.clip(w - lr * grad_w, -clip, clip), np.clip(b - lr * grad_b, -clip, clip)
    z = latents[steps]
    f = (z @ kernel_g + bias_g) @ w + b
    logs["g_loss"] = np.mean(_softplus(-f))
    d_point = (-_sigmoid(-f) / n) @ w.T  # dL_G / d(generated point)
    kernel_g, bias_g = kernel_g - lr * z.T @ d_point, bias_g - lr * np.sum(d_point, axis=0)
    return logs, [kernel_g, bias_g], [w, b]


def test_one_training_step_with_every_option_matches_the_step_computed_in_numpy():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(8, 2)).astype(np.float32)
    steps = 2
    latents = [rng.normal(size=(8, 2)).astype(np.float32) for _ in range(steps + 1)]
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    generator.set_weights([np.array([[0.8, -0.3], [0.2, 1.1]], np.float32), np.array([0.1, -0.2], np.float32)])
    critic.set_weights([np.array([[0.7], [-1.3]], np.float32), np.array([0.05], np.float32)])
    start_g, start_d = generator.get_weights(), critic.get_weights()
    settings = dict(smoothing=0.1, gp_weight=1.0, r1_weight=0.5, clip=1.0, steps=steps, lr=0.1)
    gan = _FixedLatents(generator, critic, seed=0, ema_decay=0.9, latents=latents)
    gan.compile(keras.optimizers.SGD(settings["lr"]), keras.optimizers.SGD(settings["lr"]), loss="non_saturating",
                label_smoothing=settings["smoothing"], gradient_penalty_weight=settings["gp_weight"],
                r1_weight=settings["r1_weight"], clip_value=settings["clip"], discriminator_steps=steps)
    history = gan.fit(datasets.make_dataset(real, batch_size=8, seed=0), epochs=1, verbose=0).history

    logs, want_g, want_d = _reference_step(real, latents, start_g, start_d, **settings)
    unclipped = _reference_step(real, latents, start_g, start_d, **dict(settings, clip=np.inf))[2]
    assert not np.allclose(want_d[0], unclipped[0])  # the clip is active: the test checks clipping too
    assert set(history) == set(logs)
    for name, value in logs.items():
        assert history[name][0] == pytest.approx(value, rel=1e-4, abs=1e-6), name
    for got, want in zip(generator.get_weights() + critic.get_weights(), want_g + want_d):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    # the moving average after its first update (decay warms up to 1 / 10): 0.1 before + 0.9 after
    for average, before, after in zip(gan.ema_generator.get_weights(), start_g, want_g):
        np.testing.assert_allclose(average, 0.1 * before + 0.9 * after, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------- a run moves between backends


@pytest.mark.torch
def test_a_run_trained_on_another_backend_resumes_on_this_one_and_records_each(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from ganlab import rundir, runs

    here = keras.backend.backend()
    other = "torch" if here == "tensorflow" else "tensorflow"
    out = tmp_path / "run"
    train = ("from ganlab import runs; runs.train('gan', 'ring8', out={out!r}, epochs=1, limit=512, verbose=0)"
             .format(out=str(out)))
    env = dict(os.environ, KERAS_BACKEND=other, OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", train], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads((out / "config.json").read_text())["backend"] == other

    gan, history = runs.train("gan", "ring8", out=out, epochs=2, limit=512, verbose=0, resume=True)
    assert len(history["d_loss"]) == 2 and np.isfinite(history["d_loss"]).all()
    assert json.loads((out / "config.json").read_text())["backend"] == here
    epoch, _ = rundir.load_checkpoint(gan, out / "checkpoint.npz")
    assert epoch == 2
    assert runs.sample(out, 5, seed=0).shape == (5, 2)
