"""Real-crop floors of the painting metrics, and what pure noise scores.

    python benchmarks/painting_floors.py [--size 64] [--reference-n 2000] [--per-painting]

A floor is what real data scores: fresh real crops (the seed of
``metrics.PAINTING_FLOOR_SEED``, never used for the reference) against the
cached reference crops, through ``metrics.evaluate_paintings``. A second set of
fresh crops (seed 4) shows how much the floor itself moves with the draw. Then
uniform noise in [-1, 1], Gaussian noise (std 0.3, clipped) and flat grey are
scored: the class histogram shows that a classifier share alone proves little.
Prints markdown tables.
"""

import argparse
import time

import numpy as np

from ganlab import classifier, metrics
from ganlab.datasets import paintings, random_crops


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--reference-n", type=int, default=metrics.PAINTING_REFERENCE_N)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000], help="sample counts N")
    parser.add_argument("--per-painting", action="store_true", help="also the floors of each painting at N=1000")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    scale = classifier.PAINTING_CROP_SCALE
    print(f"size {args.size}, scale {scale}, reference N = {args.reference_n} (seed {metrics.PAINTING_REFERENCE_SEED})")
    print("\n| reference | samples | N | FID | KID | SWD | share / top class | seconds |\n"
          "|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for seed in (metrics.PAINTING_FLOOR_SEED, 4):
            start = time.time()
            crops = random_crops("paintings", n, args.size, scale=scale, seed=seed)
            scores = metrics.evaluate_paintings(crops, reference_n=args.reference_n, scale=scale, swd=True)
            top = int(np.argmax(scores["histogram"]))
            print(f"| all eight | fresh crops, seed {seed} | {n} | {scores['fid']:.4f} | {scores['kid']:.5f} | "
                  f"{scores['swd']:.4f} | top {paintings()[top].key} {scores['histogram'][top]:.3f} | "
                  f"{time.time() - start:.0f} |")
    n = args.sizes[0]
    rng = np.random.default_rng(0)
    noises = {"uniform noise": rng.uniform(-1, 1, (n, args.size, args.size, 3)),
              "Gaussian noise 0.3": np.clip(rng.normal(0, 0.3, (n, args.size, args.size, 3)), -1, 1),
              "flat grey": np.zeros((n, args.size, args.size, 3))}
    for name, images in noises.items():
        start = time.time()
        scores = metrics.evaluate_paintings(images.astype(np.float32), reference_n=args.reference_n, scale=scale,
                                            swd=True)
        top = int(np.argmax(scores["histogram"]))
        confidence = classifier.classifier_probabilities(images.astype(np.float32), "paintings").max(axis=1).mean()
        print(f"| all eight | {name} | {n} | {scores['fid']:.4f} | {scores['kid']:.5f} | {scores['swd']:.4f} | "
              f"top {paintings()[top].key} {scores['histogram'][top]:.3f} (mean top p {confidence:.2f}) | "
              f"{time.time() - start:.0f} |")
    if args.per_painting:
        print("\n| painting | N | FID floor | KID floor | share of fresh crops | uniform noise: share |\n"
              "|---|---|---|---|---|---|")
        for index, painting in enumerate(paintings()):
            crops = random_crops(painting.key, n, args.size, scale=scale, seed=metrics.PAINTING_FLOOR_SEED)
            scores = metrics.evaluate_paintings(crops, painting=index, reference_n=args.reference_n, scale=scale)
            noise = metrics.evaluate_paintings(noises["uniform noise"].astype(np.float32), painting=index,
                                               reference_n=args.reference_n, scale=scale)
            print(f"| {painting.key} | {n} | {scores['fid']:.4f} | {scores['kid']:.5f} | {scores['share']:.3f} | "
                  f"{noise['share']:.3f} |")


if __name__ == "__main__":
    main()
