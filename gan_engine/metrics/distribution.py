"""FID and KID of the validation outputs against the references, through torchmetrics.

Both compare the *distributions* of feature vectors of the outputs and of the references over a
whole validation run (not sample by sample). KID (the squared MMD with a cubic polynomial kernel,
averaged over random subsets) is unbiased and meaningful with a few hundred images; FID (Fréchet
distance between Gaussian fits) is biased upwards on small sets, so prefer ``kid`` for the small
validation sets of super-resolution runs.

Features come from torchmetrics' Inception-v3 (``pip install 'gan-engine[metrics]'`` brings
torch-fidelity, which defines it), with weights read from ``weights_path`` or torch-fidelity's file
``weights-inception-2015-12-05-6726825d.pth`` in ``$TORCH_HOME/hub/checkpoints``; nothing is
downloaded. Or from a network of your own (``feature_network: package.module:callable``), which then
sees every band. Bands and volumes follow :mod:`gan_engine.metrics.views`; every 2D slice of a volume
is one image of the set. The references' features are computed once per batch and shared by the
model's and the baselines' streams.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import torch
from torch import Tensor, nn
from torchmetrics import Metric
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance
from torchmetrics.utilities.data import dim_zero_cat

from gan_engine.errors import GanEngineError, InvalidParamError
from gan_engine.metrics.streams import StreamedMetric, check_shapes
from gan_engine.metrics.views import axis_slices, band_errors, three_bands, unit_range
from gan_engine.param_validators import at_least, one_of
from gan_engine.pretrained import resolve_weights
from gan_engine.registry import Capabilities, register_metric
from gan_engine.types import BuildContext, SpatialDims

INCEPTION_FILE = "weights-inception-2015-12-05-6726825d.pth"
"""torch-fidelity's Inception-v3 weights (TF-compatible), as its downloader names them."""
_CHUNK = 32  # images per feature-network call
_KEY = "feature_network"


class InceptionFeatures(nn.Module):
    """Inception-v3 pool features of ``[N, 3, H, W]`` images in ``[0, 1]`` (quantised to 8 bits)."""

    def __init__(self, feature: int, weights_path: str | None) -> None:
        super().__init__()
        if importlib.util.find_spec("torch_fidelity") is None:
            msg = (
                "fid/kid: the Inception-v3 feature network needs torch-fidelity: "
                "pip install 'gan-engine[metrics]' (or give feature_network)"
            )
            raise GanEngineError(msg)
        path = resolve_weights(
            "fid/kid", INCEPTION_FILE, pretrained=True, weights_path=weights_path
        )
        from torchmetrics.image.fid import NoTrainInceptionV3

        self.network = NoTrainInceptionV3(
            name="inception-v3-compat",
            features_list=[str(feature)],
            feature_extractor_weights_path=str(path),
        )
        self.num_features = feature

    def forward(self, images: Tensor) -> Tensor:
        """``[N, feature]`` float features."""
        quantised = (images.clamp(0.0, 1.0) * 255.0).round().to(torch.uint8)
        features: Tensor = self.network(quantised)
        return features.reshape(images.shape[0], -1)


class UserFeatures(nn.Module):
    """A user's feature network (``package.module:callable`` returning an ``nn.Module``).

    The module maps ``[N, C, H, W]`` images in ``[0, 1]`` (every band of the data) to ``[N, F]``.
    """

    def __init__(self, path: str, channels: int) -> None:
        super().__init__()
        module_name, _, attr = path.partition(":")
        if not module_name or not attr:
            msg = f"feature_network must read 'package.module:callable', got {path!r}"
            raise InvalidParamError(_KEY, msg)
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as error:
            msg = f"cannot load {path!r}: {type(error).__name__}: {error}"
            raise InvalidParamError(_KEY, msg) from error
        network = factory()
        if not isinstance(network, nn.Module):
            msg = f"{path!r} returned {type(network).__name__}, expected a torch.nn.Module"
            raise InvalidParamError(_KEY, msg)
        self.network = network.eval().requires_grad_(False)
        with torch.no_grad():
            probe = self.network(torch.rand(2, channels, 64, 64))
        self.num_features = int(probe.reshape(2, -1).shape[1])

    def forward(self, images: Tensor) -> Tensor:
        """``[N, F]`` features."""
        features: Tensor = self.network(images)
        return features.reshape(images.shape[0], -1)


class _Given(nn.Module):
    """The features are computed before torchmetrics sees them: its 'network' passes them on."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features

    def forward(self, features: Tensor) -> Tensor:
        """``features`` unchanged."""
        return features


class _FID(FrechetInceptionDistance):
    """FID that is ``nan`` (not an error) when a set holds fewer than two images."""

    def compute(self) -> Tensor:
        if min(int(self.real_features_num_samples), int(self.fake_features_num_samples)) < 2:
            return torch.tensor(float("nan"), device=self.real_features_sum.device)
        return super().compute()


class _KID(KernelInceptionDistance):
    """KID with subsets no larger than the sets; ``nan`` when a set holds fewer than two images."""

    largest_subset: int = 1000

    def compute(self) -> tuple[Tensor, Tensor]:
        size = min(
            dim_zero_cat(self.real_features).shape[0], dim_zero_cat(self.fake_features).shape[0]
        )
        if size < 2:
            nan = torch.tensor(float("nan"))
            return nan, nan
        self.subset_size = min(self.largest_subset, size)
        return super().compute()


@attrs.frozen(kw_only=True)
class FIDParams:
    """Parameters of the ``fid`` metric (and the shared ones of ``kid``).

    Attributes:
        feature: Inception-v3 feature width: 64, 192, 768 or 2048 (the usual pool features).
        weights_path: the Inception file instead of the torch cache's
            ``weights-inception-2015-12-05-6726825d.pth``.
        bands: three band indices shown to Inception for data with other than 1 or 3 bands.
        feature_network: ``package.module:callable`` returning a feature ``nn.Module`` of your own
            (``[N, C, H, W]`` in ``[0, 1]`` → ``[N, F]``) that sees every band; replaces Inception.
    """

    feature: int = attrs.field(default=2048, validator=one_of((64, 192, 768, 2048)))
    weights_path: str | None = None
    bands: list[int] | None = None
    feature_network: str | None = None

    def check(self, context: BuildContext) -> Iterable[InvalidParamError]:
        """Without a feature network of one's own, the bands must fit the run's channels."""
        if self.feature_network is not None:
            return []
        return list(band_errors(self.bands, context.channels))


@attrs.frozen(kw_only=True)
class KIDParams(FIDParams):
    """Parameters of the ``kid`` metric.

    Attributes:
        subsets: random subsets the MMD is averaged over.
        subset_size: images per subset; lowered to the set's size when the set is smaller.
    """

    subsets: int = attrs.field(default=100, validator=at_least(1))
    subset_size: int = attrs.field(default=1000, validator=at_least(2))


class DistributionMetric(StreamedMetric):
    """Compares feature distributions of each stream's outputs with the references' (FID, KID)."""

    def __init__(self, channels: int, params: FIDParams) -> None:
        if params.feature_network is None:
            errors = list(band_errors(params.bands, channels))
            if errors:
                raise errors[0]
            network: InceptionFeatures | UserFeatures = InceptionFeatures(
                params.feature, params.weights_path
            )
        else:
            network = UserFeatures(params.feature_network, channels)
        self.params = params
        self.num_features = network.num_features
        super().__init__(network)

    def features(self, images: Tensor, data_range: float) -> Tensor:
        """Feature vectors ``[N, F]`` of a ``[B, C, *S]`` batch: one per 2D image or slice."""
        x = unit_range(images, data_range)
        if self.params.feature_network is None:
            x = three_bands(x, self.params.bands)
        network = self.network
        if network is None:  # set in __init__
            msg = "distribution metric without a network (a bug)"
            raise RuntimeError(msg)
        chunks = [
            network(batch[start : start + _CHUNK].contiguous())
            for batch in axis_slices(x)
            for start in range(0, batch.shape[0], _CHUNK)
        ]
        return torch.cat(chunks)

    def update(self, outputs: Mapping[str, Tensor], target: Tensor, data_range: float) -> None:
        """Add the references' features once and each stream's output features."""
        check_shapes(outputs, target)
        with torch.no_grad():
            real = self.features(target.detach(), data_range)
            for stream, prediction in outputs.items():
                state = self._state(stream)
                state.update(real, real=True)
                state.update(self.features(prediction.detach(), data_range), real=False)

    def _add(self, state: Metric, prediction: Tensor, target: Tensor, data_range: float) -> None:
        msg = "distribution metrics add batches through update()"
        raise NotImplementedError(msg)


def _metric_kwargs(num_features: int) -> dict[str, Any]:
    return {"feature": _Given(num_features), "reset_real_features": True, "sync_on_compute": True}


@register_metric(
    "fid",
    params=FIDParams,
    capabilities=Capabilities(bands=frozenset({1, 3}), weight_files=(INCEPTION_FILE,)),
)
class FIDMetric(DistributionMetric):
    """Fréchet Inception Distance of outputs vs references over validation; lower is better.

    Biased upwards on small sets (prefer ``kid`` below a few thousand images); ``nan`` below two.
    """

    higher_is_better = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: FIDParams | None = None
    ) -> None:
        self.spatial_dims = spatial_dims
        super().__init__(channels, params or FIDParams())

    def _new_state(self) -> Metric:
        return _FID(**_metric_kwargs(self.num_features))


@register_metric(
    "kid",
    params=KIDParams,
    capabilities=Capabilities(bands=frozenset({1, 3}), weight_files=(INCEPTION_FILE,)),
)
class KIDMetric(DistributionMetric):
    """Kernel Inception Distance (mean over subsets) of outputs vs references; lower is better.

    Unbiased, so usable on small validation sets; subsets shrink to the set size, ``nan`` below two.
    """

    higher_is_better = False

    def __init__(
        self, spatial_dims: SpatialDims, channels: int, params: KIDParams | None = None
    ) -> None:
        self.spatial_dims = spatial_dims
        self.kid_params = params or KIDParams()
        super().__init__(channels, self.kid_params)

    def _new_state(self) -> Metric:
        params = self.kid_params
        with warnings.catch_warnings():  # "saves all features": validation sets are small
            warnings.filterwarnings("ignore", message=".*will save all extracted features.*")
            state = _KID(
                subsets=params.subsets,
                subset_size=params.subset_size,
                **_metric_kwargs(self.num_features),
            )
        state.largest_subset = params.subset_size
        return state
