"""How the painting recipes' scores move over a long run: one training run, scored every N steps.

    python benchmarks/long_runs.py --recipe cdcgan [--steps 12000] [--every 1000] [--seeds 0 1]
                                   [--options '{"r1_weight": 1.0}'] [--workers 4] [--out /tmp/long_runs]
    python benchmarks/long_runs.py --recipe texture --dataset starry_night --steps 8000 --every 1000

Issues 13 and 14 ask for FID at most 10 times the real-crop floor. On a 2-core CPU the chapters
stop at about 1,200 (chapter 9) and 2,000 (chapter 10) steps, where the scores still swing from
one checkpoint to the next (``NOTES.md``). This script asks the question a CPU cannot answer in a
session: where does the same recipe go with ten times the steps, and how far does the score swing
along the way? It runs on any Keras backend and feeds ``fit`` with numpy batches, not ``tf.data``,
so it also runs where TensorFlow is not installed (``KERAS_BACKEND=jax`` on a GPU machine).

The crops are those of ``datasets.CropSampler`` at the recipe's scale, cut by ``--workers``
processes, each batch from its own seed (``(seed, step)``): the same distribution as the
chapters' stream (``datasets.image_crops``), not the same draws. Every ``--every`` steps it scores

- ``cdcgan`` on ``"paintings"``: 250 samples per painting from the moving average of G (sample seeds
  100 + label, as chapter 9 draws them), scored by ``metrics.evaluate_paintings`` against that
  painting: the mean and worst FID / floor over the eight, mean KID and mean share;
- ``texture`` on one painting: 500 samples at the training size (seed 1), and 500 crops of a
  1024 x 1024 canvas whose global noise wanders every 128 pixels (seed 0), as chapter 10 scores them.

On the GPU machine of stop 17 (no TensorFlow there; Keras carried as a wheel) it ran as

    KERAS_BACKEND=jax XLA_PYTHON_CLIENT_MEM_FRACTION=0.3 OMP_NUM_THREADS=2 \
        python benchmarks/long_runs.py --recipe cdcgan --steps 15000 --every 3000 --workers 10

with a texture run beside it; several runs on one GPU need the memory fraction, and fewer BLAS
threads than cores, or the scoring's numpy crawls.

At the end it saves a grid of the last samples (``OUT/<recipe>_seed<S>.png``): look at it. Seconds
are wall-clock training time without the scoring; they mean something only on an otherwise idle
machine and are not CPU times when the backend runs on a GPU.
"""

import argparse
import json
import multiprocessing
import os
import time
from pathlib import Path

import numpy as np

_SAMPLER = None  # the worker processes' crop sampler


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", choices=("cdcgan", "texture"), default="cdcgan")
    parser.add_argument("--dataset", default=None, help="default: paintings (cdcgan), starry_night (texture)")
    parser.add_argument("--steps", type=int, default=12000, help="generator steps per run")
    parser.add_argument("--every", type=int, default=1000, help="score every this many steps")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds, one run each")
    parser.add_argument("--options", default="{}", help="recipe options as JSON, e.g. '{\"r1_weight\": 1.0}'")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 2),
                        help="processes cutting crops")
    parser.add_argument("--out", default="/tmp/long_runs", help="the grids go here")
    args = parser.parse_args(argv)
    for name in ("steps", "every", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    try:
        args.options = json.loads(args.options)
    except json.JSONDecodeError as error:
        parser.error(f"--options is not JSON ({error})")
    args.dataset = args.dataset or ("paintings" if args.recipe == "cdcgan" else "starry_night")
    return args


def _start_worker(source, size, scale):
    global _SAMPLER
    from ganlab import datasets

    _SAMPLER = datasets.CropSampler(source, size, scale)


def _batch(job):
    """One batch of crops from its own seed: ``job`` is (seed, step, batch_size)."""
    seed, step, batch_size = job
    return _SAMPLER.sample(batch_size, np.random.default_rng([seed, step]))


def main(argv=None):
    args = parse_args(argv)
    from ganlab import datasets, recipes

    recipe = recipes.get_recipe(args.recipe, args.dataset, 64)
    scale = recipe.crop_scale or datasets.DEFAULT_SCALE
    batch_size = args.batch_size or recipe.batch_size
    # the workers start before Keras (and its backend's threads) exist in this process
    pool = multiprocessing.get_context("fork").Pool(args.workers, _start_worker, (args.dataset, 64, scale))
    import keras

    from ganlab import latent, metrics, texture, viz

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    paintings = range(len(datasets.paintings())) if recipe.conditional else None
    print(f"{args.recipe} on {args.dataset}, options {args.options}, {args.steps} steps, scored every {args.every}; "
          f"Keras {keras.__version__} on {keras.backend.backend()}, {args.workers} crop workers", flush=True)

    def score(gan):
        if recipe.conditional:
            rows = [metrics.evaluate_paintings(latent.generate(gan.sampler, 250, seed=100 + label,
                                                               labels=np.full(250, label)), painting=label,
                                               scale=scale) for label in paintings]
            ratios = [row["fid"] / row["fid_floor"] for row in rows]
            return dict(mean_ratio=float(np.mean(ratios)), worst_ratio=float(np.max(ratios)),
                        kid=float(np.mean([row["kid"] for row in rows])),
                        share=float(np.mean([row["share"] for row in rows])))
        samples = metrics.evaluate_paintings(texture.texture_samples(gan.sampler, 500, seed=1),
                                             painting=args.dataset, scale=scale)
        canvas = texture.render_texture(gan.sampler, size=1024, seed=0, wander=128)
        crops = metrics.evaluate_paintings(texture.canvas_crops(canvas, 500, seed=0), painting=args.dataset,
                                           scale=scale)
        return dict(samples_ratio=samples["fid"] / samples["fid_floor"],
                    canvas_ratio=crops["fid"] / crops["fid_floor"], canvas_kid=crops["kid"], share=crops["share"])

    table = []
    for seed in args.seeds:
        gan = recipes.build_gan(args.recipe, args.dataset, seed=seed, size=64, options=args.options)
        trained, seconds = 0, 0.0
        while trained < args.steps:
            chunk = min(args.every, args.steps - trained)
            batches = pool.imap(_batch, [(seed, trained + i, batch_size) for i in range(chunk)], chunksize=8)
            start = time.perf_counter()
            feed = ((images, labels) if recipe.conditional else (images,) for images, labels in batches)
            gan.fit(feed, epochs=1, steps_per_epoch=chunk, verbose=0)
            seconds += time.perf_counter() - start
            trained += chunk
            row = dict(seed=seed, steps=int(gan.g_optimizer.iterations), seconds=round(seconds), **score(gan))
            table.append(row)
            print("  " + ", ".join(f"{key} {value:.3g}" if isinstance(value, float) else f"{key} {value}"
                                   for key, value in row.items()), flush=True)
        if recipe.conditional:
            grid = np.concatenate([latent.generate(gan.sampler, 8, seed=0, labels=np.full(8, label))
                                   for label in paintings])
        else:
            grid = texture.texture_samples(gan.sampler, 32, seed=0)
        viz.save_grid(grid, out / f"{args.recipe}_seed{seed}.png", nrow=8)
    pool.close()
    print()
    print(viz.markdown_table(table, digits=3))


if __name__ == "__main__":
    main()
