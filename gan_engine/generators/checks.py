"""Argument and input checks every generator makes, with the same messages everywhere.

A generator calls :func:`check_arguments` in ``__init__`` and :func:`check_input` at the top of
``forward``; both name the generator (``owner``) in their messages::

    check_arguments("MyNet", spatial_dims, in_channels, out_channels, global_skip=params.skip)
    ...
    check_input("MyNet", lr, self.spatial_dims, self.in_channels)
"""

from __future__ import annotations

from collections.abc import Collection

from torch import Tensor

from gan_engine.errors import InvalidParamError


def check_arguments(
    owner: str,
    spatial_dims: int,
    in_channels: int,
    out_channels: int,
    *,
    dims: Collection[int] = (2, 3),
    global_skip: bool = False,
) -> None:
    """Validate a generator's constructor arguments.

    Args:
        owner: the generator's name, for the messages.
        spatial_dims: must be one of ``dims``.
        in_channels: at least 1.
        out_channels: at least 1.
        dims: the spatial dims the generator supports.
        global_skip: the generator adds the upsampled input to its output, so it needs
            ``in_channels == out_channels`` (an :class:`~gan_engine.errors.InvalidParamError` on the
            ``global_skip`` parameter otherwise).

    Raises:
        ValueError: on an unsupported ``spatial_dims`` or a channel count below 1.
        InvalidParamError: on ``global_skip`` with different channel counts.
    """
    if spatial_dims not in dims:
        choices = " or ".join(str(dim) for dim in sorted(dims))
        msg = f"{owner}: spatial_dims must be {choices}, got {spatial_dims!r}"
        raise ValueError(msg)
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if value < 1:
            msg = f"{owner}: {name} must be >= 1, got {value}"
            raise ValueError(msg)
    if global_skip and in_channels != out_channels:
        msg = (
            "adds the upsampled input to the output, so it needs in_channels == out_channels, got "
            f"in_channels={in_channels} and out_channels={out_channels}; set global_skip to false "
            "to map between band counts"
        )
        raise InvalidParamError(key="global_skip", message=msg)


def check_input(
    owner: str, lr: Tensor, spatial_dims: int, in_channels: int, *, multiple: int = 1
) -> None:
    """Check that ``lr`` is ``[B, in_channels, *S]`` with ``spatial_dims`` axes, each a ``multiple``.

    Raises:
        ValueError: naming ``owner``, the expected and the given shape.
    """
    if lr.ndim != spatial_dims + 2 or lr.shape[1] != in_channels:
        axes = "H, W" if spatial_dims == 2 else "D, H, W"
        msg = f"{owner} expects lr of shape [B, {in_channels}, {axes}], got {tuple(lr.shape)}"
        raise ValueError(msg)
    if multiple > 1 and any(size % multiple for size in lr.shape[2:]):
        even = "even input sizes" if multiple == 2 else f"input sizes divisible by {multiple}"
        msg = f"{owner} needs {even}, got {tuple(lr.shape[2:])}"
        raise ValueError(msg)
