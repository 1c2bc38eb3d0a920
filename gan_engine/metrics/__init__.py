"""Image-quality metrics computed on denormalised data (sensor units) with a known data range."""
