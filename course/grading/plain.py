"""Plain data: the only thing that crosses from student code to the grader.

A probe's result is converted in the untrusted child to JSON-able values (None, bool,
int, float, str, lists, dicts with str keys) and arrays, which travel as ``.npy`` bytes
and are loaded with ``allow_pickle=False``. Objects of any other type are refused, so an
object whose ``__eq__`` always answers True never reaches a comparison.
"""

from __future__ import annotations

import base64
import io
import json
import math
from typing import Any

import numpy as np

_ARRAY_KEY = "__ndarray__"
_ALLOWED_KINDS = "biuf"  # bool, signed, unsigned, float


class NotPlainData(TypeError):
    """A probe returned something that is not plain data."""


def to_plain(value: Any, where: str = "result") -> Any:
    """Convert a probe's return value to plain data, or raise :class:`NotPlainData`."""
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return int(value)
    if kind is float:
        return float(value)
    if isinstance(value, np.generic) and value.dtype.kind in _ALLOWED_KINDS:
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _ALLOWED_KINDS:
            raise NotPlainData(f"{where}: array of dtype {value.dtype} (expected numbers or booleans)")
        return np.array(value, copy=True)
    if kind.__module__.startswith("torch") and kind.__name__ in ("Tensor", "Parameter"):
        tensor = value.detach().cpu()
        if tensor.dtype.is_complex:
            raise NotPlainData(f"{where}: complex tensor (return real numbers)")
        if str(tensor.dtype) in ("torch.bfloat16", "torch.float16"):
            tensor = tensor.float()
        return to_plain(tensor.numpy(), where)
    if kind in (list, tuple):
        return [to_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if kind is dict:
        out = {}
        for key, v in value.items():
            if type(key) is not str:
                raise NotPlainData(f"{where}: dict key {key!r} is not a string")
            out[key] = to_plain(v, f"{where}[{key!r}]")
        return out
    raise NotPlainData(f"{where}: got a {kind.__module__}.{kind.__qualname__}; "
                       "expected numbers, lists, dicts or arrays")


def _encode(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        return {_ARRAY_KEY: base64.b64encode(buf.getvalue()).decode("ascii")}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_ARRAY_KEY}:
            raw = base64.b64decode(value[_ARRAY_KEY], validate=True)
            try:
                array = np.load(io.BytesIO(raw), allow_pickle=False)
            except MemoryError:
                raise ValueError("array header claims more memory than there is") from None
            if not isinstance(array, np.ndarray) or array.dtype.kind not in _ALLOWED_KINDS:
                raise ValueError("array is not numbers or booleans")
            return array
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """Plain data (from :func:`to_plain`) as one line of strict JSON."""
    return json.dumps(_encode(value), allow_nan=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """Inverse of :func:`dumps`; raises ValueError on anything malformed (untrusted input)."""
    try:
        return _decode(json.loads(text))
    except (RecursionError, MemoryError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"malformed data ({type(exc).__name__})") from None


def roundtrip(value: Any, where: str = "result") -> Any:
    """What the grader would see of ``value``: used so local pytest runs see the same data."""
    return loads(dumps(to_plain(value, where)))
