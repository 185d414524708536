"""Tests for ganlab.rundir: the files of a run directory (the checkpoint itself is tested through runs)."""

import importlib
import json
import platform
import zipfile

import keras
import numpy as np
import pytest

from ganlab import rundir
from ganlab.rundir import RunDir


def test_metrics_logged_on_some_epochs_stay_aligned_with_their_epoch(tmp_path):
    history = {}
    rundir.record_epoch(history, 0, {"d_loss": 1.0})
    rundir.record_epoch(history, 1, {"d_loss": 2.0, "fid": 30.0})
    rundir.record_epoch(history, 2, {"d_loss": 3.0})
    assert history == {"d_loss": [1.0, 2.0, 3.0], "fid": [None, 30.0, None]}
    rundir.write_history_csv(history, tmp_path / "history.csv")
    assert (tmp_path / "history.csv").read_text().splitlines() == [
        "epoch,d_loss,fid", "1,1.0,", "2,2.0,30.0", "3,3.0,"]


def test_run_sample_epochs_lists_the_saved_grids_in_order(tmp_path, run_with_grids):

    run = run_with_grids([3, 1, 12])
    (run / "samples" / "epoch_latest.png").write_bytes(b"")  # not an epoch grid: ignored
    assert RunDir(run).sample_epochs() == [1, 3, 12]


def test_a_config_that_is_not_a_run_s_json_object_is_refused_as_malformed(tmp_path):
    for text in ("[1, 2]", '{"model": "dcgan"}', '"dcgan"'):
        (tmp_path / "config.json").write_text(text)
        with pytest.raises(ValueError, match="malformed"):
            RunDir(tmp_path).read_config()


def test_a_run_records_the_versions_it_was_trained_with():
    versions = rundir.installed_versions()
    assert versions["keras"] == keras.__version__ and versions["numpy"] == np.__version__
    assert versions["python"] == platform.python_version()
    library = keras.backend.backend()
    assert versions[library] == importlib.import_module(library).__version__


def _saved_run(path, keras_version):
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    path.mkdir()
    (path / "config.json").write_text(json.dumps(dict(model="gan", dataset="ring8", versions=dict(keras=keras_version))))
    generator.save(path / "generator.keras")
    return RunDir(path)


def test_a_truncated_generator_is_reported_as_truncated_not_missing(tmp_path):
    run = _saved_run(tmp_path / "run", keras.__version__)
    data = run.generator_path.read_bytes()
    run.generator_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        run.load_generator()


def test_a_generator_that_a_newer_keras_saved_and_this_one_cannot_read_names_both_versions(tmp_path):
    run = _saved_run(tmp_path / "run", "99.1.0")
    # what a newer Keras may write: a layer argument this Keras does not know
    with zipfile.ZipFile(run.generator_path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    model_config = json.loads(members["config.json"])
    model_config["config"]["layers"][-1]["config"]["argument_of_keras_99"] = True
    members["config.json"] = json.dumps(model_config).encode()
    with zipfile.ZipFile(run.generator_path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=rf"saved by Keras 99\.1\.0, and this Keras \({keras.__version__}\) cannot "
                                         r"read it; install .*keras==99\.1\.0"):
        run.load_generator()
    assert RunDir(_saved_run(tmp_path / "same", keras.__version__).path).load_generator() is not None
