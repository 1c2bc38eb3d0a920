from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import Tensor, nn
from torch._dynamo.exc import BackendCompilerFailed

from gan_engine.inference import compiled
from gan_engine.inference.compiled import CompiledInference, CompileFallbackWarning
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.normalisers.scale import IdentityNormaliser
from tests.inference.models import tiny_srresnet


def test_compiled_prediction_equals_the_eager_one() -> None:
    # the paper's 9x9 tail: the compiled graph includes the coarse-kernel derivation
    model = tiny_srresnet(2, 2, 2, head_kernel_size=9)
    lr = np.random.default_rng(0).uniform(0, 1, (2, 40, 29)).astype(np.float32)
    eager = Predictor(model, IdentityNormaliser(2), options=PredictOptions(tile=24))
    fast = Predictor(model, IdentityNormaliser(2), options=PredictOptions(tile=24, compile=True))
    assert isinstance(fast._network, CompiledInference)
    np.testing.assert_allclose(fast.predict(lr), eager.predict(lr), atol=1e-5, rtol=1e-5)
    assert fast._network.failure is None


class _Doubler(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return 2 * x


def test_a_failed_compilation_warns_once_and_runs_eagerly(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(_batch: Tensor) -> Tensor:
        raise BackendCompilerFailed(None, RuntimeError("no C++ compiler found"), None)

    monkeypatch.setattr(compiled.torch, "compile", lambda _model, **_kwargs: fails)
    network = CompiledInference(_Doubler())
    x = torch.ones(1, 1, 2, 2)
    with torch.inference_mode(), pytest.warns(CompileFallbackWarning, match="no C\\+\\+ compiler"):
        assert torch.equal(network(x), 2 * x)
    assert network.failure is not None
    assert network.failure == "RuntimeError: no C++ compiler found"
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("error")  # the next batches run eagerly without a word
        assert torch.equal(network(x), 2 * x)


def test_predict_options_compile_is_off_by_default() -> None:
    assert PredictOptions().compile is False
    predictor = Predictor(tiny_srresnet(2, 1, 2), IdentityNormaliser(1))
    assert predictor._network is predictor.model
