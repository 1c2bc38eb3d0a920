"""The composition root of GAN-Engine: spec schema and loading, dependency-injection containers, CLI."""
