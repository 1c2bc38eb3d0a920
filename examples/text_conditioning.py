"""A prompt steers super-resolution: a trainable text encoder and ``text_srresnet``, no YAML."""

import torch

from gan_engine.data.prompts.samples import (
    SamplePromptedPhotosParams,
    SamplePromptedPhotosSelector,
)
from gan_engine.registry import GENERATORS, TEXT_ENCODERS
from gan_engine.types import Conditioning

selector = SamplePromptedPhotosSelector(2, 3, 4, SamplePromptedPhotosParams.tiny())
batch = [selector.train_dataset()[i] for i in range(2)]
prompts = [sample["metadata"]["prompt"] for sample in batch]

encoder_entry = TEXT_ENCODERS.get("bytes")
encoder = encoder_entry.factory(encoder_entry.params_cls())  # trainable, 64 wide
generator_entry = GENERATORS.get("text_srresnet")
generator = generator_entry.factory(
    2, 3, 3, 4, generator_entry.params_cls(embedding_dim=64, token_dim=64)
)

lr = torch.stack([sample["lr"] for sample in batch]) / 255
cond = encoder.encode(prompts)  # embedding [2, 64], tokens [2, T, 64], token_mask [2, T]
sr = generator(lr, cond)  # [2, 3, 32, 32]
swapped = Conditioning(
    embedding=cond.embedding.flip(0), tokens=cond.tokens.flip(0), token_mask=cond.token_mask.flip(0)
)
steered = not torch.equal(generator(lr, swapped), sr)
print(f"prompts: {prompts}")
print(f"output {tuple(sr.shape)}; swapping the prompts changes it: {steered}")
