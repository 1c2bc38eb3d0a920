"""A mask generator named inside another component's parameters, validated when those are built.

Tasks and the ``mixture`` name mask generators as ``{name, params}``; :class:`MaskChoice` resolves the
name in the registry and structures ``params`` into the generator's own class at once, so a wrong
name or parameter is reported with its key (``masks.params.hole_ratio``) when the spec is loaded.
"""

from __future__ import annotations

from typing import Any

import attrs

from gan_engine.errors import ComponentNotFoundError, InvalidParamError
from gan_engine.protocols import MaskGenerator
from gan_engine.registry import MASK_GENERATORS


def build_mask_params(name: str, params: Any, key: str, *, nested: bool = False) -> Any:
    """``params`` structured into the class of the mask generator ``name``; errors name ``key``.

    With ``nested`` (inside a mixture) a ``mixture`` is refused. An empty ``key`` names the keys
    relative to the choice itself (``name``, ``params.<field>``).
    """
    prefix = f"{key}." if key else ""
    name_key, params_key = f"{prefix}name", f"{prefix}params"
    try:
        entry = MASK_GENERATORS.get(name)
    except ComponentNotFoundError as error:
        raise InvalidParamError(name_key, str(error)) from None
    if nested and entry.name == "mixture":
        raise InvalidParamError(name_key, "a mixture cannot contain another mixture")
    if not isinstance(params, dict):
        raise InvalidParamError(params_key, f"expected a mapping of parameters, got {params!r}")
    try:
        return entry.params_cls(**params)
    except InvalidParamError as error:
        nested_key = f"{params_key}.{error.key}"
        raise InvalidParamError(nested_key, error.message) from None
    except TypeError as error:
        fields = ", ".join(field.name for field in attrs.fields(entry.params_cls))
        msg = f"{error}; {name} takes: {fields or 'no parameters'}"
        raise InvalidParamError(params_key, msg) from None


def _check_choice(instance: MaskChoice, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Keys relative to the choice: the spec layer prefixes the path it was structured at.
    build_mask_params(instance.name, value, "")


@attrs.frozen(kw_only=True)
class MaskChoice:
    """A mask generator and its parameters.

    Attributes:
        name: a registered mask generator (``gan-engine components mask_generator``).
        params: that generator's parameters.
    """

    name: str = "mixture"
    params: dict[str, Any] = attrs.field(factory=dict, validator=_check_choice)

    def build(self) -> MaskGenerator:
        """The mask generator."""
        entry = MASK_GENERATORS.get(self.name)
        generator: MaskGenerator = entry.factory(build_mask_params(self.name, self.params, "masks"))
        return generator
