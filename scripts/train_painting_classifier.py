"""Train the classifier of the eight paintings' crops ``"paintings"`` of ``ganlab.classifier`` and save it.

    python scripts/train_painting_classifier.py [--epochs 6] [--train-crops 16000] [--seed 0]
        [--out ganlab/assets/painting_classifier.weights.h5]

It cuts ``--train-crops`` random 64 x 64 crops of the shipped paintings
(``ganlab.datasets.random_crops("paintings", ..., scale=ganlab_classifier.PAINTING_CROP_SCALE,
labels=True, seed=seed)``: crop sides from 0.11 to 0.6 of the painting's shorter
side, the label is the painting's index), and trains
``ganlab.classifier.build_painting_classifier()`` on them with light augmentation
that keeps a painting's identity: brightness and contrast changed by up to 10%
and Gaussian pixel noise of standard deviation 0.03 (no flips, no hue changes:
colour and handedness are part of what a painting looks like). Adam with a
cosine-decayed learning rate. It then prints the accuracy on fresh crops (seed
``seed + 1``, never seen in training) at 64 x 64, and at 32 and 128 (cut at that
size and resized to 64 as ``painting_features`` does), per painting, and the
weights file's size. Seeds are fixed and TensorFlow's deterministic ops are on.
A changed weights file gets new cached reference statistics automatically (the
cache is keyed by the file's hash).
"""

import argparse
import hashlib
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganlab import classifier as ganlab_classifier
from ganlab.datasets import paintings, random_crops


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--train-crops", type=int, default=16_000)
    parser.add_argument("--test-crops", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ganlab_classifier.get_classifier_spec("paintings").weights_path))
    return parser.parse_args(argv)


def accuracy_on_fresh_crops(classifier, n, size, scale, seed):
    """Accuracy and per-painting accuracy on ``n`` fresh crops cut at ``size`` and resized to 64 x 64."""
    images, labels = random_crops("paintings", n, size, scale=scale, labels=True, seed=seed)
    logits = classifier.predict(ganlab_classifier.resize_for(images, "paintings"), batch_size=500, verbose=0)
    correct = np.argmax(logits, axis=1) == labels
    per_painting = [float(correct[labels == index].mean()) for index in range(len(paintings()))]
    return float(correct.mean()), per_painting


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    start = time.time()
    images, labels = random_crops("paintings", args.train_crops, ganlab_classifier.PAINTING_IMAGE_SHAPE[0],
                                  scale=ganlab_classifier.PAINTING_CROP_SCALE, labels=True, seed=args.seed)
    print(f"cut {len(images)} training crops in {time.time() - start:.0f} s")

    classifier = ganlab_classifier.build_painting_classifier()
    inputs = keras.Input(classifier.input_shape[1:])
    augmented = keras.layers.RandomBrightness(0.1, value_range=(-1.0, 1.0), seed=args.seed)(inputs)
    augmented = keras.layers.RandomContrast(0.1, value_range=(-1.0, 1.0), seed=args.seed + 1)(augmented)
    augmented = keras.layers.GaussianNoise(0.03, seed=args.seed + 2)(augmented)
    model = keras.Model(inputs, classifier(augmented))

    steps = args.epochs * int(np.ceil(len(images) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    dataset = (tf.data.Dataset.from_tensor_slices((images, labels))
               .shuffle(len(images), seed=args.seed).batch(args.batch_size).prefetch(tf.data.AUTOTUNE))
    start = time.time()
    model.fit(dataset, epochs=args.epochs, verbose=2)
    print(f"trained in {time.time() - start:.0f} s")

    keys = [p.key for p in paintings()]
    accuracy = None
    # 128-pixel crops need sides of at least 64 px (the package enlarges at most 2 times): scale from 0.22
    for size, scale in ((64, ganlab_classifier.PAINTING_CROP_SCALE), (32, ganlab_classifier.PAINTING_CROP_SCALE), (128, (0.22, 0.6))):
        value, per_painting = accuracy_on_fresh_crops(classifier, args.test_crops, size, scale, args.seed + 1)
        accuracy = value if size == 64 else accuracy
        listed = ", ".join(f"{key} {share:.3f}" for key, share in zip(keys, per_painting))
        print(f"accuracy on {args.test_crops} fresh {size} x {size} crops at scale {scale} (seed {args.seed + 1}): "
              f"{value:.4f} ({listed})")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    classifier.save_weights(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB, {classifier.count_params()} weights, "
          f"sha256 {digest[:16]})")
    return accuracy


if __name__ == "__main__":
    main()
