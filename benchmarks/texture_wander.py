"""How far apart should the global vectors of a wandering texture canvas be? Scores over several seeds.

    python benchmarks/texture_wander.py RUN [--painting starry_night] [--wander none 512 256 192 128 96]
                                            [--seeds 5] [--size 1024 2048] [--crops 500] [--reference-n 2000]

For a finished texture run (``ganlab train --model texture ...``), renders a canvas of ``--size`` for each
seed and each spacing of ``texture.render_texture(..., wander=...)`` (``none``: one global vector for the
whole canvas), cuts ``--crops`` random 64 x 64 crops of it (``texture.canvas_crops``) and scores them as
chapter 10 does (``metrics.evaluate_paintings`` at the texture recipe's crop scale): FID / real-crop floor.
Then the same for as many sets of the generator's samples at the training size. Prints one row per
spacing with the ratio of every seed and their mean. No training: a few seconds a canvas on 2 CPU cores.
"""

import argparse

import numpy as np


def spacing(text):
    if text.lower() == "none":
        return None
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"a spacing is a positive number of pixels or 'none', got {text!r}")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="a texture run directory")
    parser.add_argument("--painting", default="starry_night",
                        help="the painting the run learned (the scores' reference)")
    parser.add_argument("--wander", type=spacing, nargs="+", default=[None, 512, 256, 192, 128, 96])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--size", type=int, nargs=2, default=(1024, 2048), metavar=("HEIGHT", "WIDTH"))
    parser.add_argument("--crops", type=int, default=500)
    parser.add_argument("--reference-n", type=int, default=2000)
    args = parser.parse_args(argv)

    from ganlab import metrics, recipes, texture
    from ganlab.rundir import RunDir

    generator = RunDir(args.run).load_generator()  # what `ganlab render` paints with (the moving average)
    scale = recipes.TEXTURE["crop_scale"]

    def ratio(images):
        score = metrics.evaluate_paintings(images, painting=args.painting, scale=scale, reference_n=args.reference_n)
        return score["fid"] / score["fid_floor"]

    print(f"{args.run}: FID / real-crop floor of {args.crops} crops of {args.size[0]} x {args.size[1]} canvases")
    for wander in args.wander:
        ratios = [ratio(texture.canvas_crops(texture.render_texture(generator, size=tuple(args.size), seed=seed,
                                                                    wander=wander), args.crops, seed=seed))
                  for seed in range(args.seeds)]
        name = "one global vector" if wander is None else f"wander {wander} px"
        print(f"{name:>18}: " + " ".join(f"{r:6.1f}" for r in ratios) + f"   mean {np.mean(ratios):6.1f}", flush=True)
    ratios = [ratio(texture.texture_samples(generator, args.crops, seed=seed + 1)) for seed in range(args.seeds)]
    print(f"{'samples (64 x 64)':>18}: " + " ".join(f"{r:6.1f}" for r in ratios) + f"   mean {np.mean(ratios):6.1f}")


if __name__ == "__main__":
    main()
