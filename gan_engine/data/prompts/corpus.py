"""The embedded prompt corpus: prompts written for the sample photos, rasters and MRI volumes.

Used by ``sample_prompted_photos``, ``sample_prompted_multispectral`` and ``sample_prompted_mri``;
nothing is downloaded. Each prompt describes what the image shows, so a text-conditioned model has
something to learn from; keys are the sample names the plain sample datasets use.
"""

from __future__ import annotations

PHOTO_PROMPTS: dict[str, str] = {
    "astronaut": "a portrait of a smiling astronaut in a white spacesuit beside the American flag",
    "chelsea": "a close-up of a tabby cat with ginger and grey striped fur looking to the side",
    "coffee": "a cup of coffee on a white saucer with a spoon, on a warm brown background",
    "rocket": "a white rocket standing on its launch pad under a clear blue sky",
    "hubble_deep_field": "a deep field of many small distant galaxies on a black sky",
    "ihc": "a microscope slide of stained tissue with brown and blue cells",
    "motorcycle_left": "a red and black motorcycle parked in a cluttered workshop, left view",
    "motorcycle_right": "a red and black motorcycle parked in a cluttered workshop, right view",
    "retina": "a fundus photograph of a human retina with red blood vessels and a bright optic disc",
}
"""Prompts of the scikit-image photos (``sample_photos``)."""

MULTISPECTRAL_PROMPTS: dict[str, str] = {
    name: f"a four-band reflectance scene with a near-infrared band of {prompt[2:]}"
    for name, prompt in PHOTO_PROMPTS.items()
}
"""Prompts of the 4-band GeoTIFF scenes made from the photos (``sample_multispectral``)."""

MRI_PROMPTS: dict[str, str] = {
    "example4d": "an echo-planar functional MRI volume of a human brain, thick axial slices",
    "anatomical": "a structural MRI volume of a human brain, normalised to a template, grey matter",
}
"""Prompts of nibabel's sample scans (``sample_mri``), by file stem."""
