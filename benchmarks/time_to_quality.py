"""Time to good digits: FID at fixed wall-clock points for two DCGAN recipes.

Trains, in one invocation on the same machine, (1) ganlab's default DCGAN
recipe (``ganlab.recipes.build_gan("dcgan", "mnist")``) and (2) the TensorFlow
DCGAN tutorial's recipe expressed with ganlab parts (its architecture, Adam
1e-4 with default betas, batch 256, the non-saturating loss), and reports the
package's FID (10,000 samples against the test split) when each has trained
for 2.5, 5, 10 and 15 minutes of wall-clock time. The clock stops while FID
is computed. Also prints the real-data floor (10,000 train digits vs the test
split) and the ratio of the two FIDs at each point, and, for the ganlab recipe,
the FID of its raw generator weights beside that of the moving average it
samples from (the EMA lever, measured at equal training). A third, shorter
row trains the conditional ``cdcgan`` recipe, whose samples come in equal
numbers per digit: a reference for how much of the unconditional models' FID
is class imbalance and digits between classes, not a competitor of the
unconditional tutorial recipe.

    python benchmarks/time_to_quality.py [--minutes 2.5 5 10 15] [--conditional-minutes 2.5 5] [--n 10000]

With ``--levers`` it trains instead the ``dcgan`` recipe's networks without any lever
(``plain``: Adam 2e-3, EMA 0.999, no penalty) and one variant per lever of the paintings
chapter, each changing one thing, for the same wall-clock marks (issue 13's MNIST
part): ``sn`` (spectral normalisation in D, no batch norm, Miyato et al. 2018), ``r1``
(the R1 penalty on real digits, gamma 0.1 as in ``benchmarks/paintings_levers.py``;
Mescheder et al. 2018), ``ttur`` (G 5e-4, D at the recipe's 2e-3: the ratio 4 of SAGAN;
Heusel et al. 2017) and ``diffaug`` (translation and cutout, the same transformation of
real and generated digits before D; Zhao et al. 2020; no colour, the digits are grey).

    python benchmarks/time_to_quality.py --levers [--minutes 2.5 5] [--variants plain sn r1 ttur diffaug] [--seed 0]

``--variants wgan-gp wgan-sn sn-hinge`` compares instead chapter 6's ``wgan-gp-cpu`` recipe with the
same recipe whose critic is spectrally normalised instead of penalised (its ``spectral_norm`` option),
and with that critic trained on the hinge loss of Miyato et al. (its ``loss`` option).
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from keras import layers  # noqa: E402

import ganlab  # noqa: E402
from ganlab import latent, metrics  # noqa: E402


def tutorial_gan(seed=0):
    """The TensorFlow DCGAN tutorial's models and optimizers, trained by ganlab.GAN."""
    keras.utils.set_random_seed(seed)
    generator = keras.Sequential([
        keras.Input((100,)),
        layers.Dense(7 * 7 * 256, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
    ], name="tutorial_generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(64, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Conv2D(128, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(1),
    ], name="tutorial_discriminator")
    gan = ganlab.GAN(generator, discriminator, seed=seed)
    gan.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4), loss="non_saturating")
    return gan, 256


LEVERS = ("plain", "sn", "r1", "ttur", "diffaug")
# chapter 6's question, at equal time: the "wgan-gp-cpu" recipe, and the same recipe with its penalty and layer
# norm swapped for spectral normalisation (recipes.build_gan(..., options=dict(spectral_norm=True)))
CRITICS = {"wgan-gp": None, "wgan-sn": dict(spectral_norm=True), "sn-hinge": dict(spectral_norm=True, loss="hinge")}


def lever_gan(name, seed=0):
    """The ``dcgan`` recipe's networks, Adam and moving average on MNIST, with no lever or one lever on.

    ``"plain"`` has none: the recipe as it was before it took R1 (``recipes.DCGAN_R1_WEIGHT``).
    """
    from ganlab import models, recipes
    from ganlab.augment import make_augment

    keras.utils.set_random_seed(seed)
    rate = recipes.DCGAN_LEARNING_RATE
    generator = models.dcgan_generator()
    discriminator = (models.dcgan_discriminator(normalization=None, spectral_norm=True) if name == "sn"
                     else models.dcgan_discriminator())
    g_rate = rate / 4 if name == "ttur" else rate
    compile_kwargs = dict(loss="non_saturating", r1_weight=0.1 if name == "r1" else 0.0,
                          augment=make_augment(("translation", "cutout")) if name == "diffaug" else None)
    gan = ganlab.GAN(generator, discriminator, seed=seed, ema_decay=recipes.EMA_DECAY)
    gan.compile(keras.optimizers.Adam(rate, beta_1=0.5), keras.optimizers.Adam(g_rate, beta_1=0.5),
                **compile_kwargs)
    return gan, recipes.RECIPES["dcgan"].batch_size


def run_levers(args, images, floor):
    """Train each lever variant to the same wall-clock marks; print FID, FID / floor and steps."""
    marks = [60 * m for m in args.minutes]
    table = {}
    for name in args.variants:
        if name in CRITICS:
            from ganlab import recipes

            gan = recipes.build_gan("wgan-gp-cpu", seed=args.seed, options=CRITICS[name])
            batch_size = recipes.WGAN_GP_CPU["batch_size"]
        else:
            gan, batch_size = lever_gan(name, seed=args.seed)
        load = os.getloadavg()[0]
        print(f"{name}: batch {batch_size}, load {load:.1f}", flush=True)
        clock = WallClockFID(marks, args.n)
        data = ganlab.make_dataset(images, batch_size=batch_size, seed=args.seed).repeat()
        gan.fit(data, epochs=1, steps_per_epoch=10**7, callbacks=[clock], verbose=0)
        table[name] = (dict(clock.results), int(gan.g_optimizer.iterations), load, os.getloadavg()[0])
    print(f"\n{'variant':>9}" + "".join(f"{f'FID {m:g} min':>14}{'/ floor':>9}" for m in args.minutes)
          + f"{'steps':>8}{'load':>11}")
    for name, (results, steps, before, after) in table.items():
        cells = "".join(f"{results[60 * m]:>14.2f}{results[60 * m] / floor:>9.1f}" for m in args.minutes)
        print(f"{name:>9}{cells}{steps:>8}{before:>6.1f}/{after:<4.1f}")
    print(f"\nfloor: FID {floor:.2f}; steps = generator steps at the last mark; load = 1-minute load average "
          "before / after the variant")


class WallClockFID(keras.callbacks.Callback):
    """Compute FID whenever the training clock passes the next mark; stop after the last."""

    def __init__(self, marks_seconds, n):
        super().__init__()
        self.marks, self.n, self.results = list(marks_seconds), n, []
        self.raw_results = []  # FID of the raw generator's weights, for a GAN that samples from an EMA

    def on_train_begin(self, logs=None):
        self.trained, self.last = 0.0, time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        self.trained += now - self.last
        if self.marks and self.trained >= self.marks[0]:
            mark = self.marks.pop(0)
            fid = metrics.frechet_distance(self.model.generate(self.n, seed=0))
            self.results.append((mark, fid))
            line = f"    {mark / 60:5.1f} min: FID {fid:8.2f}"
            if self.model.ema_generator is not None:
                raw = metrics.frechet_distance(latent.generate(self.model.generator, self.n, seed=0))
                self.raw_results.append((mark, raw))
                line += f" (raw generator weights, no EMA: {raw:.2f})"
            print(line, flush=True)
            if not self.marks:
                self.model.stop_training = True
        self.last = time.perf_counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[2.5, 5, 10, 15])
    parser.add_argument("--conditional-minutes", type=float, nargs="*", default=[2.5, 5],
                        help="marks for the conditional 'cdcgan' recipe, a reference row (none: skip it)")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--levers", action="store_true", help="compare the dcgan recipe's levers instead")
    parser.add_argument("--variants", nargs="+", default=list(LEVERS), choices=LEVERS + tuple(CRITICS),
                        help="with --levers: the dcgan recipe's levers, or chapter 6's critics wgan-gp and wgan-sn")
    parser.add_argument("--seed", type=int, default=0,
                        help="with --levers: seeds the weights, the noise and the order of the digits (the "
                             "samples scored keep seed 0)")
    args = parser.parse_args()
    images, labels = ganlab.load_mnist("train")
    floor = metrics.frechet_distance(images[:args.n])
    print(f"real-data floor (train vs test, N={args.n}): FID {floor:.2f}")
    if args.levers:
        return run_levers(args, images, floor)
    marks = [60 * m for m in args.minutes]

    def recipe(model):
        return ganlab.recipes.build_gan(model, "mnist", seed=0), ganlab.recipes.RECIPES[model].batch_size

    # name: (build, minutes marks, conditional)
    recipes = {
        "ganlab dcgan": (lambda: recipe("dcgan"), marks, False),
        "TF tutorial": (lambda: tutorial_gan(seed=0), marks, False),
    }
    if args.conditional_minutes:
        recipes["ganlab cdcgan"] = (lambda: recipe("cdcgan"), [60 * m for m in args.conditional_minutes], True)
    results, raw = {}, {}
    for name, (build, recipe_marks, conditional) in recipes.items():
        gan, batch_size = build()
        print(f"{name}: batch {batch_size}, {gan.generator.count_params():,} + "
              f"{gan.discriminator.count_params():,} parameters", flush=True)
        clock = WallClockFID(recipe_marks, args.n)
        arrays = (images, labels) if conditional else (images,)
        data = ganlab.make_dataset(*arrays, batch_size=batch_size, seed=0).repeat()
        gan.fit(data, epochs=1, steps_per_epoch=10**7, callbacks=[clock], verbose=0)
        results[name], raw[name] = dict(clock.results), dict(clock.raw_results)

    def cell(value, width, digits=2):
        return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"

    def over(a, b):  # a / b, or None where a mark has no FID
        return None if a is None or b is None else a / b

    print(f"\n{'minutes':>8}{'ganlab dcgan':>14}{'TF tutorial':>13}{'tutorial/ganlab':>17}{'ganlab/floor':>14}"
          f"{'cdcgan':>9}{'cdcgan/floor':>14}")
    for mark in sorted(set(marks) | set(results.get("ganlab cdcgan", {}))):
        ours, theirs = results["ganlab dcgan"].get(mark), results["TF tutorial"].get(mark)
        conditional = results.get("ganlab cdcgan", {}).get(mark)
        print(f"{mark / 60:>8.1f}{cell(ours, 14)}{cell(theirs, 13)}{cell(over(theirs, ours), 17, 1)}"
              f"{cell(over(ours, floor), 14, 1)}{cell(conditional, 9)}{cell(over(conditional, floor), 14, 1)}")
    for name in ("ganlab dcgan", "ganlab cdcgan"):
        if raw.get(name):
            print(f"\n{name} sampled from the moving average of G's weights (EMA) and from the raw weights:")
            print(f"{'minutes':>8}{'EMA':>10}{'raw':>10}{'raw/EMA':>10}")
            for mark, without in raw[name].items():
                with_ema = results[name][mark]
                print(f"{mark / 60:>8.1f}{with_ema:>10.2f}{without:>10.2f}{without / with_ema:>10.2f}")


if __name__ == "__main__":
    main()
