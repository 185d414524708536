"""A GAN as a ``keras.Model``: ``compile`` it with two optimizers, then ``fit`` it::

    gan = GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                loss="non_saturating")
    gan.fit(dataset, epochs=10)
    images = gan.generate(16, seed=1)

WGAN (weight clipping) and WGAN-GP are configurations of the same class: see
:func:`wgan_config` and :func:`wgan_gp_config`.
"""

import keras
import tensorflow as tf
from keras import ops

from ganlab import _checks
from ganlab.latent import generate
from ganlab.losses import SMOOTHABLE, get_losses, gradient_penalty


class GAN(keras.Model):
    """A generator and a discriminator trained against each other by ``fit``.

    ``fit`` takes batches of real examples, or ``(examples, labels)`` for a
    conditional pair (whose models take ``[inputs, labels]``). Each
    ``train_step`` makes ``discriminator_steps`` discriminator updates on the
    batch (fresh latent noise each time) and one generator update. Latent
    noise is drawn to the size of each batch (the last one may be smaller)
    from a ``keras.random.SeedGenerator``, so a seeded run is repeatable.

    Args:
        generator: maps latent vectors (and labels) to examples.
        discriminator: maps examples (and labels) to one logit / score each.
        seed: seed of the latent noise and of the gradient-penalty mixing.
        ema_decay: if set (e.g. 0.999), keep an exponential moving average of
            the generator's weights (Yazici et al., 2019) and sample from it.
            The decay warms up as min(ema_decay, (1 + t) / (10 + t)) after t
            updates, so early samples are not dominated by the random start.
    """

    def __init__(self, generator, discriminator, seed=None, ema_decay=None, **kwargs):
        super().__init__(**kwargs)
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1) or None, got {ema_decay!r}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = _checks.latent_dim(generator)
        self.conditional = _checks.is_conditional(generator)
        self.num_classes = _checks.num_classes(generator) if self.conditional else None
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.ema_decay = ema_decay
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_updates = keras.Variable(0.0, trainable=False, name="ema_updates")
        self.built = True

    def compile(self, d_optimizer, g_optimizer, loss="non_saturating", discriminator_steps=1,
                gradient_penalty_weight=0.0, clip_value=None, label_smoothing=0.0, **kwargs):
        """Configure training.

        Args:
            d_optimizer, g_optimizer: one Keras optimizer each.
            loss: a name in ``ganlab.losses.LOSSES``.
            discriminator_steps: discriminator (critic) updates per generator update (n_critic).
            gradient_penalty_weight: lambda of WGAN-GP; 0 turns the penalty off.
            clip_value: clip every discriminator weight to [-c, c] after each
                update (the original WGAN); None turns clipping off.
            label_smoothing: one-sided smoothing of the real target (0.1 gives 0.9).
        """
        super().compile(**kwargs)
        self.d_loss_fn, self.g_loss_fn = get_losses(loss)
        if isinstance(discriminator_steps, bool) or not isinstance(discriminator_steps, int) \
                or discriminator_steps < 1:
            raise ValueError(f"discriminator_steps must be a positive integer, got {discriminator_steps!r}.")
        if gradient_penalty_weight < 0:
            raise ValueError(f"gradient_penalty_weight must be >= 0, got {gradient_penalty_weight!r}.")
        if clip_value is not None and clip_value <= 0:
            raise ValueError(f"clip_value must be positive or None, got {clip_value!r}.")
        if label_smoothing and loss not in SMOOTHABLE:
            raise ValueError(f"label_smoothing applies to the losses {SMOOTHABLE}, not to {loss!r}.")
        if d_optimizer is g_optimizer:
            raise ValueError("pass two different optimizer objects: each keeps its own state.")
        self.loss_name = loss
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.discriminator_steps = discriminator_steps
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.clip_value = clip_value
        self.label_smoothing = float(label_smoothing)
        self.probabilities = loss in ("minimax", "non_saturating")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", "d_real", "d_fake")}
        if self.gradient_penalty_weight:
            self.trackers["gradient_penalty"] = keras.metrics.Mean(name="gradient_penalty")

    @property
    def metrics(self):
        return list(getattr(self, "trackers", {}).values())

    def build_optimizers(self):
        """Create both optimizers' state (needed before restoring a checkpoint)."""
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def fit(self, *args, shuffle=False, **kwargs):
        """``keras.Model.fit``; ``shuffle`` defaults to False because data come as a
        ``tf.data.Dataset`` that shuffles itself (see ``ganlab.make_dataset``)."""
        return super().fit(*args, shuffle=shuffle, **kwargs)

    # ------------------------------------------------------------------ training

    def _inputs(self, examples, labels):
        return examples if labels is None else [examples, labels]

    def _sample_latents(self, batch_size):
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        labels = None
        if self.conditional:
            labels = keras.random.randint((batch_size,), 0, self.num_classes, seed=self.seed_generator,
                                          dtype="int32")
        return z, labels

    def _discriminator_loss(self, real_logits, fake_logits):
        if self.label_smoothing:
            return self.d_loss_fn(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        return self.d_loss_fn(real_logits, fake_logits)

    def train_step(self, data):
        if isinstance(data, (tuple, list)):
            if self.conditional:
                real, real_labels = data[0], ops.cast(data[1], "int32")
            else:
                real, real_labels = data[0], None
        else:
            if self.conditional:
                raise ValueError("a conditional GAN needs (examples, labels) batches.")
            real, real_labels = data, None
        batch_size = ops.shape(real)[0]

        for _ in range(self.discriminator_steps):
            z, fake_labels = self._sample_latents(batch_size)
            fake = self.generator(self._inputs(z, fake_labels), training=True)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator(self._inputs(real, real_labels), training=True)
                fake_logits = self.discriminator(self._inputs(fake, fake_labels), training=True)
                d_loss = self._discriminator_loss(real_logits, fake_logits)
                if self.gradient_penalty_weight:
                    penalty = gradient_penalty(self.discriminator, real, fake, self.gradient_penalty_weight,
                                               seed=self.seed_generator, labels=real_labels)
                    d_loss = d_loss + penalty
            grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
            self.d_optimizer.apply(grads, self.discriminator.trainable_variables)
            if self.clip_value is not None:
                for weight in self.discriminator.trainable_variables:
                    weight.assign(ops.clip(weight, -self.clip_value, self.clip_value))

        z, fake_labels = self._sample_latents(batch_size)
        with tf.GradientTape() as tape:
            generated = self.generator(self._inputs(z, fake_labels), training=True)
            generated_logits = self.discriminator(self._inputs(generated, fake_labels), training=True)
            g_loss = self.g_loss_fn(generated_logits)
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply(grads, self.generator.trainable_variables)
        if self.ema_generator is not None:
            updates = self.ema_updates
            decay = ops.minimum(self.ema_decay, (1.0 + updates) / (10.0 + updates))
            updates.assign(updates + 1.0)
            for average, current in zip(self.ema_generator.weights, self.generator.weights):
                average.assign(decay * average + (1.0 - decay) * current)

        to_output = ops.sigmoid if self.probabilities else (lambda t: t)
        self.trackers["d_loss"].update_state(d_loss)
        self.trackers["g_loss"].update_state(g_loss)
        self.trackers["d_real"].update_state(ops.mean(to_output(real_logits)))
        self.trackers["d_fake"].update_state(ops.mean(to_output(fake_logits)))
        if self.gradient_penalty_weight:
            self.trackers["gradient_penalty"].update_state(penalty)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    # ------------------------------------------------------------------ sampling

    @property
    def sampler(self):
        """The generator used for sampling: the moving average if there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def generate(self, n, seed=None, labels=None, latents=None, batch_size=500):
        """Generate ``n`` examples as a numpy array; the same seed gives the same examples.

        Args:
            n: how many.
            seed: seed of the latent vectors (numpy's generator; independent of training).
            labels: class labels for a conditional GAN (default: 0, 1, 2, ... cycling).
            latents: use these latent vectors (shape (n, latent_dim)) instead of drawing them.
        """
        return generate(self.sampler, n, seed=seed, labels=labels, latents=latents, batch_size=batch_size)


# ---------------------------------------------------------------------- published configurations


def wgan_config():
    """The original WGAN's settings (Arjovsky et al., 2017, Algorithm 1).

    RMSProp with learning rate 5e-5, clipping c = 0.01, n_critic = 5.
    Returns ``(compile_kwargs, optimizer_factory)``.
    """
    compile_kwargs = dict(loss="wasserstein", discriminator_steps=5, clip_value=0.01)
    return compile_kwargs, lambda: keras.optimizers.RMSprop(learning_rate=5e-5)


def wgan_gp_config():
    """WGAN-GP's settings (Gulrajani et al., 2017, Algorithm 1).

    lambda = 10, n_critic = 5, Adam with learning rate 1e-4, beta1 = 0, beta2 = 0.9.
    Returns ``(compile_kwargs, optimizer_factory)``.
    """
    compile_kwargs = dict(loss="wasserstein", discriminator_steps=5, gradient_penalty_weight=10.0)
    return compile_kwargs, lambda: keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)


def dcgan_config(learning_rate=2e-4):
    """DCGAN's settings (Radford et al., 2016): Adam with learning rate 2e-4 and beta1 = 0.5.

    Args:
        learning_rate: Adam's learning rate for both networks; the default is the paper's.
            The ``"dcgan"`` recipe of ``ganlab.runs`` uses ten times more (see its
            ``learning_rate``).

    Returns ``(compile_kwargs, optimizer_factory)``.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}.")
    compile_kwargs = dict(loss="non_saturating", discriminator_steps=1)
    return compile_kwargs, lambda: keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.5)
