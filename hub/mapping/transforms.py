"""Named value transforms that mappings apply field by field.

A transform is a plain callable ``fn(value, **params) -> value``. It raises :class:`TransformError`
on input it cannot convert; the mapping turns that into an :class:`~hub.records.Issue` naming the
field, so one bad value quarantines one record and never stops a run. A transform may name an
``inverse``: the transform applied when the mapping writes back to the system (``split_name`` →
``join_name``). Transforms without an inverse are skipped when writing.

Parameters are checked once, when a mapping is loaded (:meth:`TransformRegistry.bind`), against
the function's keyword parameters and their annotations, plus an optional ``check_params`` hook
for checks only the transform knows (a valid time zone, a known region).
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["BoundTransform", "Transform", "TransformError", "TransformFn", "TransformRegistry"]

TransformFn = Callable[..., Any]
"""``fn(value, **params) -> value``; raises :class:`TransformError` on bad input."""

BoundTransform = Callable[[Any], Any]
"""A transform with its parameters applied: ``fn(value) -> value``."""


class TransformError(ValueError):
    """A value a transform cannot convert. ``message`` says what is wrong, never the value itself."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{message} [{code}]")


@dataclass(frozen=True, slots=True)
class Transform:
    """A registered transform: its function, the name of its inverse, and its parameter check."""

    name: str
    fn: TransformFn
    inverse: str | None = None
    check_params: Callable[[Mapping[str, Any]], list[str]] | None = None
    description: str = ""


def _accepts(annotation: Any, value: Any) -> bool:
    """Whether ``value`` fits a simple parameter annotation (str, int, bool, list[str], unions)."""
    if annotation is Any or annotation is inspect.Parameter.empty:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arg, value) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin in (list, tuple, Sequence):
        args = typing.get_args(annotation)
        return isinstance(value, list | tuple) and all(_accepts(args[0], v) for v in value) if args else True
    if origin in (dict, Mapping):
        return isinstance(value, dict)
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True



def _describe(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


class TransformRegistry:
    """Transforms by name, filled by the ``hub_register_transforms`` hook."""

    def __init__(self) -> None:
        self._transforms: dict[str, Transform] = {}

    def register(
        self,
        name: str,
        fn: TransformFn,
        *,
        inverse: str | None = None,
        check_params: Callable[[Mapping[str, Any]], list[str]] | None = None,
        description: str = "",
    ) -> None:
        """Add a transform under ``name``; a later registration of the same name replaces it."""
        if not name or not callable(fn):
            raise ValueError(f"transform {name!r} needs a name and a callable")
        doc = description or (inspect.getdoc(fn) or "").split("\n", 1)[0]
        self._transforms[name] = Transform(name, fn, inverse, check_params, doc)

    def get(self, name: str) -> Transform:
        """The transform called ``name``; ``KeyError`` listing the known names when there is none."""
        try:
            return self._transforms[name]
        except KeyError:
            raise KeyError(f"unknown transform {name!r} (known: {', '.join(self.names())})") from None

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        return sorted(self._transforms)

    def __contains__(self, name: object) -> bool:
        return name in self._transforms

    def __len__(self) -> int:
        return len(self._transforms)

    def param_problems(self, name: str, params: Mapping[str, Any]) -> list[str]:
        """What is wrong with ``params`` for transform ``name`` (empty when they fit)."""
        transform = self.get(name)
        signature, hints = _signature(transform.fn)
        problems: list[str] = []
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        keyword = {
            p.name: p
            for i, p in enumerate(signature.parameters.values())
            if i > 0 and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        }
        for key, value in params.items():
            param = keyword.get(key)
            if param is None:
                if not accepts_any:
                    known = ", ".join(keyword) or "none"
                    problems.append(f"transform {name!r} has no parameter {key!r} (parameters: {known})")
                continue
            annotation = hints.get(key, inspect.Parameter.empty)
            if not _accepts(annotation, value):
                problems.append(f"parameter {key!r} of transform {name!r} must be {_describe(annotation)}")
        for key, param in keyword.items():
            if param.default is param.empty and key not in params:
                problems.append(f"transform {name!r} needs parameter {key!r}")
        if not problems and transform.check_params is not None:
            problems.extend(transform.check_params(params))
        return problems

    def bind(self, name: str, params: Mapping[str, Any] | None = None) -> BoundTransform:
        """Transform ``name`` with ``params`` applied; ``ValueError`` listing every problem with them."""
        params = dict(params or {})
        problems = self.param_problems(name, params)
        if problems:
            raise ValueError("; ".join(problems))
        fn = self.get(name).fn
        return functools.partial(fn, **params) if params else fn

    def bind_inverse(self, name: str, params: Mapping[str, Any] | None = None) -> BoundTransform | None:
        """The inverse of ``name`` with those of ``params`` it accepts, or ``None`` when it has none."""
        inverse = self.get(name).inverse
        if inverse is None:
            return None
        signature, _ = _signature(self.get(inverse).fn)
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        usable = {k: v for k, v in (params or {}).items() if accepts_any or k in signature.parameters}
        return self.bind(inverse, usable)


@functools.lru_cache(maxsize=512)
def _signature(fn: TransformFn) -> tuple[inspect.Signature, dict[str, Any]]:
    target = fn.func if isinstance(fn, functools.partial) else fn
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # annotations a plugin wrote that cannot be resolved: check names only
        hints = {}
    return inspect.signature(fn), hints
