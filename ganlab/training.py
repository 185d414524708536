"""A GAN as a ``keras.Model``: ``compile`` it with two optimizers, then ``fit`` it::

    gan = GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                loss="non_saturating")
    gan.fit(dataset, epochs=10)
    images = gan.generate(16, seed=1)

WGAN (weight clipping) and WGAN-GP are configurations of the same class: see
``ganlab.recipes.wgan_config`` and ``ganlab.recipes.wgan_gp_config``. ``train_step``
runs named phases (:meth:`GAN.unpack`, :meth:`GAN.sample_latents`,
:meth:`GAN.discriminator_step`, :meth:`GAN.clip_discriminator`,
:meth:`GAN.generator_step`, :meth:`GAN.update_moving_average`,
:meth:`GAN.update_trackers`) written with ``keras.ops``; only the gradients come
from the backend seam, ``ganlab.backends``, and TensorFlow is imported there, when a
``GAN`` first trains, not when this module is imported. On JAX, where a compiled step
may not change variables, ``ganlab.backends.jax`` runs the same phases on the
variables' values and returns the new ones (see :meth:`GAN.train_step`).
"""

import inspect

import keras
from keras import ops

from ganlab import backends

from ganlab import _checks
from ganlab.latent import generate
from ganlab.models import SpectralNormalization, nested_layers, normalize_spectra
from ganlab.losses import SMOOTHABLE, get_losses, gradient_penalty, r1_penalty


def _keras_spectral_layers(model):
    """Names of the layers of ``model`` (nested models included) wrapped in Keras' own spectral normalisation."""
    return [layer.layer.name for layer in nested_layers(model)
            if isinstance(layer, keras.layers.SpectralNormalization) and not isinstance(layer, SpectralNormalization)]


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
        keras_wrapped = _keras_spectral_layers(discriminator) if keras.backend.backend() == "torch" else []
        if keras_wrapped:
            raise ValueError(f"the discriminator wraps {', '.join(keras_wrapped)} in "
                             "keras.layers.SpectralNormalization, whose training calls PyTorch cannot differentiate "
                             "twice in one loss; wrap them in ganlab.models.SpectralNormalization instead.")
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
                gradient_penalty_weight=0.0, r1_weight=0.0, clip_value=None, label_smoothing=0.0, augment=None,
                **kwargs):
        """Configure training.

        Args:
            d_optimizer, g_optimizer: one Keras optimizer each.
            loss: a name in ``ganlab.losses.LOSSES``, or a pair of functions
                ``(d_loss_fn(real_logits, fake_logits), g_loss_fn(fake_logits))``.
            discriminator_steps: discriminator (critic) updates per generator update (n_critic).
            gradient_penalty_weight: lambda of WGAN-GP; 0 turns the penalty off.
            r1_weight: gamma of the R1 penalty on real data (``losses.r1_penalty``); 0 turns it off.
            clip_value: clip every discriminator weight to [-c, c] after each
                update (the original WGAN); None turns clipping off.
            label_smoothing: one-sided smoothing of the real target (0.1 gives 0.9).
            augment: None, or ``augment(images, seed_generator) -> images`` applied to the real and
                the generated images before every discriminator call (in both steps), so that the
                penalties too see augmented images, as in DiffAugment (Zhao et al., 2020).
            **kwargs: ``keras.Model.compile``'s (``steps_per_execution``, ...). On a backend whose
                trainer runs one step per call (PyTorch), ``steps_per_execution`` is run as 1: the same
                updates, more calls; :meth:`training_settings` records the value asked for.
        """
        self.requested_steps_per_execution = kwargs.get("steps_per_execution", 1)
        if self.requested_steps_per_execution > 1 and not self.backend.MULTI_STEP_EXECUTION:
            kwargs["steps_per_execution"] = 1  # the same updates, one call of the train function each
        super().compile(**kwargs)
        if isinstance(loss, str):
            self.d_loss_fn, self.g_loss_fn = get_losses(loss)
        elif isinstance(loss, (tuple, list)) and len(loss) == 2 and all(callable(f) for f in loss):
            self.d_loss_fn, self.g_loss_fn = loss
        else:
            raise ValueError(f"loss must be a name in ganlab.losses.LOSSES or a pair (d_loss_fn, g_loss_fn), "
                             f"got {loss!r}.")
        _checks.positive_int("discriminator_steps", discriminator_steps)
        if gradient_penalty_weight < 0:
            raise ValueError(f"gradient_penalty_weight must be >= 0, got {gradient_penalty_weight!r}.")
        if r1_weight < 0:
            raise ValueError(f"r1_weight must be >= 0, got {r1_weight!r}.")
        if clip_value is not None and clip_value <= 0:
            raise ValueError(f"clip_value must be positive or None, got {clip_value!r}.")
        if label_smoothing and isinstance(loss, str) and loss not in SMOOTHABLE:
            raise ValueError(f"label_smoothing applies to the losses {SMOOTHABLE}, not to {loss!r}.")
        if label_smoothing and not isinstance(loss, str) \
                and "label_smoothing" not in inspect.signature(self.d_loss_fn).parameters:
            raise ValueError("label_smoothing needs a discriminator loss with a label_smoothing argument.")
        if augment is not None and not callable(augment):
            raise ValueError(f"augment must be None or a function (images, seed_generator) -> images, "
                             f"got {augment!r}.")
        if d_optimizer is g_optimizer:
            raise ValueError("pass two different optimizer objects: each keeps its own state.")
        self.loss_name = loss if isinstance(loss, str) else None
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.discriminator_steps = discriminator_steps
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.r1_weight = float(r1_weight)
        self.clip_value = clip_value
        self.label_smoothing = float(label_smoothing)
        self.augment = augment
        self.probabilities = loss in ("minimax", "non_saturating") if isinstance(loss, str) else False
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", "d_real", "d_fake")}
        if self.gradient_penalty_weight:
            self.trackers["gradient_penalty"] = keras.metrics.Mean(name="gradient_penalty")
        if self.r1_weight:
            self.trackers["r1_penalty"] = keras.metrics.Mean(name="r1_penalty")

    def training_settings(self):
        """What ``compile`` (and the constructor) set that changes training, as a JSON-ready dict.

        Functions (a loss pair, ``augment``) are recorded by their module and name.
        """
        def name_of(function):
            return None if function is None else f"{function.__module__}.{function.__qualname__}"

        loss = self.loss_name or [name_of(self.d_loss_fn), name_of(self.g_loss_fn)]
        return dict(loss=loss, discriminator_steps=self.discriminator_steps,
                    gradient_penalty_weight=self.gradient_penalty_weight, r1_weight=self.r1_weight,
                    clip_value=self.clip_value, label_smoothing=self.label_smoothing, augment=name_of(self.augment),
                    ema_decay=self.ema_decay, steps_per_execution=int(self.requested_steps_per_execution))

    @property
    def backend(self):
        """The module that computes gradients for the running Keras backend (see ``ganlab.backends``)."""
        return backends.get()

    @property
    def metrics(self):
        return list(getattr(self, "trackers", {}).values())

    def build_optimizers(self):
        """Create both optimizers' state (needed before restoring a checkpoint); built ones are left alone."""
        if not self.d_optimizer.built:
            self.d_optimizer.build(self.discriminator.trainable_variables)
        if not self.g_optimizer.built:
            self.g_optimizer.build(self.generator.trainable_variables)

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def fit(self, *args, shuffle=False, **kwargs):
        """``keras.Model.fit``; ``shuffle`` defaults to False because data come as a
        ``tf.data.Dataset`` that shuffles itself (see ``ganlab.make_dataset``)."""
        return super().fit(*args, shuffle=shuffle, **kwargs)

    # ------------------------------------------------------------------ training, phase by phase
    # ``train_step`` runs the phases below in order. All are written with keras.ops; the gradients
    # come from ``ganlab.backends`` (the only backend-specific code).

    def unpack(self, data):
        """Split a batch from ``fit`` into ``(real_examples, real_labels)``; labels are None unless conditional."""
        if isinstance(data, (tuple, list)):
            if self.conditional:
                return data[0], ops.cast(data[1], "int32")
            return data[0], None
        if self.conditional:
            raise ValueError("a conditional GAN needs (examples, labels) batches.")
        return data, None

    def sample_latents(self, batch_size):
        """Draw the generator's inputs for one batch: ``(generator_inputs, labels)``.

        The default draws z ~ N(0, I) of shape (batch_size, latent_dim) from the seeded
        noise generator and, for a conditional GAN, labels uniform over the classes;
        ``generator_inputs`` is then ``[z, labels]``, else ``z``, and ``labels`` is None.
        Override it for generators that take other noise (several spatial noise inputs,
        say): return what to call the generator on, and the labels (or None) that the
        discriminator should see with the generated examples. Draw from
        ``self.seed_generator`` so that a seeded run is repeatable.
        """
        z = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        if not self.conditional:
            return z, None
        labels = keras.random.randint((batch_size,), 0, self.num_classes, seed=self.seed_generator, dtype="int32")
        return [z, labels], labels

    def _inputs(self, examples, labels):
        return examples if labels is None else [examples, labels]

    def _seen(self, images):
        """The images as the discriminator sees them: augmented, if ``compile`` was given ``augment``."""
        return images if self.augment is None else self.augment(images, self.seed_generator)

    def discriminator_loss(self, real, real_labels, fake, fake_labels):
        """The discriminator's loss on one batch, penalties included: ``(loss, terms)``.

        ``terms`` holds ``real_logits``, ``fake_logits`` and each penalty that is on
        (``gradient_penalty``, ``r1_penalty``), for the trackers.
        """
        real_seen, fake_seen = self._seen(real), self._seen(fake)
        real_logits = self.discriminator(self._inputs(real_seen, real_labels), training=True)
        fake_logits = self.discriminator(self._inputs(fake_seen, fake_labels), training=True)
        if self.label_smoothing:
            loss = self.d_loss_fn(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        else:
            loss = self.d_loss_fn(real_logits, fake_logits)
        terms = dict(real_logits=real_logits, fake_logits=fake_logits)
        if self.gradient_penalty_weight:
            terms["gradient_penalty"] = gradient_penalty(self.discriminator, real_seen, fake_seen,
                                                         self.gradient_penalty_weight, seed=self.seed_generator,
                                                         labels=real_labels)
            loss = loss + terms["gradient_penalty"]
        if self.r1_weight:
            terms["r1_penalty"] = r1_penalty(self.discriminator, real_seen, self.r1_weight, labels=real_labels)
            loss = loss + terms["r1_penalty"]
        return loss, terms

    def discriminator_step(self, real, real_labels):
        """One discriminator update on fresh fakes; returns ``(loss, terms)`` of :meth:`discriminator_loss`."""
        generator_inputs, fake_labels = self.sample_latents(ops.shape(real)[0])
        fake = self.generator(generator_inputs, training=True)
        normalize_spectra(self.discriminator)  # spectral norm: one power-iteration round, before the gradients
        variables = self.discriminator.trainable_variables
        loss, terms, grads = self.backend.loss_and_gradients(
            lambda: self.discriminator_loss(real, real_labels, fake, fake_labels), variables)
        self.d_optimizer.apply(grads, variables)
        return loss, terms

    def clip_discriminator(self):
        """Clip every discriminator weight to [-clip_value, clip_value] (the original WGAN), if clipping is on."""
        if self.clip_value is not None:
            for weight in self.discriminator.trainable_variables:
                weight.assign(ops.clip(weight, -self.clip_value, self.clip_value))

    def generator_loss(self, generator_inputs, labels):
        """The generator's loss on one batch of its inputs: ``(loss, None)``."""
        generated = self.generator(generator_inputs, training=True)
        generated_logits = self.discriminator(self._inputs(self._seen(generated), labels), training=True)
        return self.g_loss_fn(generated_logits), None

    def generator_step(self, batch_size):
        """One generator update on fresh latents; returns the loss."""
        generator_inputs, labels = self.sample_latents(batch_size)
        normalize_spectra(self.discriminator)  # D's step moved its kernels: normalise them again
        variables = self.generator.trainable_variables
        loss, _, grads = self.backend.loss_and_gradients(lambda: self.generator_loss(generator_inputs, labels),
                                                         variables)
        self.g_optimizer.apply(grads, variables)
        return loss

    def update_moving_average(self):
        """Move the averaged generator towards the current one (if ``ema_decay`` is set)."""
        if self.ema_generator is not None:
            updates = self.ema_updates
            decay = ops.minimum(self.ema_decay, (1.0 + updates) / (10.0 + updates))
            updates.assign(updates + 1.0)
            for average, current in zip(self.ema_generator.weights, self.generator.weights):
                average.assign(decay * average + (1.0 - decay) * current)

    def update_trackers(self, d_loss, g_loss, terms):
        """Update the loss and output trackers with the last step's values; return their results."""
        to_output = ops.sigmoid if self.probabilities else (lambda t: t)
        self.trackers["d_loss"].update_state(d_loss)
        self.trackers["g_loss"].update_state(g_loss)
        self.trackers["d_real"].update_state(ops.mean(to_output(terms["real_logits"])))
        self.trackers["d_fake"].update_state(ops.mean(to_output(terms["fake_logits"])))
        for penalty in ("gradient_penalty", "r1_penalty"):
            if penalty in self.trackers:
                self.trackers[penalty].update_state(terms[penalty])
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def train_step(self, *args):
        """One training step, ``run_phases(data)``; returns the trackers' results.

        Keras's JAX trainer calls ``train_step(state, data)`` with the variables' values as ``state``
        and expects ``(logs, state)`` back: ``ganlab.backends.jax.train_step`` runs the same phases on
        those values.
        """
        if len(args) == 2:
            return self.backend.train_step(self, *args)
        return self.run_phases(*args)

    def run_phases(self, data):
        """The phases of one training step on one batch, in order; returns the trackers' results."""
        real, real_labels = self.unpack(data)
        for _ in range(self.discriminator_steps):
            d_loss, terms = self.discriminator_step(real, real_labels)
            self.clip_discriminator()
        g_loss = self.generator_step(ops.shape(real)[0])
        self.update_moving_average()
        return self.update_trackers(d_loss, g_loss, terms)

    # ------------------------------------------------------------------ Keras's JAX trainer
    # It carries every variable's value through its compiled step as a state tuple whose optimizer
    # part is ``self.optimizer``'s variables; a GAN has two optimizers, so ``ganlab.backends.jax``
    # builds and writes back that part from ``d_optimizer`` and ``g_optimizer`` instead.

    def _get_jax_state(self, **parts):
        return self.backend.get_state(self, **parts)

    def jax_state_sync(self):
        self.backend.sync_state(self)

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
