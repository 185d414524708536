"""Tests for ganlab.cli: every command, its one-line errors and exit codes."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from ganlab import __version__, cli, latent, models, recipes, runs, viz
from ganlab.cppn import cppn_generator, render_cppn
from ganlab.cli import main


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    runs.train("gan", "ring8", out=out, epochs=1, limit=1024, verbose=0)
    return out


def _one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert err.startswith("ganlab: error:") and "\n" not in err and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("argv, message", [
    (["train", "--model", "nope", "--dataset", "mnist", "--out", "x"], "invalid choice"),
    (["train", "--model", "dcgan", "--dataset", "ring8", "--out", "x"], "does not train on"),
    (["train", "--model", "gan", "--dataset", "ring8", "--epochs", "0", "--out", "x"], "positive integer"),
    (["train", "--model", "gan", "--dataset", "ring8", "--epochs", "2", "--steps", "5", "--out", "x"],
     "not allowed with"),
    (["sample", "does/not/exist", "--n", "3", "--out", "a.npz"], "does not exist"),
    (["frobnicate"], "invalid choice"),
    (["train", "--model", "dcgan", "--dataset", "no/such/folder", "--out", "x"], "no such file or folder"),
    (["train", "--model", "dcgan", "--dataset", "paintings", "--size", "48", "--out", "x"], "power of two"),
    (["train", "--model", "dcgan", "--dataset", "mnist", "--size", "32", "--out", "x"], "size applies to image data"),
    (["train", "--model", "gan", "--dataset", "paintings", "--out", "x"], "does not train on"),
    (["train", "--model", "gan", "--dataset", "ring8", "--seed", "-5", "--out", "x"], "argument --seed: a seed must"),
    (["train", "--model", "gan", "--dataset", "ring8", "--seed", str(2**32), "--out", "x"], "argument --seed"),
    (["sample", "x", "--n", "3", "--seed", "-1", "--out", "a.npz"], "argument --seed: a seed must be from 0"),
    (["train", "--model", "dcgan", "--dataset", "paintings", "--size", "256", "--batch-size", "10000000",
      "--out", "x"], "use a smaller --batch-size"),
])
def test_bad_arguments_print_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in _one_line_error(capsys)


def test_train_refuses_a_directory_that_holds_a_run(toy_run, capsys):
    assert main(["train", "--model", "gan", "--dataset", "ring8", "--out", str(toy_run)]) == 2
    assert "--resume" in _one_line_error(capsys)


def test_a_corrupt_generator_gives_exit_2(toy_run, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((toy_run / "config.json").read_text())
    (broken / "generator.keras").write_bytes(b"\x00" * 10)
    assert main(["sample", str(broken), "--n", "3", "--out", str(tmp_path / "a.npz")]) == 2
    assert "generator.keras is truncated or corrupt" in _one_line_error(capsys)
    (broken / "generator.keras").write_bytes((toy_run / "generator.keras").read_bytes()[:3000])  # a cut-off copy
    assert main(["sample", str(broken), "--n", "3", "--out", str(tmp_path / "a.npz")]) == 2
    assert "generator.keras is truncated or corrupt" in _one_line_error(capsys)


@pytest.mark.parametrize("text", ["[1, 2]", '{"model": "gan",', "{}"])
def test_a_malformed_config_gives_one_line_and_exit_2(toy_run, tmp_path, capsys, text):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text(text)
    assert main(["sample", str(broken), "--n", "3", "--out", str(tmp_path / "a.npz")]) == 2
    assert "config.json is" in _one_line_error(capsys)
    argv = ["train", "--model", "gan", "--dataset", "ring8", "--steps", "1", "--out", str(broken), "--resume"]
    assert main(argv) == 2
    assert "config.json is" in _one_line_error(capsys)


def test_sizes_the_machine_cannot_hold_are_refused_before_any_work(toy_run, run_dirs, tmp_path, capsys):
    assert main(["sample", str(toy_run), "--n", str(10**13), "--out", str(tmp_path / "a.npz")]) == 2
    assert "GiB available; draw fewer" in _one_line_error(capsys)
    argv = ["interpolate", run_dirs["cppn"], "--from", "1", "--to", "2", "--frames", "2000", "--size", "8192",
            "--out", str(tmp_path / "w.gif")]
    assert main(argv) == 2
    assert "use fewer --frames" in _one_line_error(capsys)
    assert not (tmp_path / "a.npz").exists() and not (tmp_path / "w.gif").exists()


def test_mnist_labels_outside_the_digits_give_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    import gzip

    def write_idx(path, array):
        header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
        with gzip.open(path, "wb") as stream:
            stream.write(header + array.astype(np.uint8).tobytes())

    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((8, 28, 28)))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.arange(8) + 5)  # 10, 11, 12: no digit
    monkeypatch.setenv("GANLAB_DATA_DIR", str(tmp_path))
    argv = ["train", "--model", "cdcgan", "--dataset", "mnist", "--steps", "1", "--out", str(tmp_path / "run")]
    assert main(argv) == 2
    assert "MNIST's labels are the digits 0-9" in _one_line_error(capsys)


def test_a_corrupt_checkpoint_gives_exit_2_on_resume(toy_run, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((toy_run / "config.json").read_text())
    (broken / "checkpoint.npz").write_bytes(b"junk")
    argv = ["train", "--model", "gan", "--dataset", "ring8", "--limit", "1024", "--out", str(broken), "--resume"]
    assert main(argv) == 2
    assert "corrupt" in _one_line_error(capsys)


def test_sample_writes_float32_points_and_one_seed_gives_one_result(toy_run, tmp_path):
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    assert main(["sample", str(toy_run), "--n", "7", "--seed", "4", "--out", str(first)]) == 0
    assert main(["sample", str(toy_run), "--n", "7", "--seed", "4", "--out", str(second)]) == 0
    a, b = np.load(first)["samples"], np.load(second)["samples"]
    assert a.shape == (7, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)


def test_evaluate_scores_points_against_the_mixture_their_run_trained_on(toy_run, tmp_path, capsys):
    samples = tmp_path / "s.npz"
    assert main(["sample", str(toy_run), "--n", "500", "--out", str(samples)]) == 0
    assert str(np.load(samples)["dataset"]) == "ring8"  # `sample` records the run's dataset
    capsys.readouterr()
    assert main(["evaluate", str(samples)]) == 0
    scored = capsys.readouterr()
    assert scored.err == "" and json.loads(scored.out)["modes"] <= 8
    assert main(["evaluate", str(samples), "--dataset", "grid25"]) == 2
    assert "differs from the dataset 'ring8' these samples were drawn for" in _one_line_error(capsys)
    bare = tmp_path / "bare.npz"
    np.savez(bare, samples=np.load(samples)["samples"])  # points without their dataset: ring8, with a warning
    assert main(["evaluate", str(bare)]) == 0
    assert "scored against ring8 (the default); pass --dataset" in capsys.readouterr().err


@pytest.mark.parametrize("images, message", [
    (np.random.default_rng(0).uniform(0, 1, (200, 28, 28, 1)).astype(np.float32), "convert them with 2 * x - 1"),
    (np.random.default_rng(0).integers(0, 2, (200, 28, 28, 1)).astype(np.uint8), "holds uint8 values from 0 to 1"),
])
def test_evaluate_refuses_images_in_0_1_or_integers(tmp_path, capsys, images, message):
    np.savez(tmp_path / "s.npz", samples=images)
    assert main(["evaluate", str(tmp_path / "s.npz")]) == 2
    assert message in _one_line_error(capsys)


def test_sample_refuses_an_output_that_is_not_npz(toy_run, capsys):
    assert main(["sample", str(toy_run), "--n", "3", "--out", "x.csv"]) == 2
    assert ".npz" in _one_line_error(capsys)


def test_python_dash_m_ganlab_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "ganlab", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"ganlab {__version__}"


def _fake_run(directory, model, dataset, generator):
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps(dict(model=model, dataset=dataset, seed=0)))
    generator.save(directory / "generator.keras")
    return str(directory)


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    keras.utils.set_random_seed(0)
    return dict(
        cppn=_fake_run(root / "cppn", "cppn", "mnist", cppn_generator(latent_dim=8, hidden=16)),
        dcgan=_fake_run(root / "dcgan", "dcgan", "mnist", models.dcgan_generator(latent_dim=8, filters=4)),
        cdcgan=_fake_run(root / "cdcgan", "cdcgan", "mnist",
                         models.dcgan_generator(latent_dim=8, filters=4, num_classes=10)),
        toy=_fake_run(root / "toy", "gan", "ring8", models.toy_generator()),
    )


def test_cli_render_writes_a_png_of_the_requested_size(run_dirs, tmp_path, capsys):
    out = tmp_path / "art.png"
    assert cli.main(["render", run_dirs["cppn"], "--size", "64", "--seed", "3", "--out", str(out)]) == 0
    with Image.open(out) as png:
        assert png.size == (64, 64)
        picture = np.asarray(png)
    generator = models.load_generator(run_dirs["cppn"])
    expected = viz.to_uint8(render_cppn(generator, latent.seed_latents([3], 8)[0], size=64))[..., 0]
    np.testing.assert_array_equal(picture, expected)
    assert "64x64" in capsys.readouterr().out


def test_cli_interpolate_writes_a_gif_with_the_requested_frames(run_dirs, tmp_path):
    out = tmp_path / "walk.gif"
    assert cli.main(["interpolate", run_dirs["cdcgan"], "--from", "1", "--to", "2", "--frames", "5",
                     "--label", "4", "--out", str(out)]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 5
        assert gif.size == (28 * 4, 28 * 4)
    out = tmp_path / "cppn.gif"
    assert cli.main(["interpolate", run_dirs["cppn"], "--from", "0", "--to", "9", "--frames", "3", "--size", "40",
                     "--palette", "magma", "--out", str(out)]) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 3 and gif.size == (40, 40)


@pytest.mark.parametrize("args, message", [
    (["render", "{cppn}", "--size", "4", "--out", "a.png"], "between 8 and 8192"),
    (["render", "{cppn}", "--size", "9000", "--out", "a.png"], "between 8 and 8192"),
    (["render", "{cppn}", "--size", "big", "--out", "a.png"], "positive integer"),
    (["render", "{cppn}", "--seed", "-3", "--out", "a.png"], "a seed must be from 0 to 4294967295"),
    (["render", "{cppn}", "--out", "a.jpg"], ".png"),
    (["render", "{dcgan}", "--out", "a.png"], "only a CPPN run"),
    (["render", "{toy}", "--out", "a.png"], "2D points"),
    (["render", "{cppn}", "--palette", "no-such-palette", "--out", "a.png"], "palette"),
    (["render", "/no/such/run", "--out", "a.png"], "does not exist"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--frames", "1", "--out", "w.gif"], "between 2"),
    (["interpolate", "{dcgan}", "--from", "-1", "--to", "2", "--out", "w.gif"], "a seed must be from 0 to 4294967295"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--out", "w.png"], ".gif"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--size", "64", "--out", "w.gif"], "needs a CPPN"),
    (["interpolate", "{dcgan}", "--from", "1", "--to", "2", "--label", "3", "--out", "w.gif"], "conditional"),
    (["interpolate", "{cdcgan}", "--from", "1", "--to", "2", "--label", "12", "--out", "w.gif"], "0..9"),
    (["interpolate", "{toy}", "--from", "1", "--to", "2", "--out", "w.gif"], "2D points"),
    (["interpolate", "{dcgan}", "--to", "2", "--out", "w.gif"], "--from"),
])
def test_cli_art_commands_reject_bad_arguments_with_exit_code_2(run_dirs, tmp_path, monkeypatch, capsys, args,
                                                                message):
    monkeypatch.chdir(tmp_path)
    argv = [a.format(**run_dirs) for a in args]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganlab: error:") and message in err
    assert len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())  # nothing written


def test_cli_train_accepts_the_cppn_recipe():
    args = cli.build_parser().parse_args(["train", "--model", "cppn", "--dataset", "mnist", "--out", "runs/cppn"])
    assert args.model == "cppn" and args.model in recipes.RECIPES
    assert recipes.get_recipe("cppn", "mnist").datasets == ("mnist",)
    with pytest.raises(ValueError, match="does not train"):
        recipes.get_recipe("cppn", "ring8")


def test_train_help_lists_exactly_the_registry_recipes_and_ganlab_recipes_prints_each(capsys):
    parser = cli.build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    model = next(action for action in train._actions if action.dest == "model")
    assert list(model.choices) == list(recipes.RECIPES)
    dataset = next(action for action in train._actions if action.dest == "dataset")
    assert all(name in dataset.help for name in recipes.DATASETS) and recipes.IMAGE_SOURCES_HELP in dataset.help
    assert main(["recipes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(recipes.RECIPES)
    for line, recipe in zip(lines, recipes.RECIPES.values()):
        assert recipe.description in line and ", ".join(recipe.datasets) in line


def test_help_and_recipes_do_not_import_tensorflow_or_keras():
    code = ("import sys; from ganlab.cli import main; main(['recipes']); "
            "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def painting_run(tmp_path_factory):
    """A conditional colour run of two steps on 16 x 16 crops of the eight paintings."""
    out = tmp_path_factory.mktemp("cli") / "paintings"
    assert main(["train", "--model", "cdcgan", "--dataset", "paintings", "--size", "16", "--steps", "2",
                 "--batch-size", "8", "--out", str(out)]) == 0
    return out


def test_sample_of_a_colour_run_draws_the_asked_painting_at_the_trained_size(painting_run, tmp_path):
    out = tmp_path / "s.npz"
    assert main(["sample", str(painting_run), "--n", "6", "--label", "7", "--out", str(out)]) == 0
    samples = np.load(out)["samples"]
    assert samples.shape == (6, 16, 16, 3) and samples.dtype == np.float32
    assert np.abs(samples).max() <= 1.0


@pytest.mark.parametrize("label", ["-1", "8", "12"])
def test_sample_refuses_a_label_outside_the_run_classes(painting_run, tmp_path, capsys, label):
    assert main(["sample", str(painting_run), "--n", "2", "--label", label, "--out", str(tmp_path / "s.npz")]) == 2
    assert f"label {label} is not a class of this generator: it draws classes 0..7" in _one_line_error(capsys)
    assert not (tmp_path / "s.npz").exists()


def test_sample_refuses_a_label_for_an_unconditional_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--model", "dcgan", "--dataset", "starry_night", "--size", "16", "--steps", "1",
                 "--batch-size", "4", "--out", str(out)]) == 0
    assert main(["sample", str(out), "--n", "2", "--label", "3", "--out", str(tmp_path / "s.npz")]) == 2
    assert "not conditional" in _one_line_error(capsys)


def test_evaluate_scores_colour_samples_against_the_asked_painting_with_its_floor(painting_run, tmp_path, capsys):
    samples = tmp_path / "s.npz"
    assert main(["sample", str(painting_run), "--n", "130", "--label", "1", "--out", str(samples)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(samples), "--label", "1"]) == 0
    scored = capsys.readouterr()
    result = json.loads(scored.out)
    assert "FID from 130 samples is biased upward" in scored.err
    assert {"fid", "fid_floor", "kid", "kid_floor", "share", "histogram"} <= set(result) and result["n"] == 130
    assert result["fid"] > result["fid_floor"] > 0  # two training steps do not paint The Great Wave yet
    assert main(["evaluate", str(samples), "--label", "9"]) == 2
    assert "--label 9 differs from the label 1 these samples were drawn for" in _one_line_error(capsys)
    np.savez(samples, samples=np.load(samples)["samples"])  # without the recorded label
    assert main(["evaluate", str(samples), "--label", "9"]) == 2
    assert "out of range" in _one_line_error(capsys)
    assert main(["evaluate", str(samples), "--label", "1", "--n", "5"]) == 2  # FID of 5 samples means nothing
    assert "at least 129 for the 128 classifier features" in _one_line_error(capsys)


def test_training_an_image_gan_writes_nothing_to_stderr(tmp_path):
    # stderr carries only ganlab's messages: not TensorFlow's C++ lines ("remapper failed", oneDNN, ...)
    result = subprocess.run([sys.executable, "-m", "ganlab", "train", "--model", "dcgan", "--dataset", "starry_night",
                             "--size", "16", "--steps", "1", "--batch-size", "4", "--out", str(tmp_path / "run")],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.fixture(scope="module")
def texture_run(tmp_path_factory):
    """A texture run of one short epoch on crops of The Starry Night."""
    out = tmp_path_factory.mktemp("cli") / "texture"
    assert main(["train", "--model", "texture", "--dataset", "starry_night", "--steps", "1", "--batch-size", "2",
                 "--out", str(out)]) == 0
    return out


def test_render_paints_a_texture_canvas_of_the_asked_size_and_a_tileable_one(texture_run, tmp_path):
    for extra in ([], ["--tileable"]):
        out = tmp_path / f"canvas{len(extra)}.png"
        assert main(["render", str(texture_run), "--size", "96", "--seed", "3", *extra, "--out", str(out)]) == 0
        assert Image.open(out).size == (96, 96)


@pytest.mark.parametrize("argv, message", [
    (["--size", "9000"], "between 8 and 8192"),
    (["--size", "32"], "smaller than the training crop 64"),
])
def test_render_refuses_sizes_a_texture_run_cannot_paint(texture_run, tmp_path, capsys, argv, message):
    assert main(["render", str(texture_run), *argv, "--out", str(tmp_path / "c.png")]) == 2
    assert message in _one_line_error(capsys)


def test_render_paints_a_wandering_texture_canvas_and_refuses_a_wander_below_the_crop(texture_run, tmp_path, capsys):
    out = tmp_path / "wander.png"
    assert main(["render", str(texture_run), "--size", "128", "--wander", "64", "--out", str(out)]) == 0
    assert Image.open(out).size == (128, 128)
    assert "wandering" in capsys.readouterr().out
    assert main(["render", str(texture_run), "--size", "128", "--wander", "32", "--out", str(out)]) == 2
    assert "at least the training crop size 64" in _one_line_error(capsys)


def test_render_refuses_tileable_for_a_cppn_run(tmp_path, capsys):
    out = tmp_path / "cppn"
    runs.train("cppn", "mnist", out=out, epochs=1, limit=64, verbose=0)
    assert main(["render", str(out), "--tileable", "--out", str(tmp_path / "c.png")]) == 2
    assert "--tileable needs a texture run" in _one_line_error(capsys)


def test_sample_and_interpolate_of_a_texture_run(texture_run, tmp_path):
    assert main(["sample", str(texture_run), "--n", "3", "--out", str(tmp_path / "s.npz")]) == 0
    assert np.load(tmp_path / "s.npz")["samples"].shape == (3, 64, 64, 3)
    assert main(["interpolate", str(texture_run), "--from", "1", "--to", "2", "--frames", "3", "--size", "64",
                 "--out", str(tmp_path / "walk.gif")]) == 0
    assert Image.open(tmp_path / "walk.gif").n_frames == 3


@pytest.mark.torch
def test_backend_option_picks_the_keras_backend_and_sampling_on_torch_imports_no_tensorflow(toy_run, tmp_path):
    out = tmp_path / "a.npz"
    code = ("import sys; from ganlab.cli import main; "
            f"code = main(['--backend', 'torch', 'sample', {str(toy_run)!r}, '--n', '3', '--out', {str(out)!r}]); "
            "import keras; print(code, keras.backend.backend(), 'tensorflow' in sys.modules)")
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert result.stdout.split()[-3:] == ["0", "torch", "False"], result.stderr[-2000:]
    assert np.load(out)["samples"].shape == (3, 2)  # a run trained on TensorFlow, sampled on PyTorch


def test_an_unknown_backend_is_refused_in_one_line(capsys):
    assert main(["--backend", "theano", "recipes"]) == 2
    assert "--backend must be one of tensorflow, jax, torch" in _one_line_error(capsys)
