"""``torch.compile`` for tiled inference, falling back to eager mode when compilation fails.

Inference compiles with weight freezing: the weights become constants, so Inductor folds them
into its convolution calls and fuses the activations and residual additions around them (one pass
over each feature map instead of three). On the benchmark CPU a 474² tile of SRResNet 64/16 ×4
runs 1.15–1.26× faster (BENCHMARKS.md); compiling costs some seconds per tile shape, which every
tile of a raster shares (``dynamic=False``: one specialised program per shape).

Compiling needs a working C++ compiler on CPUs (Triton on GPUs). Where it fails, the model runs
eagerly after a :class:`CompileFallbackWarning` that says why: nothing computed is lost.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor, nn
from torch._dynamo.exc import TorchDynamoException

from gan_engine.nn.inference_forms import prepare_inference


def _reason(error: TorchDynamoException) -> str:
    """The cause of a compilation failure, in one line (the compiler's error, not the wrapper's)."""
    cause: BaseException = getattr(error, "inner_exception", None) or error
    lines = [line for line in str(cause).splitlines() if line.strip()]
    return f"{type(cause).__name__}: {lines[0] if lines else 'no message'}"


class CompileFallbackWarning(UserWarning):
    """``torch.compile`` failed on this machine; inference goes on in eager mode."""


class CompiledInference:
    """Calls ``model`` through ``torch.compile`` (with freezing), or eagerly once that failed.

    Call it under ``torch.inference_mode()`` or ``torch.no_grad()``: freezing is for inference.
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self._compiled = torch.compile(model, dynamic=False)
        self.failure: str | None = None

    def __call__(self, batch: Tensor) -> Tensor:
        """``model(batch)``, compiled unless compilation failed before."""
        if self.failure is None:
            try:
                with torch._inductor.config.patch(freezing=True):
                    output: Tensor = self._compiled(batch)
            except TorchDynamoException as error:
                self.failure = _reason(error)
                prepare_inference(self.model)  # eager from now on: the inference forms
                warnings.warn(
                    f"torch.compile failed ({self.failure}); running the model uncompiled",
                    CompileFallbackWarning,
                    stacklevel=2,
                )
            else:
                return output
        eager: Tensor = self.model(batch)
        return eager
