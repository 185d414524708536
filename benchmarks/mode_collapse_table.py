"""The five-seed mode-collapse table of chapter 3, from the command line.

Trains the toy recipes ``gan``, ``gan-ttur``, ``mbstd``, the controls ``ns-tuned`` and ``mbstd-tuned``, and
``wgan-gp`` on ``ring8`` (or
``grid25``) for each seed with ``ganlab.runs.train`` and their defaults, which
is exactly what

    ganlab train --model MODEL --dataset ring8 --seed S --out DIR

does, then scores 2,500 samples of each run as ``ganlab sample DIR --n 2500
--seed 0`` followed by ``ganlab evaluate`` would (``metrics.toy_metrics``:
covered modes, high-quality fraction, KL of the mode histogram), and prints
one row per run and a summary (mean and standard deviation over seeds) as
Markdown tables.

    python benchmarks/mode_collapse_table.py [--models gan gan-ttur mbstd ns-tuned mbstd-tuned wgan-gp]
        [--seeds 0 1 2 3 4]
        [--dataset ring8] [--out runs/mode_collapse]

Runs already finished in ``--out`` are loaded, not retrained; a fresh ``--out``
(the default is a new temporary directory) retrains everything.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from ganlab import metrics, runs, viz  # noqa: E402


def score_run(model, dataset, seed, out, n=2500):
    """Train (or load) one run with the recipe's defaults and return its row of the table."""
    run_dir = Path(out) / f"{model}-{dataset}-seed{seed}"
    start = time.perf_counter()
    if (run_dir / "config.json").is_file():
        runs.train(model, dataset, out=run_dir, seed=seed, resume=True, verbose=0)
    else:
        runs.train(model, dataset, out=run_dir, seed=seed, verbose=0)
    seconds = time.perf_counter() - start
    scores = metrics.toy_metrics(runs.sample(run_dir, n, seed=0), dataset)
    return {"model": model, "seed": seed, "modes": scores.modes, "high quality": scores.high_quality,
            "KL": scores.kl, "seconds": round(seconds)}


def summarize(rows, modes_total):
    """One row per model: mean and standard deviation over seeds of modes and high quality."""
    summary = []
    for model in dict.fromkeys(row["model"] for row in rows):
        mine = [row for row in rows if row["model"] == model]
        modes = np.array([row["modes"] for row in mine], dtype=float)
        quality = 100 * np.array([row["high quality"] for row in mine])
        spread = (lambda values: values.std(ddof=1) if len(values) > 1 else 0.0)
        summary.append({
            "model": model,
            "seeds": len(mine),
            f"modes (of {modes_total})": f"{modes.mean():.1f} ± {spread(modes):.1f}",
            "worst seed's modes": int(modes.min()),
            "high quality (%)": f"{quality.mean():.1f} ± {spread(quality):.1f}",
            "seconds per run": round(np.mean([row["seconds"] for row in mine])),
        })
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["gan", "gan-ttur", "mbstd", "ns-tuned", "mbstd-tuned", "wgan-gp"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--dataset", default="ring8", choices=["ring8", "grid25"])
    parser.add_argument("--out", default=None, help="directory of the runs (default: a new temporary one)")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="mode_collapse_"))
    print(f"runs in {out}", flush=True)
    rows = []
    for model in args.models:
        for seed in args.seeds:
            rows.append(score_run(model, args.dataset, seed, out))
            row = rows[-1]
            print(f"{model:8s} seed {seed}: {row['modes']} modes, {100 * row['high quality']:.1f}% high quality, "
                  f"KL {row['KL']:.3f}, {row['seconds']} s", flush=True)
    modes_total = len(runs.datasets.toy_distribution(args.dataset).centres)
    print()
    print(viz.markdown_table(rows, digits=4))
    print()
    print(viz.markdown_table(summarize(rows, modes_total)))


if __name__ == "__main__":
    main()
