"""Options checked before anything runs: a mapping built into a dataclass, and keyword options checked against the
signature of what takes them (a reward factory). Every error names where the option came from, the key, and what
would be valid (did-you-mean and the list of keys, or the expected type).
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.registry import did_you_mean

#: Dataclasses that may also be written as a bare string in YAML (``reward: vader``), with the field it fills.
SHORTHAND: dict[type, str] = {}


def type_name(tp: Any) -> str:
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(tp, str(tp))


def check_value(value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against the annotation ``tp`` and convert containers (lists -> tuples, dicts -> dataclasses)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        for option in options[:-1]:
            try:
                return check_value(value, option, where)
            except ConfigError:
                continue
        return check_value(value, options[-1], where)
    if dataclasses.is_dataclass(tp):
        if tp in SHORTHAND and isinstance(value, str):
            value = {SHORTHAND[tp]: value}
        return build(tp, value, where)
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return tuple(check_value(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return {str(k): check_value(v, args[1], join_key(where, k)) for k, v in value.items()}
    if tp is Any or (origin is None and not isinstance(tp, type)):
        return value  # an annotation this checker does not know (a TypeVar, a string): the callee checks it
    if origin is not None:  # another generic (Mapping[str, str], Callable[...]): its container type only
        if isinstance(origin, type) and not isinstance(value, origin):
            raise ConfigError(f"{where}: expected {type_name(origin)}, got {value!r}")
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: expected {type_name(tp)}, got {value!r}")
    return value


def join_key(where: str, name: object) -> str:
    """``file.yaml:`` + ``field`` -> ``file.yaml: field``; ``file.yaml: a`` + ``b`` -> ``file.yaml: a.b``."""
    return f"{where} {name}" if where.endswith(":") else f"{where}.{name}"


def build(cls: type, data: Any, where: str) -> Any:
    """Build dataclass ``cls`` from a YAML mapping, naming ``where`` (``file: field``) in every error."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of {cls.__name__} fields, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"{join_key(where, unknown[0])}: unknown field{did_you_mean(unknown[0], fields)} "
            f"(fields: {', '.join(fields)})"
        )
    values = {}
    for name, f in fields.items():
        if name in data:
            values[name] = check_value(data[name], hints[name], join_key(where, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{join_key(where, name)}: required field is missing")
    return cls(**values)


def keyword_options(target: Callable[..., Any]) -> tuple[dict[str, Any], bool]:
    """The keyword options ``target`` takes (name -> annotation) and whether it accepts any other keyword.

    A factory with ``**options`` that declares the class it returns (``-> SentimentReward``) is followed to that
    class's constructor, so its options are known too.
    """
    seen: dict[str, Any] = {}
    open_ended = False
    queue: list[Any] = [target]
    while queue:
        fn = queue.pop()
        init = fn.__init__ if inspect.isclass(fn) else fn
        try:
            hints = typing.get_type_hints(init)
        except Exception:  # noqa: BLE001 - an annotation that does not resolve is simply not checked
            hints = {}
        params = inspect.signature(init).parameters
        for name, p in params.items():
            if name == "self" or p.kind == p.VAR_POSITIONAL:
                continue
            if p.kind == p.VAR_KEYWORD:
                returned = hints.get("return") if not inspect.isclass(fn) else None
                if inspect.isclass(returned):
                    queue.append(returned)
                else:
                    open_ended = True
                continue
            seen.setdefault(name, hints.get(name, Any))
    return seen, open_ended


def check_options(target: Callable[..., Any], options: Mapping[str, Any], where: str) -> None:
    """Refuse option keys ``target`` does not take and values of the wrong type, before it is called.

    Raises:
        ConfigError: ``where: KEY: unknown option; did you mean ...? (options: ...)`` or ``where: KEY: expected ...``.
    """
    known, open_ended = keyword_options(target)
    for key, value in options.items():
        if key not in known:
            if open_ended:
                continue
            raise ConfigError(
                f"{join_key(where, key)}: unknown option{did_you_mean(key, known)} "
                f"(options: {', '.join(sorted(known))})"
            )
        check_value(value, known[key], join_key(where, key))
