"""The transform registry: registration, look-up, parameter checks, inverses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from hub.mapping.transforms import TransformError, TransformRegistry


def shout(value: Any, *, times: int = 1, suffix: str = "!") -> str:
    """Upper-case and exclaim."""
    return str(value).upper() + suffix * times


def whisper(value: Any, *, times: int = 1) -> str:
    return str(value).lower()


def _positive(params: Mapping[str, Any]) -> list[str]:
    return [] if params.get("times", 1) > 0 else ["times must be positive"]


@pytest.fixture
def registry() -> TransformRegistry:
    registry = TransformRegistry()
    registry.register("shout", shout, inverse="whisper", check_params=_positive)
    registry.register("whisper", whisper)
    return registry


def test_get_unknown_lists_known_names(registry: TransformRegistry) -> None:
    with pytest.raises(KeyError, match="shout, whisper"):
        registry.get("sing")


def test_registered_transform_has_description_from_docstring(registry: TransformRegistry) -> None:
    assert registry.get("shout").description == "Upper-case and exclaim."
    assert "shout" in registry
    assert len(registry) == 2


def test_bind_applies_parameters(registry: TransformRegistry) -> None:
    assert registry.bind("shout", {"times": 2})("hey") == "HEY!!"
    assert registry.bind("shout")("hey") == "HEY!"


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"loud": True}, "has no parameter 'loud'"),
        ({"times": "2"}, "parameter 'times' of transform 'shout' must be int"),
        ({"times": True}, "must be int"),
        ({"times": 0}, "times must be positive"),
    ],
)
def test_bad_parameters_are_reported(registry: TransformRegistry, params: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in registry.param_problems("shout", params))
    with pytest.raises(ValueError, match=problem):
        registry.bind("shout", params)


def test_required_parameter_is_reported() -> None:
    registry = TransformRegistry()
    registry.register("cut", lambda value, *, length: value[:length])
    assert registry.param_problems("cut", {}) == ["transform 'cut' needs parameter 'length'"]


def test_inverse_gets_the_parameters_it_accepts(registry: TransformRegistry) -> None:
    inverse = registry.bind_inverse("shout", {"times": 3, "suffix": "?"})
    assert inverse is not None
    assert inverse("HEY") == "hey"
    assert registry.bind_inverse("whisper") is None


def test_transform_error_carries_code_and_message() -> None:
    error = TransformError("date_invalid", "not a date")
    assert (error.code, error.message) == ("date_invalid", "not a date")
    assert "date_invalid" in str(error)


def test_register_rejects_non_callables() -> None:
    with pytest.raises(ValueError, match="needs a name and a callable"):
        TransformRegistry().register("x", "not callable")  # type: ignore[arg-type]
