"""Tests for ganlab.rundir: the files of a run directory (the checkpoint itself is tested through runs)."""

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
