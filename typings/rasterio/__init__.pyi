# Minimal stub for rasterio (no inline types): the parts GAN-Engine's GeoTIFF reader and writer use.
from os import PathLike
from typing import Any, Literal, overload

from affine import Affine

from rasterio.crs import CRS
from rasterio.io import DatasetReader, DatasetWriter

__version__: str

@overload
def open(
    fp: str | PathLike[str],
    mode: Literal["r"] = ...,
    driver: str | None = ...,
    **kwargs: Any,
) -> DatasetReader: ...
@overload
def open(
    fp: str | PathLike[str],
    mode: Literal["w"],
    driver: str | None = ...,
    width: int | None = ...,
    height: int | None = ...,
    count: int | None = ...,
    crs: CRS | str | None = ...,
    transform: Affine | None = ...,
    dtype: Any = ...,
    nodata: float | None = ...,
    **kwargs: Any,
) -> DatasetWriter: ...

class Env:
    def __init__(self, **options: Any) -> None: ...
    def __enter__(self) -> Env: ...
    def __exit__(self, *args: object) -> None: ...
