"""What a few settings do for the texture GAN (chapter 10) at equal training time, scored on its canvas.

    python benchmarks/texture_levers.py [--seconds 180 | --steps 1000 [--every 500]] [--painting starry_night]
                                        [--crops 500] [--variants plain ema lr1e-3 batch32 r1-0.1 r1-1]
                                        [--wander 128] [--out /tmp/texture_levers]

Trains the ``texture`` recipe's networks (``recipes.TEXTURE``) on crops of one painting once per
variant, each for the same wall-clock time after its first step (``callbacks.TimeLimit``), renders a
1024 x 1024 canvas from the run's sampler (with ``--wander PIXELS``, its global noise wandering as
chapter 10's wandering canvas does), cuts ``--crops`` random 64 x 64 crops of it and scores them
as chapter 10 does (``metrics.evaluate_paintings`` at the recipe's crop scale: FID / real-crop floor,
KID, the classifier's share). The rulers of ``metrics.nearby_real_crops`` (real crops at half
resolution, a little brighter, zoomed out) are scored once, to read the ratios against. Saves each
canvas as ``OUT/<variant>.png``: look at them. With ``--steps`` and ``--every N``, it also scores
``--crops`` samples at the training size (two sets, a global vector each) every N steps, to show how
much the score moves during training.

The variants, each one change from the recipe:

- ``plain``: the networks and Adam of ``recipes.TEXTURE``, without a moving average of the
  generator (the recipe before stop 13).
- ``ema``: the generator's weights averaged with decay 0.999 (with the same warm-up as
  the DCGAN recipes), sampled from the average: the recipe as it now stands.
- ``lr1e-3``: ``plain`` with Adam 1e-3 for both networks instead of 5e-4.
- ``batch32``: ``plain`` with 32 crops a step instead of 16 (fewer steps in the same time).
- ``r1-0.1``, ``r1-1``: ``ema`` with the R1 penalty on real crops (Mescheder et al., 2018), gamma 0.1
  or 1 (the gradient of the sum of D's field of verdicts, one per 16 x 16 patch at 64 x 64).

Wall-clock times grow with the machine's load; the script prints the 1-minute load average before
and after each run. On a shared machine the step counts are lower bounds.
"""

import argparse
import os
import shutil
import time
from pathlib import Path


VARIANTS = ("plain", "ema", "lr1e-3", "batch32", "r1-0.1", "r1-1")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="training time per variant")
    parser.add_argument("--steps", type=int, default=None,
                        help="train each variant for this many generator steps instead of --seconds (a "
                             "comparison that the machine's load cannot change; batch32 then gets half)")
    parser.add_argument("--every", type=int, default=None,
                        help="with --steps: score samples at the training size every this many steps")
    parser.add_argument("--wander", type=int, default=None,
                        help="pixels between the global vectors of the canvas (default: one vector)")
    parser.add_argument("--painting", default="starry_night")
    parser.add_argument("--crops", type=int, default=500, help="64 x 64 canvas crops scored")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--out", default="/tmp/texture_levers", help="canvases go here")
    return parser.parse_args(argv)


# each variant: the options of recipes.build_gan("texture", ...) and the batch size it trains with
VARIANT_OPTIONS = {
    "plain": dict(ema_decay=None),
    "ema": dict(),
    "lr1e-3": dict(ema_decay=None, learning_rate=1e-3),
    "batch32": dict(ema_decay=None),
    "r1-0.1": dict(r1_weight=0.1),
    "r1-1": dict(r1_weight=1.0),
}


def build(variant, painting, seed):
    """The ``texture`` recipe's GAN with one change (``VARIANT_OPTIONS``), and the batch size it trains with."""
    from ganlab import recipes

    gan = recipes.build_gan("texture", painting, seed=seed, size=64, options=VARIANT_OPTIONS[variant])
    return gan, 32 if variant == "batch32" else recipes.TEXTURE["batch_size"]


def main(argv=None):
    args = parse_args(argv)
    from ganlab import callbacks, datasets, metrics, recipes, texture, viz

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    scale = recipes.TEXTURE["crop_scale"]
    rows = []

    def sample_ratio(generator, seed):
        scores = metrics.evaluate_paintings(texture.texture_samples(generator, args.crops, seed=seed),
                                            painting=args.painting, scale=scale)
        return scores["fid"] / scores["fid_floor"]

    for name in args.variants:
        gan, batch_size = build(name, args.painting, args.seed)
        batches = datasets.image_crops(args.painting, 64, batch_size=batch_size, scale=scale, seed=args.seed)
        load_before = os.getloadavg()[0]
        start, scoring = time.time(), 0.0
        if args.steps:  # equal work per crop: a variant with twice the batch gets half the steps
            steps = args.steps * recipes.TEXTURE["batch_size"] // batch_size
            every = args.every or steps
            for done in range(0, steps, every):
                gan.fit(batches, epochs=1, steps_per_epoch=min(every, steps - done), verbose=0)
                if args.every:
                    scored = time.time()
                    ratios = [sample_ratio(gan.sampler, seed) for seed in (1, 2)]
                    print(f"  {name} at {int(gan.g_optimizer.iterations)} steps ({scored - start - scoring:.0f} s "
                          "of training): "
                          f"samples FID / floor {ratios[0]:.1f}, {ratios[1]:.1f}", flush=True)
                    scoring += time.time() - scored
        else:
            gan.fit(batches, epochs=1, steps_per_epoch=10**6, callbacks=[callbacks.TimeLimit(args.seconds)],
                    verbose=0)
        wall = time.time() - start - scoring  # training only
        steps = int(gan.g_optimizer.iterations)
        canvas = texture.render_texture(gan.sampler, size=1024, seed=args.seed, wander=args.wander)
        viz.export_png(canvas, out / f"{name}.png")
        crops = texture.canvas_crops(canvas, args.crops, seed=args.seed)
        scores = metrics.evaluate_paintings(crops, painting=args.painting, scale=scale)
        rows.append(dict(variant=name, steps=steps, batch=batch_size,
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
