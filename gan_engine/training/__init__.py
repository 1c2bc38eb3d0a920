"""The GAN training engine: Lightning module, schedules and callbacks; depends on protocols only."""
