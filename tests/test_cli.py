import subprocess
import sys

import numpy as np
import pytest

from ganlab import __version__, runs
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
    assert "not a readable Keras model" in _one_line_error(capsys)


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


def test_sample_refuses_an_output_that_is_not_npz(toy_run, capsys):
    assert main(["sample", str(toy_run), "--n", "3", "--out", "x.csv"]) == 2
    assert ".npz" in _one_line_error(capsys)


def test_python_dash_m_ganlab_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "ganlab", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"ganlab {__version__}"
