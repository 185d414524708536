"""Tests for ganlab.callbacks: the evaluation during training (the run callbacks are tested through runs)."""

import csv

import keras
import pytest

from ganlab import callbacks, metrics
from ganlab.datasets import load_mnist, make_dataset, ring_distribution
from ganlab.training import GAN


def _toy_gan():
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    gan = GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def test_evaluation_callback_logs_toy_metrics_on_first_every_and_last_epoch(tmp_path):
    gan = _toy_gan()
    evaluation = callbacks.EvaluationCallback(every=2, n=500, distribution="ring8")
    csv_path = tmp_path / "history.csv"
    dataset = make_dataset(ring_distribution().sample(128, seed=0), batch_size=64, seed=0)
    history = gan.fit(dataset, epochs=5, verbose=0,
                      callbacks=[evaluation, keras.callbacks.CSVLogger(str(csv_path))])
    assert evaluation.history["epoch"] == [1, 2, 4, 5]
    assert len(history.history["high_quality"]) == 4
    assert len(history.history["d_loss"]) == 5
    final = metrics.toy_metrics(gan.generate(500, seed=0), "ring8")
    assert history.history["modes"][-1] == final.modes
    assert history.history["kl"][-1] == pytest.approx(final.kl)
    with open(csv_path) as stream:
        rows = list(csv.DictReader(stream))
    assert [row["high_quality"] != "NA" for row in rows] == [True, True, False, True, True]


def test_evaluation_callback_logs_image_metrics():
    generator = keras.Sequential([keras.Input((8,)), keras.layers.Dense(784, activation="tanh"),
                                  keras.layers.Reshape((28, 28, 1))])
    discriminator = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    gan = GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    evaluation = callbacks.EvaluationCallback(n=200, seed=3)
    history = gan.fit(make_dataset(load_mnist("test", limit=64)[0], batch_size=32, seed=0), epochs=2, verbose=0,
                      callbacks=[evaluation])
    for name in ("fid", "score", "modes", "kl"):
        assert len(history.history[name]) == 2
    assert history.history["fid"][-1] == pytest.approx(metrics.frechet_distance(gan.generate(200, seed=3)))


def test_evaluation_callback_refuses_bad_settings():
    with pytest.raises(ValueError, match="every"):
        callbacks.EvaluationCallback(every=0)
    with pytest.raises(ValueError, match="metrics"):
        callbacks.EvaluationCallback(metrics=["fid"], distribution="ring8")
    with pytest.raises(ValueError, match="metrics"):
        callbacks.EvaluationCallback(metrics=["high_quality"])


@pytest.mark.parametrize("seconds", [0, -1, True, "60"])
def test_time_limit_refuses_what_is_not_a_positive_number_of_seconds(seconds):
    with pytest.raises(ValueError, match="time_limit must be a positive number of seconds"):
        callbacks.TimeLimit(seconds)


class _Stoppable:
    stop_training = False


def test_time_limit_starts_its_clock_after_the_first_batch_which_carries_the_compilation():
    import time

    limit = callbacks.TimeLimit(0.05)
    limit.set_model(_Stoppable())
    limit.on_train_begin()
    limit.on_epoch_begin(0)
    time.sleep(0.1)  # a slow first batch (tracing the train step) is longer than the limit
    limit.on_train_batch_end(0)
    assert not limit.model.stop_training and limit.stopped_epoch == 0
    time.sleep(0.1)
    limit.on_train_batch_end(1)
    assert limit.model.stop_training and limit.stopped_epoch == 1
