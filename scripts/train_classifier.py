"""Train the MNIST classifier of ``ganlab.classifier`` (behind ``ganlab.metrics``) and save its weights.

    python scripts/train_classifier.py [--epochs 15] [--seed 0] [--out ganlab/assets/mnist_classifier.weights.h5]

It trains ``ganlab.classifier.build_mnist_classifier()`` on the offline train split
(the first 22,699 MNIST training images, found through ``GANLAB_DATA_DIR`` or
``--data-dir``) with small random shifts (up to 10% of the width) and rotations
(up to 10 degrees), Adam with a cosine-decayed learning rate, and prints the
accuracy on the 10,000 test images. Seeds are fixed and TensorFlow's
deterministic ops are on, so a rerun on the same software and CPU gives the
same weights. A changed weights file gets new cached FID statistics
automatically (the cache is keyed by the file's hash).
"""

import argparse
import hashlib
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganlab import classifier as gclassifier
from ganlab.datasets import MNIST_IMAGE_SHAPE, load_mnist, make_dataset


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None, help="directory with the MNIST files (default: GANLAB_DATA_DIR)")
    parser.add_argument("--out", default=str(gclassifier.get_classifier_spec("mnist").weights_path))
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    train_images, train_labels = load_mnist("train", data_dir=args.data_dir)
    test_images, test_labels = load_mnist("test", data_dir=args.data_dir)
    print(f"train: {len(train_images)} images, test: {len(test_images)} images")

    classifier = gclassifier.build_mnist_classifier()
    images = keras.Input(MNIST_IMAGE_SHAPE)
    augmented = keras.layers.RandomRotation(10 / 360, fill_mode="constant", fill_value=-1.0,
                                            seed=args.seed)(images)
    augmented = keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0,
                                               seed=args.seed + 1)(augmented)
    model = keras.Model(images, classifier(augmented))

    steps = args.epochs * int(np.ceil(len(train_images) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    dataset = make_dataset(train_images, train_labels, batch_size=args.batch_size, seed=args.seed)
    start = time.time()
    model.fit(dataset, epochs=args.epochs, verbose=2)
    print(f"trained in {time.time() - start:.0f} s")

    logits = classifier.predict(test_images, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(logits, axis=1) == test_labels))
    print(f"test accuracy: {accuracy:.4f} ({int(round(accuracy * len(test_labels)))} / {len(test_labels)})")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    classifier.save_weights(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB, sha256 {digest[:16]})")
    return accuracy


if __name__ == "__main__":
    main()
