"""Loss terms: each a registered ``Loss`` working on 2D and 3D batches."""
