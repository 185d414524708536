"""ganlab.book: glued numbers and checked claims."""

import pytest

from ganlab import book


def test_claim_that_holds_is_recorded_and_returns_true(monkeypatch, capsys):
    monkeypatch.setenv("GANLAB_FAST", "0")
    assert book.claim(3 < 4, "three is less than four") is None
    assert book.CHECKED[-1] == ("three is less than four", True)
    assert "checked: three is less than four" in capsys.readouterr().out


def test_false_claim_fails_at_full_settings(monkeypatch):
    monkeypatch.setenv("GANLAB_FAST", "0")
    with pytest.raises(AssertionError, match="contradicts the text, which says: the DCGAN wins"):
        book.claim(False, "the DCGAN wins")


def test_false_claim_is_reported_not_silent_in_fast_mode(monkeypatch, capsys):
    monkeypatch.setenv("GANLAB_FAST", "1")
    assert book.claim(False, "the DCGAN wins") is None
    assert "not checked in fast mode" in capsys.readouterr().out
    assert book.CHECKED[-1] == ("the DCGAN wins", False)


def test_fast_ok_claim_fails_in_fast_mode_too(monkeypatch):
    monkeypatch.setenv("GANLAB_FAST", "1")
    with pytest.raises(AssertionError):
        book.claim(False, "JSD is at most log 2", fast_ok=True)


def test_glue_prints_the_value_without_myst_nb(monkeypatch, capsys):
    import sys
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb now raises ImportError
    assert book.glue("fid", 12.5) is None
    assert "fid = 12.5" in capsys.readouterr().out


def test_machine_names_cores_gpu_and_backend():
    import os

    import keras

    line = book.machine()
    assert f"{os.cpu_count()} CPU cores" in line
    assert line.endswith(f"Keras on {keras.backend.backend()}")
    assert ("a GPU" in line) != ("no GPU" in line)
