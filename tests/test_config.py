"""Fast mode (GANLAB_FAST), pick(full, fast) and the cache directory."""

import pytest

from ganlab import config


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " 1 "])
def test_fast_mode_is_on_for_true_values(monkeypatch, value):
    monkeypatch.setenv("GANLAB_FAST", value)
    assert config.fast_mode() is True


@pytest.mark.parametrize("value", ["", "0", "false", "False", "no", "off"])
def test_fast_mode_is_off_for_false_values(monkeypatch, value):
    monkeypatch.setenv("GANLAB_FAST", value)
    assert config.fast_mode() is False


def test_fast_mode_is_off_when_unset(monkeypatch):
    monkeypatch.delenv("GANLAB_FAST", raising=False)
    assert config.fast_mode() is False


@pytest.mark.parametrize("value", ["2", "fast", "maybe", "-1"])
def test_bad_ganlab_fast_value_raises_value_error_naming_it(monkeypatch, value):
    monkeypatch.setenv("GANLAB_FAST", value)
    with pytest.raises(ValueError, match="GANLAB_FAST"):
        config.fast_mode()


def test_pick_returns_full_value_at_full_settings(monkeypatch):
    monkeypatch.delenv("GANLAB_FAST", raising=False)
    assert config.pick(full=20, fast=1) == 20


def test_pick_returns_fast_value_in_fast_mode(monkeypatch):
    monkeypatch.setenv("GANLAB_FAST", "1")
    assert config.pick(full=20, fast=1) == 1


def test_pick_passes_any_object_through_unchanged(monkeypatch):
    full, fast = {"epochs": 20}, None
    monkeypatch.setenv("GANLAB_FAST", "0")
    assert config.pick(full, fast) is full
    monkeypatch.setenv("GANLAB_FAST", "1")
    assert config.pick(full, fast) is fast


def test_pick_propagates_a_bad_ganlab_fast_value(monkeypatch):
    monkeypatch.setenv("GANLAB_FAST", "sometimes")
    with pytest.raises(ValueError):
        config.pick(full=20, fast=1)


def test_top_level_pick_and_fast_mode_are_the_config_functions():
    import ganlab

    assert ganlab.pick is config.pick
    assert ganlab.fast_mode is config.fast_mode


def test_cache_dir_follows_ganlab_cache_dir_and_is_created(monkeypatch, tmp_path):
    target = tmp_path / "deeper" / "cache"
    monkeypatch.setenv("GANLAB_CACHE_DIR", str(target))
    assert config.cache_dir() == target
    assert target.is_dir()


def test_cache_dir_falls_back_to_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("GANLAB_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert config.cache_dir() == tmp_path / "ganlab"


def test_submodules_are_attributes_of_the_package_and_unknown_names_raise():
    import importlib

    import ganlab

    assert ganlab.metrics is importlib.import_module("ganlab.metrics")
    assert "runs" in dir(ganlab)
    with pytest.raises(AttributeError, match="no attribute 'not_a_module'"):
        ganlab.not_a_module


def test_a_cache_dir_that_is_a_file_is_refused_naming_ganlab_cache_dir(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("GANLAB_CACHE_DIR", str(tmp_path / "file"))
    with pytest.raises(ValueError, match="GANLAB_CACHE_DIR"):
        config.cache_dir()
