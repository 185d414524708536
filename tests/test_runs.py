import json
import os
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from ganlab import callbacks, datasets, models, recipes, rundir, runs
from ganlab.cppn import is_cppn


def _train_toy(out, **kwargs):
    kwargs.setdefault("epochs", 1)
    return runs.train("gan", "ring8", out=out, verbose=0, limit=2048, **kwargs)


def test_a_run_directory_holds_everything_a_user_needs(tmp_path):
    out = tmp_path / "run"
    _train_toy(out, epochs=2)
    for name in ("config.json", "checkpoint.npz", "generator.keras", "history.csv", "training.gif",
                 "samples/epoch_001.png", "samples/epoch_002.png"):
        assert (out / name).is_file(), name
    config = json.loads((out / "config.json").read_text())
    assert (config["model"], config["dataset"], config["epochs"]) == ("gan", "ring8", 2)
    assert (out / "history.csv").read_text().count("\n") == 3  # header + 2 epochs


def test_an_existing_run_is_never_overwritten(tmp_path):
    out = tmp_path / "run"
    _train_toy(out)
    before = (out / "checkpoint.npz").read_bytes()
    with pytest.raises(ValueError, match="already holds files"):
        _train_toy(out)
    assert (out / "checkpoint.npz").read_bytes() == before


def test_resume_refuses_a_run_made_with_other_settings(tmp_path):
    out = tmp_path / "run"
    _train_toy(out)
    with pytest.raises(ValueError, match="seed"):
        _train_toy(out, resume=True, seed=5)


@pytest.mark.backends  # checkpoints and the NaN guard, on every Keras backend
def test_resume_continues_from_the_saved_epoch(tmp_path):
    out = tmp_path / "run"
    gan, history = _train_toy(out, epochs=1)
    saved = gan.generator.get_weights()
    gan2, history2 = _train_toy(out, epochs=2, resume=True)
    assert len(history2["d_loss"]) == 2 and history2["d_loss"][0] == history["d_loss"][0]
    assert json.loads((out / "config.json").read_text())["epochs"] == 2
    # the resumed run started from the saved weights, then trained one more epoch
    epoch, _ = rundir.load_checkpoint(recipes.build_gan("gan", "ring8"), out / "checkpoint.npz")
    assert epoch == 2
    assert any(not np.allclose(a, b) for a, b in zip(saved, gan2.generator.get_weights()))


@pytest.mark.backends  # checkpoints and the NaN guard, on every Keras backend
def test_checkpoint_restores_networks_optimizers_and_noise_state(tmp_path):
    out = tmp_path / "run"
    gan, _ = _train_toy(out)
    fresh = recipes.build_gan("gan", "ring8", seed=0)
    rundir.load_checkpoint(fresh, out / "checkpoint.npz")
    for a, b in zip(gan.weights + gan.d_optimizer.variables + gan.g_optimizer.variables,
                    fresh.weights + fresh.d_optimizer.variables + fresh.g_optimizer.variables):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


def test_a_checkpoint_from_another_model_is_refused(tmp_path):
    out = tmp_path / "run"
    _train_toy(out)
    with pytest.raises(ValueError, match="different model"):
        rundir.load_checkpoint(recipes.build_gan("mbstd", "ring8"), out / "checkpoint.npz")
    with pytest.raises(ValueError, match="different model"):
        rundir.load_checkpoint(recipes.build_gan("mlp", "mnist"), out / "checkpoint.npz")


def test_a_corrupt_checkpoint_is_reported_not_loaded(tmp_path):
    path = tmp_path / "checkpoint.npz"
    path.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="corrupt"):
        rundir.load_checkpoint(recipes.build_gan("gan", "ring8"), path)


class _Poison(keras.callbacks.Callback):
    """Turn a discriminator weight into NaN at the start of the second epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            weight = self.model.discriminator.trainable_variables[0]
            weight.assign(np.full(weight.shape, np.nan, np.float32))


@pytest.mark.backends  # checkpoints and the NaN guard, on every Keras backend
def test_nan_guard_stops_training_and_keeps_the_last_good_checkpoint(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(callbacks.TrainingDiverged, match="diverged at epoch 2"):
        _train_toy(out, epochs=3, callbacks=[_Poison()])
    epoch, history = rundir.load_checkpoint(recipes.build_gan("gan", "ring8"), out / "checkpoint.npz")
    assert epoch == 1 and all(np.isfinite(history["d_loss"]))
    assert not (out / "samples" / "epoch_002.png").exists()


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_and_loses_at_most_one_epoch(tmp_path):
    out = tmp_path / "run"
    command = [sys.executable, "-m", "ganlab", "train", "--model", "gan", "--dataset", "ring8", "--epochs", "6",
               "--limit", "2048", "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while not (out / "samples" / "epoch_002.png").exists():
        assert process.poll() is None and time.time() < deadline, "training did not get to epoch 2"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)  # no chance to clean up
    process.wait()
    epoch, _ = rundir.load_checkpoint(recipes.build_gan("gan", "ring8"), out / "checkpoint.npz")
    assert epoch >= 1  # the picture of epoch 2 exists, so epoch 1's checkpoint is complete
    result = subprocess.run(command + ["--resume"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    epoch, history = rundir.load_checkpoint(recipes.build_gan("gan", "ring8"), out / "checkpoint.npz")
    assert epoch == 6 and len(history["d_loss"]) == 6
    assert runs.sample(out, 10, seed=0).shape == (10, 2)


def test_sampling_a_run_twice_with_one_seed_gives_the_same_points(tmp_path):
    out = tmp_path / "run"
    _train_toy(out)
    np.testing.assert_array_equal(runs.sample(out, 20, seed=3), runs.sample(out, 20, seed=3))


@pytest.mark.parametrize("model, dataset, message", [
    ("nope", "mnist", "unknown model"),
    ("dcgan", "ring8", "does not train on"),
    ("gan", "cifar", "unknown dataset"),
])
def test_unknown_or_mismatched_names_are_refused(tmp_path, model, dataset, message):
    with pytest.raises(ValueError, match=message):
        runs.train(model, dataset, out=tmp_path / "x")


def test_resume_refuses_a_run_made_with_another_version_of_the_recipe(tmp_path):
    out = tmp_path / "run"
    _train_toy(out)
    config = json.loads((out / "config.json").read_text())
    config["recipe"]["learning_rate"] = 1.0  # as if the recipe had changed since the run was made
    (out / "config.json").write_text(json.dumps(config))
    before = (out / "checkpoint.npz").read_bytes()
    with pytest.raises(ValueError, match="another version of the 'gan' recipe .*learning_rate"):
        runs.train_or_load("gan", "ring8", out=out, verbose=0, limit=2048, epochs=1)
    assert (out / "checkpoint.npz").read_bytes() == before


def test_resume_goes_on_when_only_the_recipes_default_length_or_batch_size_changed(tmp_path):
    out = tmp_path / "run"
    _train_toy(out)
    config = json.loads((out / "config.json").read_text())
    config["recipe"]["epochs"] += 22  # as if the recipe's default length and batch size had changed since
    config["recipe"]["batch_size"] *= 2
    (out / "config.json").write_text(json.dumps(config))
    gan, history = _train_toy(out, resume=True, epochs=2)
    assert len(history["d_loss"]) == 2
    assert json.loads((out / "config.json").read_text())["batch_size"] == config["batch_size"]


def test_resume_refuses_a_run_from_a_ganlab_that_did_not_record_its_recipe(tmp_path):
    out = tmp_path / "run"
    _train_toy(out)
    config = json.loads((out / "config.json").read_text())
    del config["recipe"]
    (out / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="earlier ganlab that did not record"):
        _train_toy(out, resume=True)


@pytest.mark.slow
def test_cppn_recipe_trains_and_saves_a_cppn_run(tmp_path):
    gan, history = runs.train("cppn", "mnist", out=tmp_path / "run", epochs=1, limit=64, verbose=0)
    assert set(history) >= {"d_loss", "g_loss"} and all(np.isfinite(v[0]) for v in history.values())
    generator = models.load_generator(tmp_path / "run")
    assert is_cppn(generator)
    assert gan.discriminator.count_params() == models.dcgan_discriminator(filters=32).count_params()
    samples = runs.sample(tmp_path / "run", 3, seed=1)
    assert samples.shape == (3, 28, 28, 1)
    np.testing.assert_allclose(samples, gan.generate(3, seed=1), atol=1e-5)


def _toy(out, **kwargs):
    kwargs.setdefault("epochs", 1)
    return runs.train_or_load("gan", "ring8", out=out, verbose=0, limit=2048, **kwargs)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A one-epoch toy run, trained once for the tests of this module that only read it."""
    out = tmp_path_factory.mktemp("runs") / "run"
    gan, history = _toy(out)
    return out, gan, history


def test_train_or_load_returns_a_finished_run_without_training(finished_run):
    out, gan, history = finished_run
    checkpoint = (out / "checkpoint.npz").read_bytes()

    gan2, history2 = _toy(out)

    assert (out / "checkpoint.npz").read_bytes() == checkpoint  # nothing was trained or rewritten
    assert history2 == history
    assert all(np.array_equal(a, b) for a, b in zip(gan.generator.get_weights(), gan2.generator.get_weights()))


def test_train_or_load_records_the_training_time_of_every_epoch(finished_run):
    out, _, history = finished_run
    assert len(history["seconds"]) == len(history["d_loss"]) == 1
    assert 0 < history["seconds"][0] < 600
    assert "seconds" in (out / "history.csv").read_text().splitlines()[0]


def test_train_or_load_refuses_a_run_made_with_other_settings(finished_run):
    out, _, _ = finished_run
    with pytest.raises(ValueError, match="seed"):
        _toy(out, seed=5)


def test_train_or_load_continues_a_run_asked_for_more_epochs(finished_run, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(finished_run[0], out)
    _, history = _toy(out, epochs=2)
    assert len(history["d_loss"]) == len(history["seconds"]) == 2
    assert history["d_loss"][0] == finished_run[2]["d_loss"][0]
    assert json.loads((out / "config.json").read_text())["epochs"] == 2


def test_train_or_load_decides_resume_itself(tmp_path):
    with pytest.raises(TypeError, match="resume"):
        runs.train_or_load("gan", "ring8", out=tmp_path / "run", resume=True)




def test_a_run_on_image_crops_trains_whole_epochs_of_steps_and_refuses_another_size_on_resume(tmp_path):
    gan, history = runs.train("cdcgan", "paintings", out=tmp_path, steps=3, batch_size=4, size=16, verbose=0)
    config = rundir.RunDir(tmp_path).read_config()
    assert config["shape"] == [16, 16, 3] and config["steps_per_epoch"] == recipes.IMAGE_STEPS_PER_EPOCH
    assert config["epochs"] == 1 and len(history["g_loss"]) == 1
    with pytest.raises(ValueError, match=r"shape=\[16, 16, 3\], not \[32, 32, 3\]"):
        runs.train("cdcgan", "paintings", out=tmp_path, steps=3, batch_size=4, size=32, verbose=0, resume=True)


def test_limit_is_refused_for_an_image_source(tmp_path):
    with pytest.raises(ValueError, match="limit applies to mnist and 2D data"):
        runs.train("dcgan", "starry_night", out=tmp_path, steps=1, size=16, limit=10, verbose=0)


def test_a_run_records_its_options_and_refuses_to_resume_with_others(tmp_path):
    options = dict(augment=("translation", "cutout"), d_learning_rate=4e-3)
    runs.train("dcgan", "starry_night", out=tmp_path, steps=1, batch_size=4, size=16, verbose=0, options=options)
    config = rundir.RunDir(tmp_path).read_config()
    assert config["options"] == dict(augment=["translation", "cutout"], d_learning_rate=4e-3)
    assert config["recipe"]["d_optimizer"]["learning_rate"] == 4e-3
    assert config["recipe"]["g_optimizer"]["learning_rate"] == recipes.IMAGE_GAN["learning_rate"]
    runs.train("dcgan", "starry_night", out=tmp_path, steps=1, batch_size=4, size=16, verbose=0, options=options,
               resume=True)  # the same options: the finished run comes back
    with pytest.raises(ValueError, match="options="):
        runs.train("dcgan", "starry_night", out=tmp_path, steps=1, batch_size=4, size=16, verbose=0, resume=True)


def test_an_option_the_recipe_does_not_take_is_refused_with_the_choices(tmp_path):
    with pytest.raises(ValueError, match="no option spectral_norm here; it takes none"):
        runs.train("gan", "ring8", out=tmp_path, epochs=1, options=dict(spectral_norm=True))
    with pytest.raises(ValueError, match="no option width here; it takes learning_rate, d_learning_rate"):
        runs.train("dcgan", "paintings", out=tmp_path, steps=1, size=16, options=dict(width=3))


def test_a_time_limited_run_stops_records_where_and_comes_back_finished(tmp_path):
    gan, history = runs.train("dcgan", "starry_night", out=tmp_path, epochs=50, batch_size=4, size=16, verbose=0,
                              time_limit=0.5)
    config = rundir.RunDir(tmp_path).read_config()
    assert config["time_limit"] == 0.5 and 1 <= config["epochs"] < 50
    assert len(history["g_loss"]) == config["epochs"]
    again, history_again = runs.train_or_load("dcgan", "starry_night", out=tmp_path, batch_size=4, size=16,
                                              verbose=0, time_limit=0.5)
    assert history_again["g_loss"] == history["g_loss"]  # nothing trained on
    with pytest.raises(ValueError, match="time_limit=0.5, not 1"):
        runs.train_or_load("dcgan", "starry_night", out=tmp_path, batch_size=4, size=16, verbose=0, time_limit=1)


def test_resume_refuses_a_run_whose_checkpoint_is_missing_and_leaves_its_generator_alone(tmp_path):
    runs.train("gan", "ring8", out=tmp_path, epochs=1, limit=512, verbose=0)
    (tmp_path / "checkpoint.npz").unlink()
    trained = (tmp_path / "generator.keras").read_bytes()
    with pytest.raises(ValueError, match="no checkpoint.npz.*would overwrite the trained generator"):
        runs.train("gan", "ring8", out=tmp_path, epochs=2, limit=512, verbose=0, resume=True)
    assert (tmp_path / "generator.keras").read_bytes() == trained


def test_a_run_directory_is_trained_into_by_one_process_at_a_time(tmp_path):
    with rundir.RunDir(tmp_path).owned():
        with pytest.raises(ValueError, match="is in use: another ganlab process"):
            runs.train("gan", "ring8", out=tmp_path, epochs=1, limit=512, verbose=0)
    runs.train("gan", "ring8", out=tmp_path, epochs=1, limit=512, verbose=0)  # released: it trains
    assert rundir.RunDir(tmp_path).trained()


def test_a_start_that_never_finished_an_epoch_can_be_started_again(tmp_path):
    rundir.RunDir(tmp_path).write_config(dict(model="gan", dataset="ring8"))
    (tmp_path / "samples").mkdir()
    runs.train("gan", "ring8", out=tmp_path, epochs=1, limit=512, verbose=0)
    assert rundir.RunDir(tmp_path).read_config()["epochs"] == 1


def test_a_file_given_as_run_directory_is_named_as_a_file(tmp_path):
    path = tmp_path / "not_a_dir"
    path.write_text("x")
    with pytest.raises(ValueError, match="is a file, not a run directory"):
        runs.train("gan", "ring8", out=path, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="is a file, not a run directory"):
        runs.sample(path, 2)


def test_a_toy_run_draws_its_training_points_once_and_records_its_versions(tmp_path, monkeypatch):
    draws = []
    draw = datasets.ToyDistribution.sample
    monkeypatch.setattr(datasets.ToyDistribution, "sample", lambda self, n, seed=None: draws.append(n) or
                        draw(self, n, seed=seed))
    runs.train("gan", "ring8", out=tmp_path, epochs=1, verbose=0)
    assert draws.count(runs.TOY_POINTS) == 1  # one draw feeds the batches and the plots of real points
    versions = rundir.RunDir(tmp_path).read_config()["versions"]
    assert versions == rundir.installed_versions() and versions["keras"] == keras.__version__
