"""Decoding API pages: orjson whenever it is exact, the standard library whenever it might not be.

Parsing is the largest part of an API load's own CPU, and orjson parses a page in half the time
``json`` takes. It reads a number with a fraction or an exponent as a float, which holds every
decimal of up to 15 significant digits exactly (``repr`` gives the same number back, so COPY gets
the value the API sent), and it turns an integer past 64 bits into a float. So a body with a run of
16 or more digits and points anywhere (a long decimal, a big id, a long digit string) goes to
``json`` with decimals kept as text, and so does a body orjson refuses (NaN, a number past the
double range, text that is not UTF-8), which ``json`` either accepts or rejects with a message.
"""

from __future__ import annotations

import json

import orjson

_DIGITS = bytes.maketrans(b"123456789.", b"0000000000")
_LONG = b"0" * 16


def loads(content: bytes):
    """The decoded body; numbers exact either way (floats from orjson, decimal strings from ``json``)."""
    if _LONG not in content.translate(_DIGITS):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass  # the standard library accepts what it can and words the error for the rest
    return json.loads(content, parse_float=str, parse_constant=str)
