"""Package helpers of the practice chapters (4-7): runs trained once and shared between chapters."""

import json
import shutil

import numpy as np
import pytest

from ganlab import runs


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


def _fake_run_with_grids(directory, epochs):
    from ganlab import viz

    for epoch in epochs:
        images = np.full((4, 28, 28, 1), -1.0 + 0.1 * epoch, dtype=np.float32)
        viz.save_grid(images, directory / "samples" / f"epoch_{epoch:03d}.png", nrow=2)
    return directory


def test_run_sample_epochs_lists_the_saved_grids_in_order(tmp_path):
    from ganlab import viz

    run = _fake_run_with_grids(tmp_path, [3, 1, 12])
    (run / "samples" / "epoch_latest.png").write_bytes(b"")  # not an epoch grid: ignored
    assert viz.run_sample_epochs(run) == [1, 3, 12]


def test_show_run_samples_titles_one_panel_per_epoch(tmp_path):
    import matplotlib.pyplot as plt

    from ganlab import viz

    run = _fake_run_with_grids(tmp_path, range(1, 11))
    fig = viz.show_run_samples(run, ncols=4)  # default: 4 epochs from first to last
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["epoch 1", "epoch 4", "epoch 7", "epoch 10"]
    fig = viz.show_run_samples(run, epochs=[2, 5], ncols=4)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == ["epoch 2", "epoch 5"]
    plt.close("all")


def test_show_run_samples_refuses_missing_grids(tmp_path):
    from ganlab import viz

    with pytest.raises(ValueError, match="no sample grids"):
        viz.show_run_samples(tmp_path)
    run = _fake_run_with_grids(tmp_path, [1, 2])
    with pytest.raises(ValueError, match="epoch"):
        viz.show_run_samples(run, epochs=[3])
