"""Tests for the toy (2D) recipes of ganlab.runs: "gan", "mbstd" and the toy branch of "wgan-gp"."""

import json

import keras
import numpy as np
import pytest

from ganlab import metrics, runs


def test_hold_then_decay_holds_then_decays_linearly_to_one_percent():
    schedule = runs.HoldThenDecay(1e-3, hold_steps=100, decay_steps=50)
    values = [float(schedule(step)) for step in (0, 100, 125, 150, 1000)]
    assert values == pytest.approx([1e-3, 1e-3, 1e-3 * (1 - 0.99 * 0.5), 1e-5, 1e-5], rel=1e-5)
    assert runs.HoldThenDecay(**schedule.get_config()).get_config() == schedule.get_config()


def test_toy_wgan_gp_recipe_uses_the_tuned_settings_and_leaves_the_image_recipe_alone():
    toy = runs.get_recipe("wgan-gp", "ring8")
    image = runs.get_recipe("wgan-gp", "mnist")
    assert (toy.batch_size, toy.epochs, toy.ema_decay) == (256, 8, 0.999)
    assert (image.batch_size, image.epochs, image.ema_decay) == (64, 20, None)
    gan = runs.build_gan("wgan-gp", "ring8", seed=0)
    assert gan.loss_name == "wasserstein"
    assert (gan.discriminator_steps, gan.gradient_penalty_weight) == (3, 1.0)
    dense = [layer.units for layer in gan.generator.layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [256, 256, 256, 2]
    # the critic's schedule counts three updates per generator step: it starts decaying at 3 x 2,000
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert gan.d_optimizer._learning_rate.hold_steps == 3 * runs.TOY_WGAN_GP["hold_steps"]
    assert gan.g_optimizer._learning_rate.hold_steps == runs.TOY_WGAN_GP["hold_steps"]
    image_gan = runs.build_gan("wgan-gp", "mnist", seed=0)
    assert (image_gan.discriminator_steps, image_gan.gradient_penalty_weight) == (5, 10.0)


def test_toy_wgan_gp_default_length_is_hold_plus_decay():
    recipe = runs.get_recipe("wgan-gp", "grid25")
    steps = recipe.epochs * runs.TOY_STEPS_PER_EPOCH
    assert steps == runs.TOY_WGAN_GP["hold_steps"] + runs.TOY_WGAN_GP["decay_steps"]


def test_vanilla_toy_recipes_give_the_generator_the_faster_optimizer():
    for model in ("gan", "mbstd"):
        gan = runs.build_gan(model, "ring8", seed=0)
        assert float(gan.d_optimizer.learning_rate) == pytest.approx(runs.TOY_GAN_LEARNING_RATES["discriminator"])
        assert float(gan.g_optimizer.learning_rate) == pytest.approx(runs.TOY_GAN_LEARNING_RATES["generator"])


def test_a_short_toy_wgan_gp_run_writes_the_recipe_batch_size_and_samples_from_the_average(tmp_path):
    gan, history = runs.train("wgan-gp", "ring8", out=tmp_path / "run", epochs=1, limit=2048, verbose=0)
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert (config["batch_size"], config["epochs"], config["steps_per_epoch"]) == (256, 1, 500)
    assert len(history["gradient_penalty"]) == 1
    samples = runs.sample(tmp_path / "run", 500, seed=0)
    np.testing.assert_allclose(samples, gan.ema_generator.predict(
        np.random.default_rng(0).standard_normal((500, 2)).astype("float32"), verbose=0), atol=1e-5)
    assert metrics.toy_metrics(samples, "ring8").modes >= 1  # 500 steps already reach the ring


@pytest.mark.slow
def test_toy_wgan_gp_recipe_covers_every_ring8_mode_with_sharp_samples(tmp_path):
    gan, _ = runs.train("wgan-gp", "ring8", out=tmp_path / "run", seed=0, verbose=0)
    scores = metrics.toy_metrics(runs.sample(tmp_path / "run", 2500, seed=0), "ring8")
    assert scores.modes == 8
    assert scores.high_quality >= 0.9


def test_toy_recipes_run_whole_executions_per_epoch():
    assert runs.TOY_STEPS_PER_EPOCH % runs.TOY_STEPS_PER_EXECUTION == 0
    for model in runs.TOY_RECIPES_WITH_FAST_STEPS:
        assert runs.build_gan(model, "ring8", seed=0).steps_per_execution == runs.TOY_STEPS_PER_EXECUTION
    assert runs.build_gan("wgan-gp", "mnist", seed=0).steps_per_execution == 1
