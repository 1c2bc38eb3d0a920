# Minimal stub for rasterio.io: dataset readers and writers.
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt
from affine import Affine

from rasterio.crs import CRS
from rasterio.windows import Window

class DatasetBase:
    name: str
    count: int
    width: int
    height: int
    dtypes: tuple[str, ...]
    nodata: float | None
    nodatavals: tuple[float | None, ...]
    crs: CRS | None
    transform: Affine
    def close(self) -> None: ...

class DatasetReader(DatasetBase):
    def __enter__(self) -> DatasetReader: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def read(
        self,
        indexes: int | list[int] | None = ...,
        out: npt.NDArray[Any] | None = ...,
        window: Window | None = ...,
        masked: bool = ...,
        out_dtype: Any = ...,
        **kwargs: Any,
    ) -> npt.NDArray[Any]: ...

class DatasetWriter(DatasetBase):
    def __enter__(self) -> DatasetWriter: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def write(
        self,
        arr: npt.NDArray[np.generic],
        indexes: int | list[int] | None = ...,
        window: Window | None = ...,
    ) -> None: ...
