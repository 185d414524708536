"""Tests for ganlab.recipes: the registry, the recorded settings, and the toy (2D) recipes "gan", "mbstd",
"gan-ttur", the controls "ns-tuned" and "mbstd-tuned", and the toy branch of "wgan-gp"."""

import json

import keras
import numpy as np
import pytest

from ganlab import metrics, models, recipes, runs
from ganlab.training import GAN


def test_toy_wgan_gp_recipe_uses_the_tuned_settings_and_leaves_the_image_recipe_alone():
    toy = recipes.get_recipe("wgan-gp", "ring8")
    image = recipes.get_recipe("wgan-gp", "mnist")
    assert (toy.batch_size, toy.epochs, toy.ema_decay) == (256, 8, 0.999)
    assert (image.batch_size, image.epochs, image.ema_decay) == (64, 20, None)
    gan = recipes.build_gan("wgan-gp", "ring8", seed=0)
    assert gan.loss_name == "wasserstein"
    assert (gan.discriminator_steps, gan.gradient_penalty_weight) == (3, 1.0)
    dense = [layer.units for layer in gan.generator.layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [256, 256, 256, 2]
    # the critic's schedule counts three updates per generator step: it starts decaying at 3 x 2,000
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert gan.d_optimizer._learning_rate.hold_steps == 3 * recipes.TOY_WGAN_GP["hold_steps"]
    assert gan.g_optimizer._learning_rate.hold_steps == recipes.TOY_WGAN_GP["hold_steps"]
    image_gan = recipes.build_gan("wgan-gp", "mnist", seed=0)
    assert (image_gan.discriminator_steps, image_gan.gradient_penalty_weight) == (5, 10.0)


def test_toy_wgan_gp_default_length_is_hold_plus_decay():
    recipe = recipes.get_recipe("wgan-gp", "grid25")
    steps = recipe.epochs * recipes.TOY_STEPS_PER_EPOCH
    assert steps == recipes.TOY_WGAN_GP["hold_steps"] + recipes.TOY_WGAN_GP["decay_steps"]


def test_vanilla_toy_recipes_give_the_generator_the_faster_optimizer():
    for model in ("gan", "mbstd"):
        gan = recipes.build_gan(model, "ring8", seed=0)
        assert float(gan.d_optimizer.learning_rate) == pytest.approx(recipes.TOY_GAN_LEARNING_RATES["discriminator"])
        assert float(gan.g_optimizer.learning_rate) == pytest.approx(recipes.TOY_GAN_LEARNING_RATES["generator"])


def _settings(model):
    return recipes.recipe_settings(recipes.build_gan(model, "ring8", seed=0), recipes.get_recipe(model, "ring8"))


def test_ns_tuned_control_differs_from_the_toy_wgan_gp_only_in_the_loss_and_its_penalty():
    assert recipes.settings_differences(_settings("wgan-gp"), _settings("ns-tuned")) == [
        "training.gradient_penalty_weight: 1.0 -> 0.0", "training.loss: 'wasserstein' -> 'non_saturating'"]
    control, wgan_gp = recipes.get_recipe("ns-tuned", "ring8"), recipes.get_recipe("wgan-gp", "ring8")
    assert (control.batch_size, control.epochs, control.ema_decay) == (wgan_gp.batch_size, wgan_gp.epochs,
                                                                       wgan_gp.ema_decay) == (256, 8, 0.999)


def test_mbstd_tuned_differs_from_ns_tuned_only_in_the_discriminator_feature():
    changed = recipes.settings_differences(_settings("ns-tuned"), _settings("mbstd-tuned"))
    assert [line.split(":")[0] for line in changed] == ["discriminator.params", "discriminator.weight_shapes"]
    assert "[64, 1]" in changed[1] and "[65, 1]" in changed[1]  # one more feature into the logit


def test_gan_ttur_swaps_the_vanilla_learning_rates_and_nothing_else():
    assert recipes.settings_differences(_settings("gan"), _settings("gan-ttur")) == [
        "d_optimizer.learning_rate: 0.0001 -> 0.001", "g_optimizer.learning_rate: 0.001 -> 0.0001"]
    gan = recipes.build_gan("gan-ttur", "grid25", seed=0)
    assert float(gan.d_optimizer.learning_rate) > float(gan.g_optimizer.learning_rate)


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
    assert recipes.TOY_STEPS_PER_EPOCH % recipes.TOY_STEPS_PER_EXECUTION == 0
    for model in ("gan", "mbstd", "gan-ttur", "ns-tuned", "mbstd-tuned", "wgan-gp"):  # toy recipes: fast steps
        assert recipes.build_gan(model, "ring8", seed=0).steps_per_execution == recipes.TOY_STEPS_PER_EXECUTION
    assert recipes.build_gan("wgan-gp", "mnist", seed=0).steps_per_execution == 1


def test_published_configurations_carry_the_papers_defaults():
    kwargs, make = recipes.wgan_gp_config()
    optimizer = make()
    assert kwargs == dict(loss="wasserstein", discriminator_steps=5, gradient_penalty_weight=10.0)
    assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.beta_2) == pytest.approx((1e-4, 0.0, 0.9))
    kwargs, make = recipes.wgan_config()
    assert kwargs["clip_value"] == 0.01 and kwargs["discriminator_steps"] == 5
    assert float(make().learning_rate) == pytest.approx(5e-5)
    kwargs, make = recipes.dcgan_config()
    assert kwargs["loss"] == "non_saturating"
    assert (float(make().learning_rate), make().beta_1) == pytest.approx((2e-4, 0.5))


def test_dcgan_config_takes_another_learning_rate_and_refuses_a_bad_one():
    _, make = recipes.dcgan_config(learning_rate=2e-3)
    assert float(make().learning_rate) == pytest.approx(2e-3)
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        recipes.dcgan_config(learning_rate=0)


def test_the_mnist_dcgan_recipe_takes_r1_and_the_paper_configuration_does_not():
    kwargs, _ = recipes.dcgan_config()
    assert kwargs["r1_weight"] == 0.0  # Radford et al. have no penalty
    assert recipes.dcgan_config(r1_weight=0.5)[0]["r1_weight"] == 0.5
    bad, optimizer = recipes.dcgan_config(r1_weight=-1.0)
    with pytest.raises(ValueError, match="r1_weight must be >= 0"):  # refused where every recipe's gamma is: compile
        GAN(models.dcgan_generator(), models.dcgan_discriminator()).compile(optimizer(), optimizer(), **bad)
    assert recipes.build_gan("dcgan", "mnist").r1_weight == recipes.DCGAN_R1_WEIGHT > 0
    assert recipes.build_gan("cdcgan", "mnist").r1_weight == 0.0
    assert recipes.build_gan("cdcgan", "paintings", size=16).r1_weight == recipes.IMAGE_GAN["r1_weight"] == 0.1
    assert recipes.build_gan("mlp", "mnist").r1_weight == 0.0


def test_a_builder_receives_the_description_of_its_data(monkeypatch):
    seen = []
    monkeypatch.setattr(recipes, "RECIPES", dict(recipes.RECIPES))

    @recipes.register_recipe("probe", "records its data", datasets=("mnist",), conditional=True)
    def probe(data):
        seen.append(data)
        return recipes.RECIPES["cmlp"].builder(data)

    gan = recipes.build_gan("probe", "mnist", seed=0)
    assert seen == [recipes.DataSpec("mnist", "mnist", (28, 28, 1), 10)]
    assert gan.conditional and gan.num_classes == 10
    with pytest.raises(ValueError, match="already registered"):
        recipes.register_recipe("probe", "again", datasets=("mnist",))(probe)
    with pytest.raises(ValueError, match="unknown datasets"):
        recipes.register_recipe("nowhere", "no data", datasets=("paintings",))(probe)


def test_recorded_settings_name_a_changed_toy_tuning(monkeypatch):
    recipe = recipes.get_recipe("wgan-gp", "ring8")
    before = recipes.recipe_settings(recipes.build_gan("wgan-gp", "ring8"), recipe)
    assert json.loads(json.dumps(before)) == before
    monkeypatch.setitem(recipes.TOY_WGAN_GP, "gradient_penalty_weight", 10.0)
    monkeypatch.setitem(recipes.TOY_WGAN_GP, "hold_steps", 1000)
    after = recipes.recipe_settings(recipes.build_gan("wgan-gp", "ring8"), recipe)
    changed = recipes.settings_differences(before, after)
    assert changed == ["d_optimizer.learning_rate.hold_steps: 6000 -> 3000",
                       "g_optimizer.learning_rate.hold_steps: 2000 -> 1000",
                       "training.gradient_penalty_weight: 1.0 -> 10.0"]


def test_train_or_load_refuses_a_run_after_a_toy_tuning_changed_and_names_it(tmp_path, monkeypatch):
    out = tmp_path / "run"
    runs.train_or_load("gan", "ring8", out=out, epochs=1, limit=1024, verbose=0)
    monkeypatch.setitem(recipes.TOY_GAN_LEARNING_RATES, "discriminator", 3e-4)
    with pytest.raises(ValueError, match=r"differs in d_optimizer\.learning_rate: 0\.0001.* -> 0\.0003"):
        runs.train_or_load("gan", "ring8", out=out, epochs=1, limit=1024, verbose=0)


def test_recipe_table_lists_every_recipe_with_its_datasets():
    table = recipes.recipe_table()
    assert [row["name"] for row in table] == list(recipes.RECIPES)
    assert {row["name"]: row["datasets"] for row in table}["wgan-gp"] == ["mnist", "ring8", "grid25"]
    with pytest.raises(ValueError, match="unknown dataset"):
        recipes.get_recipe("gan", "cifar")


# ---------------------------------------------------------------------- image sources


def test_an_image_source_is_described_by_its_crop_size_and_its_number_of_images():
    spec = recipes.get_dataset_spec("paintings")
    assert (spec.kind, spec.shape, spec.num_classes) == ("images", (64, 64, 3), 8)
    assert recipes.get_dataset_spec("great_wave", size=32).shape == (32, 32, 3)
    assert recipes.get_dataset_spec("great_wave").num_classes == 1


@pytest.mark.parametrize("name, size, message", [
    ("paintings", 48, "power of two from 16 to 256"),
    ("mnist", 32, "size applies to image data"),
    ("no_such_painting", None, "Or name one of"),
])
def test_a_bad_image_dataset_or_size_is_refused_with_what_to_pass(name, size, message):
    with pytest.raises(ValueError, match=message):
        recipes.get_dataset_spec(name, size)


def test_the_dcgan_recipes_build_colour_pairs_of_the_asked_size_on_image_sources():
    gan = recipes.build_gan("cdcgan", "paintings", size=32)
    assert gan.generator.output.shape[1:] == (32, 32, 3) and gan.num_classes == 8
    assert gan.discriminator.inputs[0].shape[1:] == (32, 32, 3)
    recipe = recipes.get_recipe("dcgan", "paintings", size=32)
    assert (recipe.batch_size, recipe.epochs, recipe.ema_decay) == (
        recipes.IMAGE_GAN["batch_size"], recipes.IMAGE_GAN["epochs"], recipes.IMAGE_GAN["ema_decay"])


def test_a_changed_image_setting_is_recorded_and_named(monkeypatch):
    before = recipes.recipe_settings(recipes.build_gan("dcgan", "starry_night", size=16),
                                     recipes.get_recipe("dcgan", "starry_night", size=16))
    monkeypatch.setitem(recipes.IMAGE_GAN, "augment", ("translation",))
    monkeypatch.setitem(recipes.IMAGE_GAN, "r1_weight", 1.0)
    after = recipes.recipe_settings(recipes.build_gan("dcgan", "starry_night", size=16),
                                    recipes.get_recipe("dcgan", "starry_night", size=16))
    changed = "\n".join(recipes.settings_differences(before, after))
    assert "training.augment" in changed and "diff_augment_translation" in changed
    assert "training.r1_weight: 0.1 -> 1.0" in changed


# ---- chapter 6: "wgan-gp-cpu", WGAN-GP on MNIST tuned for a CPU budget


def test_wgan_gp_cpu_recipe_trains_the_chapter_6_networks_with_its_tuned_settings():
    recipe = recipes.get_recipe("wgan-gp-cpu", "mnist")
    assert (recipe.batch_size, recipe.epochs, recipe.ema_decay) == (64, 10, 0.999)
    gan = recipes.build_gan("wgan-gp-cpu", "mnist", seed=0)
    assert gan.loss_name == "wasserstein"
    assert (gan.discriminator_steps, gan.gradient_penalty_weight, gan.clip_value) == (2, 10.0, None)
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert (float(optimizer.learning_rate), optimizer.beta_1, optimizer.beta_2) == pytest.approx((1e-3, 0.5, 0.9))
    assert gan.discriminator.name == "wgan_critic"
    assert any(isinstance(layer, keras.layers.LayerNormalization) for layer in gan.discriminator.layers)
    assert gan.generator.count_params() == 784_641  # the DCGAN generator of chapter 5


def test_wgan_gp_cpu_leaves_the_papers_wgan_gp_recipe_as_published():
    paper = recipes.build_gan("wgan-gp", "mnist", seed=0)
    assert (paper.discriminator_steps, paper.gradient_penalty_weight, paper.ema_decay) == (5, 10.0, None)
    assert (float(paper.d_optimizer.learning_rate), paper.d_optimizer.beta_1) == pytest.approx((1e-4, 0.0))
    settings = [recipes.recipe_settings(recipes.build_gan(name, "mnist", seed=0), recipes.get_recipe(name, "mnist"))
                for name in ("wgan-gp", "wgan-gp-cpu")]
    changed = {line.split(":")[0] for line in recipes.settings_differences(*settings)}
    assert {"training.discriminator_steps", "training.ema_decay", "d_optimizer.learning_rate",
            "d_optimizer.beta_1", "g_optimizer.learning_rate", "epochs"} <= changed
    assert "training.gradient_penalty_weight" not in changed


def test_a_short_wgan_gp_cpu_run_records_the_critic_estimate_and_the_penalty(tmp_path):
    gan, history = runs.train("wgan-gp-cpu", "mnist", out=tmp_path / "run", epochs=1, limit=128, verbose=0)
    assert set(history) >= {"d_real", "d_fake", "gradient_penalty"}
    assert np.isfinite(history["gradient_penalty"][0]) and history["gradient_penalty"][0] >= 0
    assert json.loads((tmp_path / "run" / "config.json").read_text())["model"] == "wgan-gp-cpu"


def test_settings_added_later_with_a_none_default_are_no_difference():
    saved = {"batch_size": 64, "training": {"loss": "non_saturating"}}  # recorded before crop_scale existed
    current = {"batch_size": 64, "crop_scale": None, "training": {"loss": "non_saturating", "augment": None}}
    assert recipes.settings_differences(saved, current) == []
    current["training"]["loss"] = "hinge"
    assert recipes.settings_differences(saved, current) == ["training.loss: 'non_saturating' -> 'hinge'"]
    assert recipes.settings_differences({"options": {}}, {"options": {"r1": 1}}) == ["options.r1: '(none)' -> 1"]


def test_the_texture_recipe_holds_its_learning_rate_then_decays_it_to_one_percent():
    def rates(optimizer, steps):
        values = []
        for step in steps:
            optimizer.iterations.assign(step)
            values.append(float(optimizer.learning_rate))
        return values

    rate = recipes.TEXTURE["learning_rate"]
    gan = recipes.build_gan("texture", "starry_night", options=dict(hold_steps=10, decay_steps=20))
    for optimizer in (gan.g_optimizer, gan.d_optimizer):  # one D step per G step: both count generator steps
        assert rates(optimizer, (0, 10, 20, 30, 500)) == pytest.approx([rate, rate, 0.505 * rate, 0.01 * rate,
                                                                        0.01 * rate])
    default = recipes.build_gan("texture", "starry_night")
    hold, decay = recipes.TEXTURE["hold_steps"], recipes.TEXTURE["decay_steps"]
    assert decay > 0 and rates(default.g_optimizer, (hold, hold + decay)) == pytest.approx([rate, 0.01 * rate])
    held = recipes.build_gan("texture", "starry_night", options=dict(decay_steps=0))
    assert rates(held.g_optimizer, (0, 100_000)) == pytest.approx([rate, rate])
    with pytest.raises(ValueError, match="hold_steps and decay_steps must be >= 0"):
        recipes.build_gan("texture", "starry_night", options=dict(decay_steps=-1))


def test_recipe_options_reach_the_builder_and_the_moving_average():
    spectral = recipes.build_gan("wgan-gp-cpu", options=dict(spectral_norm=True))
    assert spectral.gradient_penalty_weight == 0.0 and len(models.spectral_layers(spectral.discriminator)) == 3
    assert recipes.build_gan("wgan-gp-cpu").gradient_penalty_weight == recipes.WGAN_GP_CPU["gradient_penalty_weight"]
    plain = recipes.build_gan("texture", "starry_night", options=dict(ema_decay=None, learning_rate=1e-3))
    assert plain.ema_generator is None and float(plain.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert recipes.build_gan("texture", "starry_night").ema_decay == recipes.TEXTURE["ema_decay"]
    assert recipes.build_gan("texture", "starry_night", options=dict(r1_weight=0.5)).r1_weight == 0.5
    assert recipes.build_gan("texture", "starry_night").r1_weight == recipes.TEXTURE["r1_weight"]
    with pytest.raises(ValueError, match="has no option ema_decay here"):
        recipes.build_gan("dcgan", "mnist", options=dict(ema_decay=None))
