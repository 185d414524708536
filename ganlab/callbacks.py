"""Keras callbacks for GAN training: a NaN guard, sample grids, crash-proof checkpoints, timing, evaluation.

:func:`run_callbacks` builds the list a run directory needs, in the one order
that works (see there); the files they write are described in ``ganlab.rundir``.
"""

import io
import math
import os
import time

import keras
import numpy as np

from ganlab import metrics as gmetrics
from ganlab import viz
from ganlab._checks import positive_int
from ganlab.rundir import RunDir, atomic_write_bytes, record_epoch, save_checkpoint, write_history_csv


def _finite(logs):
    return all(math.isfinite(float(v)) for v in (logs or {}).values()
               if isinstance(v, (int, float, np.floating, np.integer)))


class TrainingDiverged(RuntimeError):
    """Raised by :class:`NaNGuard` when a loss became NaN or infinite."""


class NaNGuard(keras.callbacks.Callback):
    """Stop training as soon as a logged loss is NaN or infinite.

    It sets ``model.stop_training`` and remembers the message in ``self.message``;
    :class:`RunCheckpoint` then refuses to save, so the last good checkpoint stays.
    ``ganlab.runs.train`` raises :class:`TrainingDiverged` with the message.
    """

    def __init__(self):
        super().__init__()
        self.message = None

    def on_train_batch_end(self, batch, logs=None):
        if self.message is None and not _finite(logs):
            bad = {k: float(v) for k, v in logs.items() if not math.isfinite(float(v))}
            self.message = (f"training diverged at epoch {self._epoch + 1}, batch {batch + 1}: {bad}. "
                            "The last good checkpoint is kept; lower the learning rates or resume from it.")
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.message is None and not _finite(logs):
            self.message = f"training diverged at the end of epoch {epoch + 1}: {logs}."
            self.model.stop_training = True


class SampleGrid(keras.callbacks.Callback):
    """Draw the same fixed latent vectors after every epoch to ``samples/epoch_NNN.png``.

    Images become a grid; 2D points a scatter plot over the real data. At the
    end of training the PNGs are assembled into ``training.gif``.

    Args:
        run_dir: the run directory.
        n: how many samples per picture (100 makes a 10 x 10 grid).
        seed: seed of the fixed latent vectors.
        real: for 2D data, real points drawn under the samples.
        centres: for 2D data, the mode centres.
    """

    def __init__(self, run_dir, n=100, seed=1234, real=None, centres=None):
        super().__init__()
        self.run_dir = RunDir(run_dir)
        self.n, self.seed, self.real, self.centres = n, seed, real, centres

    def on_train_begin(self, logs=None):
        self.run_dir.samples_dir.mkdir(parents=True, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        if not _finite(logs):
            return
        samples = self.model.generate(self.n, seed=self.seed)  # the same noise every epoch
        path = self.run_dir.sample_path(epoch + 1)
        if samples.ndim == 4:
            buffer = io.BytesIO()
            viz.to_pil(viz.grid(samples, nrow=10), scale=2).save(buffer, format="PNG")
        else:
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(figsize=(4, 4))
            viz.scatter_2d(samples, real=self.real, centres=self.centres, ax=ax, title=f"epoch {epoch + 1}")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=80)
            plt.close(fig)
        atomic_write_bytes(path, buffer.getvalue())

    def on_train_end(self, logs=None):
        if self.run_dir.sample_epochs():
            tmp = self.run_dir.path / "training.tmp.gif"
            viz.gif_from_pngs(self.run_dir.samples_dir, tmp)
            os.replace(tmp, self.run_dir.gif_path)


class RunCheckpoint(keras.callbacks.Callback):
    """After every epoch, save ``checkpoint.npz``, ``generator.keras`` and ``history.csv``.

    Epochs whose logs are not finite, or in which ``guard`` (a :class:`NaNGuard`) fired,
    are not saved, so the last good checkpoint survives a diverged run. ``history`` is the history so far (from a resumed checkpoint) and grows here.
    """

    def __init__(self, run_dir, history=None, guard=None):
        super().__init__()
        self.run_dir = RunDir(run_dir)
        self.history = history if history is not None else {}
        self.guard = guard

    def on_epoch_end(self, epoch, logs=None):
        if not _finite(logs) or (self.guard is not None and self.guard.message is not None):
            return
        record_epoch(self.history, epoch, logs)
        save_checkpoint(self.model, self.run_dir.checkpoint_path, epoch + 1, self.history)
        self.run_dir.save_generator(self.model.sampler)
        write_history_csv(self.history, self.run_dir.history_path)


class EpochTimer(keras.callbacks.Callback):
    """Write each epoch's wall-clock time in seconds into the epoch logs as ``"seconds"``.

    ``ganlab.runs.train_or_load`` puts it before :class:`RunCheckpoint`, so the times are
    saved with the run's history and a run loaded later still tells how long it trained. The
    clock runs from the start of an epoch until this callback's turn at its end: the training
    steps and the sample grid, not callbacks listed after it (an evaluation, say).
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["seconds"] = time.perf_counter() - self._start


class TimeLimit(keras.callbacks.Callback):
    """Stop ``fit`` once ``seconds`` of wall-clock training time have passed (checked after every batch).

    The clock starts when the first batch of the ``fit`` call ends: that batch carries the one-time
    tracing and compilation of the train step, which took from a few seconds to over 30 s (DiffAugment
    on a loaded 2-core machine) and would otherwise eat the budget of a short comparison unequally.
    The epoch in progress ends early, and its end-of-epoch callbacks (the sample grid, the
    checkpoint) still run. ``ganlab.runs.train(..., time_limit=...)`` uses it to compare settings at
    equal training time. ``stopped_epoch`` is the number of epochs begun (0 if the limit never fired).
    """

    def __init__(self, seconds):
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ValueError(f"time_limit must be a positive number of seconds, got {seconds!r}.")
        self.seconds = float(seconds)
        self.stopped_epoch = 0

    def on_train_begin(self, logs=None):
        self._start = None
        self.stopped_epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._start is None:  # the first batch (and the compilation in it) is not counted
            self._start = time.perf_counter()
            return
        if not self.stopped_epoch and time.perf_counter() - self._start >= self.seconds:
            self.model.stop_training = True
            self.stopped_epoch = self._epoch + 1


class EvaluationCallback(keras.callbacks.Callback):
    """Score the GAN's samples during ``fit`` and write the numbers into the epoch logs.

    It evaluates at the end of the first epoch of the ``fit`` call, of every
    epoch whose number (counting from 1) is a multiple of ``every``, and of the
    last epoch. It generates ``n`` samples with ``gan.generate(n, seed=seed)``
    (the same latent vectors each time, so the numbers move with the model and
    not with the noise) and adds the requested metrics to the ``logs`` dict, so
    they appear in ``History.history`` and in ``keras.callbacks.CSVLogger``
    files under the names ``fid``, ``score``, ``modes``, ``kl`` (images) or
    ``modes``, ``high_quality``, ``kl`` (2D points, when ``distribution`` is given); see ``ganlab.metrics``.

    Epochs without evaluation get no entry, as Keras does for validation
    metrics with ``validation_freq > 1``: ``History.history["fid"]`` then holds
    one value per evaluation, not per epoch, and NaN never reaches the logs
    (ganlab's checkpoints refuse epochs with non-finite logs). The epochs that
    were evaluated, with their values, are in ``self.history``
    (``{"epoch": [1, 5, ...], "fid": [...], ...}``), ready to plot.

    Evaluation costs a classifier pass over ``n`` images (a few seconds for
    10,000 on a CPU); the FID reference statistics are computed once and cached.

    Args:
        every: evaluate every this many epochs.
        n: samples per evaluation; default 10,000 for images (the N at which
            FIDs are compared) and 2,500 for points (as in VEEGAN and PacGAN).
        metrics: names to compute; default all of ``IMAGE_METRICS`` or ``POINT_METRICS``.
        distribution: None for image GANs; for 2D GANs the mixture to score
            against (``"ring8"``, ``"grid25"`` or a ``ToyDistribution``).
        seed: seed of the fixed latent vectors.

    Raises:
        ValueError: for a bad ``every`` or ``n``, an unknown metric, or an unknown distribution.
    """

    def __init__(self, every=1, n=None, metrics=None, distribution=None, seed=0):
        super().__init__()
        self.every = positive_int("every", every)
        self.distribution = None if distribution is None else gmetrics.as_distribution(distribution)
        allowed = gmetrics.IMAGE_METRICS if self.distribution is None else gmetrics.POINT_METRICS
        self.metric_names = gmetrics.check_metric_names(allowed if metrics is None else metrics, allowed)
        if n is None:
            n = 10_000 if self.distribution is None else 2_500
        self.n = positive_int("n", n)
        if self.distribution is None and "fid" in self.metric_names and self.n < 2:
            raise ValueError("FID needs n >= 2 samples.")
        self.seed = seed
        self.history = {"epoch": [], **{name: [] for name in self.metric_names}}
        self._evaluated_any = False

    def on_train_begin(self, logs=None):
        if not callable(getattr(self.model, "generate", None)):
            raise ValueError("EvaluationCallback needs a model with a generate(n, seed=...) method, "
                             "such as ganlab.GAN.")
        self._evaluated_any = False

    def evaluate(self):
        """Generate ``n`` samples with the fixed seed and return the metrics as a dict."""
        samples = self.model.generate(self.n, seed=self.seed)
        if self.distribution is None:
            return gmetrics.evaluate_images(samples, metrics=self.metric_names)
        return gmetrics.evaluate_points(samples, distribution=self.distribution, metrics=self.metric_names)

    def on_epoch_end(self, epoch, logs=None):
        last = epoch == self.params.get("epochs", 0) - 1
        if self._evaluated_any and (epoch + 1) % self.every and not last:
            return
        self._evaluated_any = True
        results = self.evaluate()
        self.history["epoch"].append(epoch + 1)
        for name in self.metric_names:
            self.history[name].append(results[name])
        if logs is not None:
            logs.update(results)


def run_callbacks(run_dir, history=None, extra=(), timer=False, real=None, centres=None):
    """The callbacks of a run directory, in the order they must run at the end of each epoch.

    1. :class:`NaNGuard` first, so a diverged epoch is known before anything is written;
    2. :class:`SampleGrid` (it skips an epoch with non-finite logs);
    3. :class:`EpochTimer` if ``timer``: its clock covers the training steps and the grid;
    4. ``extra`` (an :class:`EvaluationCallback`, ...): they add to the epoch's logs;
    5. :class:`RunCheckpoint` last, so the history it saves holds everything the others logged,
       and it saves nothing once the guard has fired.

    Args:
        run_dir: the run directory.
        history: the history so far (from a resumed checkpoint), which the checkpoint extends.
        extra: more Keras callbacks.
        timer: add an :class:`EpochTimer`.
        real, centres: for 2D data, the real points and mode centres the sample pictures show.

    Returns:
        The list; its first entry is the guard and its last the checkpoint.
    """
    guard = NaNGuard()
    points = {} if real is None else dict(real=real, centres=centres, n=1000)
    return [guard, SampleGrid(run_dir, **points), *([EpochTimer()] if timer else []), *extra,
            RunCheckpoint(run_dir, history=history, guard=guard)]
