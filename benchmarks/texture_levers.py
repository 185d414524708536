"""What a few settings do for the texture GAN (chapter 10) at equal training time, scored on its canvas.

    python benchmarks/texture_levers.py [--seconds 180 | --steps 1000] [--painting starry_night] [--crops 500]
                                        [--variants recipe ema lr1e-3] [--out /tmp/texture_levers]

Trains the ``texture`` recipe's networks (``recipes.TEXTURE``) on crops of one painting once per
variant, each for the same wall-clock time after its first step (``callbacks.TimeLimit``), renders a
1024 x 1024 canvas from the run's sampler, cuts ``--crops`` random 64 x 64 crops of it and scores them
as chapter 10 does (``metrics.evaluate_paintings`` at the recipe's crop scale: FID / real-crop floor,
KID, the classifier's share). The rulers of ``metrics.nearby_real_crops`` (real crops at half
resolution, a little brighter, zoomed out) are scored once, to read the ratios against. Saves each
canvas as ``OUT/<variant>.png``: look at them.

The variants, each one change from the recipe:

- ``plain``: the networks and Adam of ``recipes.TEXTURE``, without a moving average of the
  generator (the recipe before stop 13).
- ``ema``: the generator's weights averaged with decay 0.999 (with the same warm-up as
  the DCGAN recipes), sampled from the average: the recipe as it now stands.
- ``lr1e-3``: ``plain`` with Adam 1e-3 for both networks instead of 5e-4.
- ``batch32``: ``plain`` with 32 crops a step instead of 16 (fewer steps in the same time).

Wall-clock times grow with the machine's load; the script prints the 1-minute load average before
and after each run. On a shared machine the step counts are lower bounds.
"""

import argparse
import os
import shutil
import time
from pathlib import Path

import numpy as np

VARIANTS = ("plain", "ema", "lr1e-3", "batch32")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="training time per variant")
    parser.add_argument("--steps", type=int, default=None,
                        help="train each variant for this many generator steps instead of --seconds (a "
                             "comparison that the machine's load cannot change; batch32 then gets half)")
    parser.add_argument("--painting", default="starry_night")
    parser.add_argument("--crops", type=int, default=500, help="64 x 64 canvas crops scored")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--out", default="/tmp/texture_levers", help="canvases go here")
    return parser.parse_args(argv)


def build(variant, seed):
    """The texture GAN of the recipe's networks and Adam with one change, and its settings."""
    import keras

    from ganlab import recipes, texture

    settings = dict(recipes.TEXTURE)
    if variant == "lr1e-3":
        settings["learning_rate"] = 1e-3
    if variant == "batch32":
        settings["batch_size"] = 32
    keras.utils.set_random_seed(seed)
    generator = texture.texture_generator(local_dim=settings["local_dim"], global_dim=settings["global_dim"],
                                          periodic_dim=settings["periodic_dim"], crop_size=64)
    discriminator = texture.texture_discriminator()

    def adam():
        return keras.optimizers.Adam(learning_rate=settings["learning_rate"], beta_1=settings["beta_1"],
                                     beta_2=settings["beta_2"])

    gan = texture.TextureGAN(generator, discriminator, seed=seed,
                             ema_decay=settings["ema_decay"] if variant == "ema" else None)
    gan.compile(d_optimizer=adam(), g_optimizer=adam(), loss="non_saturating")
    return gan, settings


def canvas_crops(canvas, n, seed):
    rng = np.random.default_rng(seed)
    tops = rng.integers(0, canvas.shape[0] - 64 + 1, n)
    lefts = rng.integers(0, canvas.shape[1] - 64 + 1, n)
    return np.stack([canvas[t:t + 64, left:left + 64] for t, left in zip(tops, lefts)])


def main(argv=None):
    args = parse_args(argv)
    from ganlab import callbacks, datasets, metrics, texture, viz

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    scale = None
    rows = []
    for name in args.variants:
        gan, settings = build(name, args.seed)
        scale = settings["crop_scale"]
        batches = datasets.image_crops(args.painting, 64, batch_size=settings["batch_size"], scale=scale,
                                       seed=args.seed)
        load_before = os.getloadavg()[0]
        start = time.time()
        if args.steps:  # equal work per crop: a variant with twice the batch gets half the steps
            steps = args.steps * 16 // settings["batch_size"]
            gan.fit(batches, epochs=1, steps_per_epoch=steps, verbose=0)
        else:
            gan.fit(batches, epochs=1, steps_per_epoch=10**6, callbacks=[callbacks.TimeLimit(args.seconds)],
                    verbose=0)
        wall = time.time() - start
        steps = int(gan.g_optimizer.iterations)
        canvas = texture.render_texture(gan.sampler, size=1024, seed=args.seed)
        viz.export_png(canvas, out / f"{name}.png")
        scores = metrics.evaluate_paintings(canvas_crops(canvas, args.crops, args.seed), painting=args.painting,
                                            scale=scale)
        rows.append(dict(variant=name, steps=steps, batch=settings["batch_size"],
                         load=f"{load_before:.1f}/{os.getloadavg()[0]:.1f}",
                         fid_ratio=scores["fid"] / scores["fid_floor"], kid=scores["kid"], share=scores["share"]))
        print(f"{name}: {steps} steps in {wall:.0f} s; canvas FID / floor {rows[-1]['fid_ratio']:.1f}, "
              f"KID {scores['kid']:.3f}, share {scores['share']:.2f}", flush=True)
    for ruler, images in metrics.nearby_real_crops(args.painting, args.crops, 64, scale=scale).items():
        scores = metrics.evaluate_paintings(images, painting=args.painting, scale=scale)
        rows.append(dict(variant=f"real crops: {ruler}", steps="-", batch="-", load="-",
                         fid_ratio=scores["fid"] / scores["fid_floor"], kid=scores["kid"], share=scores["share"]))
    print()
    print(viz.markdown_table(rows, columns=["variant", "steps", "batch", "load", "fid_ratio", "kid", "share"],
                             digits=3))
    budget = f"{args.steps} steps of 16 crops" if args.steps else f"{args.seconds:.0f} s of training"
    print(f"\n{budget} per variant on {args.painting}; canvases in {out}")


if __name__ == "__main__":
    main()
