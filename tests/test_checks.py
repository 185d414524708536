"""Tests for ganlab._checks: the shared argument checks and model facts."""

import keras
import numpy as np
import pytest

from ganlab import _checks, models


def test_positive_int_accepts_numpy_integers_and_refuses_bools_zero_and_floats():
    assert _checks.positive_int("n", np.int64(3)) == 3
    assert _checks.positive_int("n", None, allow_none=True) is None
    for bad in (0, -1, 2.0, True, None):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            _checks.positive_int("n", bad)


def test_a_model_is_conditional_exactly_when_it_has_an_input_named_label():
    assert _checks.is_conditional(models.dcgan_generator(latent_dim=4, filters=2, num_classes=10))
    assert not _checks.is_conditional(models.dcgan_generator(latent_dim=4, filters=2))
    first, second = keras.Input((2,), name="noise_a"), keras.Input((3,), name="noise_b")
    two_noises = keras.Model([first, second], keras.layers.Concatenate()([first, second]))
    assert not _checks.is_conditional(two_noises)


def test_latent_dim_and_num_classes_are_read_from_the_model():
    generator = models.mlp_generator(latent_dim=7, hidden=(8,), num_classes=4)
    assert _checks.latent_dim(generator) == 7 and _checks.num_classes(generator) == 4
    with pytest.raises(ValueError, match="Embedding"):
        _checks.num_classes(models.toy_generator())


def test_nonnegative_int_accepts_zero_and_refuses_negatives_bools_and_floats():
    assert _checks.nonnegative_int("margin", 0) == 0
    assert _checks.nonnegative_int("margin", np.int32(5)) == 5
    for bad in (-1, 1.0, True, None):
        with pytest.raises(ValueError, match="margin must be a non-negative integer"):
            _checks.nonnegative_int("margin", bad)


def test_fits_in_memory_refuses_more_than_is_available_and_names_the_fix():
    _checks.fits_in_memory(2**30, "the samples", "use a smaller --n", available=2**31)
    with pytest.raises(ValueError, match=r"need about 4\.0 GiB .* 2\.0 GiB available; use a smaller --n"):
        _checks.fits_in_memory(4 * 2**30, "the samples", "use a smaller --n", available=2**31)


def test_available_memory_is_a_positive_number_of_bytes_on_this_machine():
    available = _checks.available_memory()
    assert available is None or available > 2**20
