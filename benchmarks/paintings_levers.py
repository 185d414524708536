"""What each training lever does for the conditional DCGAN on the eight paintings, at equal training time.

    python benchmarks/paintings_levers.py [--seconds 180 | --steps plain=1600 r1=1200 ...] [--seeds 0 1 2]
                                          [--n 250] [--size 64] [--variants plain sn ...]
                                          [--out /tmp/paintings_levers]

Trains ``cdcgan`` on ``"paintings"`` (64 x 64 crops at ``datasets.DEFAULT_SCALE``) once per
variant, each for the same wall-clock training time (``runs.train(time_limit=...)``), then
draws ``--n`` samples per painting from the run's moving-average generator and scores them
with ``metrics.evaluate_paintings`` against that painting (FID and KID on the painting
classifier's features, with the real-crop floors at the same N, and the classifier's share).
Prints a markdown table (steps reached, seconds, mean FID / floor over the eight, the worst
painting's ratio, mean KID, mean share) and saves one grid per variant (a row per painting,
eight samples each) as ``OUT/<variant>.png``: look at them.

The variants (``runs.train(options=...)``, recorded in each run):

- ``plain``: ``recipes.IMAGE_GAN`` with every lever off (R1, which the recipe now has, too).
- ``sn``: spectral normalisation in the discriminator (Miyato et al., 2018).
- ``r1``: the R1 penalty (the recipe as it stands) on real crops (Mescheder et al., 2018) with gamma = 0.1. StyleGAN2-ADA's
  heuristic gamma = 0.0002 * res^2 / batch gives 0.013 at 64 x 64 and batch 64 (its CIFAR-10
  configuration uses 0.01); Mescheder et al. and StyleGAN2 at 1024 x 1024 use 10. 0.1 sits
  between: our discriminator has batch norm and no equalised learning rate, so its input
  gradients are not on StyleGAN's scale.
- ``diffaug``: DiffAugment with colour, translation and cutout (Zhao et al., 2020).
- ``ttur``: the two time-scale rule (Heusel et al., 2017): the discriminator at 2e-3, the
  generator at 5e-4 (a ratio of 4, as SAGAN's 4e-4 / 1e-4).
- ``sn+diffaug``: the usual small-data pair, chosen before measuring.
- ``lr2e-3``, ``lr5e-4``: Adam's learning rate for both networks, against the recipe's 1e-3.

``--batch-size`` changes the crops per step of every variant (default: the recipe's 64).

``--steps VARIANT=N ...`` trains each named variant for N generator steps instead of ``--seconds``
(whole epochs of 100 steps): a comparison the machine's load cannot change, which can still stand for
equal time when N is what each variant reaches in that time on an idle machine. ``--seeds`` trains
every variant once per training seed (weights, crops, noise) and prints the mean and range of the
mean FID / floor over the seeds: one run of a GAN is one draw.

The clock of ``time_limit`` starts after the first step (which compiles the train step).
Wall-clock times grow with the machine's load; the script prints ``os.getloadavg()`` before
and after each run. On a shared machine the step counts are lower bounds and the times upper
bounds of what an idle machine does.
"""

import argparse
import os
import shutil
import time
from pathlib import Path

import numpy as np

from ganlab import datasets, metrics, runs, viz

# every variant is ``plain`` (IMAGE_GAN with every lever off: R1, which the recipe has had since stop 14,
# included) with one or two levers on
PLAIN = dict(r1_weight=0.0)
VARIANTS = {
    "plain": PLAIN,
    "sn": dict(PLAIN, spectral_norm=True),
    "r1": dict(PLAIN, r1_weight=0.1),
    "diffaug": dict(PLAIN, augment=("color", "translation", "cutout")),
    "ttur": dict(PLAIN, learning_rate=5e-4, d_learning_rate=2e-3),
    "sn+diffaug": dict(PLAIN, spectral_norm=True, augment=("color", "translation", "cutout")),
    "lr2e-3": dict(PLAIN, learning_rate=2e-3),
    "lr5e-4": dict(PLAIN, learning_rate=5e-4),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="training time per variant")
    parser.add_argument("--n", type=int, default=250, help="samples per painting")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds, a run each")
    parser.add_argument("--steps", nargs="+", default=None, metavar="VARIANT=N",
                        help="train these variants for N generator steps each instead of --seconds")
    parser.add_argument("--batch-size", type=int, default=None, help="crops per step (default: the recipe's)")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--out", default="/tmp/paintings_levers", help="run directories and grids go here")
    args = parser.parse_args(argv)
    steps = {}
    for item in args.steps or ():
        name, _, count = item.partition("=")
        if name not in VARIANTS or not count.isdigit() or int(count) < 1:
            parser.error(f"--steps takes VARIANT=N with a variant of {', '.join(VARIANTS)} and N >= 1, got {item!r}")
        steps[name] = int(count)
    missing = [name for name in args.variants if args.steps and name not in steps]
    if missing:
        parser.error(f"--steps names no step count for {', '.join(missing)}")
    args.steps = steps or None
    return args


def score(run_dir, n, count):
    """Per-painting scores of ``n`` samples each, and a grid of eight samples per painting."""
    rows, grid_images = [], []
    for label in range(count):
        samples = runs.sample(run_dir, n, seed=100 + label, labels=np.full(n, label))
        rows.append(metrics.evaluate_paintings(samples, painting=label, scale=datasets.DEFAULT_SCALE))
        grid_images.append(samples[:8])
    return rows, np.concatenate(grid_images)


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    count = len(datasets.paintings())
    budget = (", ".join(f"{name} {n} steps" for name, n in args.steps.items()) if args.steps
              else f"{args.seconds:.0f} s of training per variant")
    print(f"cdcgan on paintings, size {args.size}, {budget}, seeds {args.seeds}, {args.n} samples per painting, "
          f"{os.cpu_count()} CPUs")
    table, means = [], {}
    for seed in args.seeds:
        for name in args.variants:
            run_dir = out / (name.replace("+", "_") + (f"_seed{seed}" if len(args.seeds) > 1 else ""))
            shutil.rmtree(run_dir, ignore_errors=True)
            load_before = os.getloadavg()[0]
            start = time.time()
            limits = dict(steps=args.steps[name]) if args.steps else dict(time_limit=args.seconds)
            gan, history = runs.train("cdcgan", "paintings", out=run_dir, size=args.size, seed=seed,
                                      batch_size=args.batch_size, options=VARIANTS[name], timer=True, verbose=0,
                                      **limits)
            wall = time.time() - start
            steps = int(gan.g_optimizer.iterations)  # generator steps: the time limit may stop mid-epoch
            rows, grid_images = score(run_dir, args.n, count)
            viz.save_grid(grid_images, out / f"{run_dir.name}.png", nrow=8)
            ratios = [row["fid"] / row["fid_floor"] for row in rows]
            means.setdefault(name, []).append(float(np.mean(ratios)))
            table.append(dict(variant=name, seed=seed, steps=steps,
                              seconds=int(round(sum(history.get("seconds", [wall])))),
                              load=f"{load_before:.1f}/{os.getloadavg()[0]:.1f}",
                              fid_ratio=float(np.mean(ratios)), worst_ratio=float(np.max(ratios)),
                              kid=float(np.mean([row["kid"] for row in rows])),
                              share=float(np.mean([row["share"] for row in rows]))))
            print(f"{name}, seed {seed}: {steps} steps in {wall:.0f} s (load {table[-1]['load']}); FID/floor per "
                  "painting " + " ".join(f"{r:.1f}" for r in ratios) + "; share per painting "
                  + " ".join(f"{row['share']:.2f}" for row in rows), flush=True)
    print()
    print(viz.markdown_table(table, columns=["variant", "seed", "steps", "seconds", "load", "fid_ratio",
                                             "worst_ratio", "kid", "share"], digits=3))
    if len(args.seeds) > 1:
        print()
        for name, values in means.items():
            print(f"{name}: mean FID / floor over seeds {np.mean(values):.1f} (from {min(values):.1f} to "
                  f"{max(values):.1f})")
    print("\nload = 1-minute load average before / after the run; grids in", out)


if __name__ == "__main__":
    main()
