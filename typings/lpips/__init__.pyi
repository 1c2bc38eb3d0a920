# Stub for the untyped `lpips` package: the parts GAN-Engine uses.
from torch import Tensor, nn

class LPIPS(nn.Module):
    net: nn.Module
    scaling_layer: nn.Module
    lins: nn.ModuleList
    pnet_type: str
    version: str
    def __init__(
        self,
        pretrained: bool = ...,
        net: str = ...,
        version: str = ...,
        lpips: bool = ...,
        spatial: bool = ...,
        pnet_rand: bool = ...,
        pnet_tune: bool = ...,
        use_dropout: bool = ...,
        model_path: str | None = ...,
        eval_mode: bool = ...,
        verbose: bool = ...,
    ) -> None: ...
    def forward(
        self, in0: Tensor, in1: Tensor, retPerLayer: bool = ..., normalize: bool = ...
    ) -> Tensor: ...
    def __call__(
        self, in0: Tensor, in1: Tensor, retPerLayer: bool = ..., normalize: bool = ...
    ) -> Tensor: ...
