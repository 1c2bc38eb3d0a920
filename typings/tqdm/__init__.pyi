# Minimal stub of what gan-engine uses from tqdm (no py.typed upstream).
from types import TracebackType
from typing import Any

class tqdm:
    def __init__(
        self,
        iterable: Any = ...,
        desc: str | None = ...,
        total: float | None = ...,
        leave: bool | None = ...,
        unit: str = ...,
        disable: bool | None = ...,
        position: int | None = ...,
        **kwargs: Any,
    ) -> None: ...
    def update(self, n: float | None = ...) -> bool | None: ...
    def close(self) -> None: ...
    def set_postfix_str(self, s: str = ..., refresh: bool = ...) -> None: ...
    def __enter__(self) -> tqdm: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
