# Minimal stub for rasterio.transform.
from affine import Affine

def from_origin(west: float, north: float, xsize: float, ysize: float) -> Affine: ...
