"""Image-quality metrics computed on denormalised data (sensor units) with a known data range.

Each returns one value per sample (``[B]``) for 2D and 3D batches: :func:`~gan_engine.metrics.psnr.psnr`
(dB), :func:`~gan_engine.metrics.ssim.ssim`, :func:`~gan_engine.metrics.sam.sam` (degrees) and
:class:`~gan_engine.metrics.lpips.LPIPSMetric` / :func:`~gan_engine.metrics.lpips.lpips_metric`.
"""
