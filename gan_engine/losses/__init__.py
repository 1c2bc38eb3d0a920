"""Loss terms: each a registered ``Loss`` working on 2D and 3D batches.

Registered terms, by module (import one to register its terms):

* :mod:`~gan_engine.losses.pixel` — ``l1``, ``l2``, ``huber``, ``charbonnier`` (masks, band weights)
* :mod:`~gan_engine.losses.structural` — ``ssim``, ``tv``, ``gradient``
* :mod:`~gan_engine.losses.spectral` — ``sam``, ``histogram``
* :mod:`~gan_engine.losses.perceptual` — ``vgg``; :mod:`~gan_engine.losses.learned_perceptual` —
  ``lpips``; :mod:`~gan_engine.losses.feature_extractor` — ``feature`` (custom extractor)
* :mod:`~gan_engine.losses.adversarial` — ``bce``, ``relativistic``, ``hinge``, ``lsgan``
* :mod:`~gan_engine.losses.feature_matching` — ``feature_matching``

Helpers for the trainer: :func:`~gan_engine.losses.penalties.r1_penalty` and
:func:`~gan_engine.losses.guard.check_finite`.
"""
