"""Encode a prompt corpus once and write an embeddings file for the ``precomputed`` text encoder.

    python scripts/precompute_embeddings.py OUT.safetensors --corpus photos --open-clip CKPT_FOLDER
    python scripts/precompute_embeddings.py OUT.npz --manifest prompts.jsonl --open-clip CKPT_FOLDER
    python scripts/precompute_embeddings.py OUT.safetensors --corpus photos --random-bytes 0

``--corpus`` takes the embedded corpus (``photos``, ``multispectral``, ``mri``: the prompts of the
``sample_prompted_*`` datasets); ``--manifest`` a JSONL/CSV manifest. ``--key id`` stores the
embedded corpora by sample id instead of by prompt text. The encoder is a local open_clip
checkpoint folder (nothing is downloaded) or, for tests and CI, an untrained ``bytes`` encoder
drawn from a seed. The empty prompt (prompt dropout) is always included.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from gan_engine.data.prompts.corpus import MRI_PROMPTS, MULTISPECTRAL_PROMPTS, PHOTO_PROMPTS
from gan_engine.data.prompts.manifests import read_manifest
from gan_engine.errors import GanEngineError
from gan_engine.protocols import TextEncoder
from gan_engine.text.byte_encoder import ByteEncoderParams, ByteTextEncoder
from gan_engine.text.precompute import precompute_embeddings

CORPORA = {"photos": PHOTO_PROMPTS, "multispectral": MULTISPECTRAL_PROMPTS, "mri": MRI_PROMPTS}


def corpus(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """``(keys, prompts)`` to encode, the empty prompt included."""
    if args.manifest is not None:
        if args.key == "id":
            msg = "--key id works with --corpus only; manifests are keyed by prompt"
            raise GanEngineError(msg)
        prompts = [entry.prompt for entry in read_manifest(args.manifest).values()]
        unique = list(dict.fromkeys(["", *prompts]))
        return unique, unique
    table = CORPORA[args.corpus]
    if args.key == "id":
        if args.corpus == "mri":
            msg = "--key id: the sample MRI ids name volumes and slices; use --key prompt"
            raise GanEngineError(msg)
        return ["", *table], ["", *table.values()]
    unique = list(dict.fromkeys(["", *table.values()]))
    return unique, unique


def encoder(args: argparse.Namespace) -> TextEncoder:
    """The open_clip encoder of ``--open-clip``, or a seeded untrained ``bytes`` encoder."""
    if args.open_clip is not None:
        from gan_engine.text.open_clip_encoder import OpenClipParams, OpenClipTextEncoder

        return OpenClipTextEncoder(OpenClipParams(path=str(args.open_clip)))
    torch.manual_seed(args.random_bytes)
    params = ByteEncoderParams(width=args.width, embedding_dim=args.width)
    return ByteTextEncoder(params).eval()


def main(argv: list[str] | None = None) -> int:
    """Write the file and print its keys' count; exit status 2 on a user error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the .safetensors or .npz file to write")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", choices=sorted(CORPORA), help="an embedded prompt corpus")
    source.add_argument("--manifest", type=Path, help="a .jsonl or .csv prompt manifest")
    model = parser.add_mutually_exclusive_group(required=True)
    model.add_argument("--open-clip", type=Path, help="an open_clip checkpoint folder")
    model.add_argument("--random-bytes", type=int, metavar="SEED", help="untrained bytes encoder")
    parser.add_argument("--width", type=int, default=32, help="width of the bytes encoder")
    parser.add_argument("--key", choices=("prompt", "id"), default="prompt")
    args = parser.parse_args(argv)
    try:
        keys, prompts = corpus(args)
        precompute_embeddings(encoder(args), keys, prompts, args.out)
    except GanEngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(keys)} embeddings to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
