"""Loss terms: each a registered ``Loss`` working on 2D and 3D batches.

Registered terms, by module (import one to register its terms):

* :mod:`~gan_engine.losses.pixel` — ``l1``, ``l2``, ``huber``, ``charbonnier`` (masks, band weights)
* :mod:`~gan_engine.losses.structural` — ``ssim``, ``tv``, ``gradient``
* :mod:`~gan_engine.losses.spectral` — ``sam``, ``histogram``
* :mod:`~gan_engine.losses.perceptual` — ``vgg``; :mod:`~gan_engine.losses.learned_perceptual` —
  ``lpips``; :mod:`~gan_engine.losses.feature_extractor` — ``feature`` (custom extractor)
* :mod:`~gan_engine.losses.adversarial` — ``bce``, ``relativistic``, ``hinge``, ``lsgan``
* :mod:`~gan_engine.losses.feature_matching` — ``feature_matching``

The trainer's R1 penalty and non-finite guard live in :mod:`gan_engine.training`.
"""
