"""An example GAN-Engine plugin: the ``nearest_conv`` generator and the ``fft_l1`` loss.

Importing a module registers its component; GAN-Engine imports them through the entry points declared
in ``pyproject.toml`` the first time a spec (or ``gan-engine components``) asks for a name it does not
know. This package imports nothing itself, so a failure in one component cannot hide the other.
"""
