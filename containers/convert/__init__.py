"""Converters from other tools' configs and checkpoints to GAN-Engine specs and checkpoints."""
