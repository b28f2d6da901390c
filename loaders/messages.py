"""Pydantic's validation errors in a curator's words.

A curator reading a load report should not need to read a regular expression or know what
"Input should be a valid integer" means for a spreadsheet cell: each error type, and each
pattern our records use, is said plainly here, with the value given where it helps.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any, get_args

from pydantic import BaseModel

from loaders.records import GSS_PATTERN, SHARE_PATTERN, SLUG_PATTERN, URL_PATTERN

_PATTERNS = {
    URL_PATTERN: "Must be a web address starting with http:// or https://; got {got}.",
    SLUG_PATTERN: "{got} is not a valid id: use lower-case letters, digits and single hyphens.",
    GSS_PATTERN: "Must be a GSS code: E, W, S, N or K then 8 digits (E09000012); got {got}.",
    SHARE_PATTERN: "Must be a share written as a fraction, such as 2/3; got {got}.",
}
_SHOWN = 60
"""At most this much of a given value is quoted back."""


def in_words(error: Any, fields: Iterable[str] = ()) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a sentence.

    `fields` are the names valid where the error is, for a "did you mean" on an unknown one.
    """
    kind, message = error["type"], str(error["msg"])
    ctx = error.get("ctx") or {}
    got = _quoted(error.get("input"))
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(ctx.get("pattern", ""), "Not in the expected form: {got}.").format(
            got=got
        )
    if kind == "extra_forbidden":
        name = str(error["loc"][-1]) if error["loc"] else ""
        close = difflib.get_close_matches(name, sorted(fields), n=1, cutoff=0.6)
        return f"Unknown field (did you mean {close[0]!r}?)." if close else _unknown(fields)
    if kind in ("enum", "literal_error"):
        return f"{message.replace('Input should be', 'Must be one of:')}; got {got}."
    words = _SIMPLE.get(kind)
    if words is not None:
        return words.format(got=got, **ctx)
    return message.removeprefix("Value error, ")


_SIMPLE = {
    "missing": "Required, but missing.",
    "string_too_short": "Must not be empty.",
    "string_too_long": "Too long: at most {max_length} characters.",
    "too_long": "Too many: at most {max_length}.",
    "string_type": "Must be text; got {got}.",
    "int_type": "Must be a whole number; got {got}.",
    "int_parsing": "Must be a whole number; got {got}.",
    "int_from_float": "Must be a whole number; got {got}.",
    "float_type": "Must be a number; got {got}.",
    "float_parsing": "Must be a number; got {got}.",
    "bool_type": "Must be true or false; got {got}.",
    "bool_parsing": "Must be true or false; got {got}.",
    "list_type": "Must be a list; got {got}.",
    "dict_type": "Must be a mapping of names to values; got {got}.",
    "model_type": "Must be a mapping of names to values; got {got}.",
    "greater_than_equal": "Must be at least {ge}; got {got}.",
    "less_than_equal": "Must be at most {le}; got {got}.",
    "greater_than": "Must be more than {gt}; got {got}.",
    "less_than": "Must be less than {lt}; got {got}.",
}


def fields_at(model: type[BaseModel], location: Sequence[str | int]) -> list[str]:
    """The field names of the (nested) model at `location` within `model`, where an unknown
    field was found; [] when the location is not a model's."""
    current: object = model
    for part in location:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = info.annotation
        # list[X] and X | None: the model inside.
        while get_args(current) and not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            current = next(
                (a for a in get_args(current) if isinstance(a, type) and issubclass(a, BaseModel)),
                get_args(current)[0],
            )
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _unknown(fields: Iterable[str]) -> str:
    listed = ", ".join(sorted(fields))
    return (
        f"Unknown field; the fields are {listed}."
        if listed
        else "Unknown field (check its spelling)."
    )


def _quoted(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 4] + "...'"
