"""Validation of the API-only fields of a source entry (URL, endpoint, pagination, auth).

Kept apart from the common fields so each file stays readable; the rules matter because a wrong URL
or pagination style would otherwise fail only when the first run calls the API.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PAGING = {
    "page": {"page_param": "page", "size_param": "page_size"},
    "offset": {"offset_param": "offset", "size_param": "limit"},
    "cursor": {"cursor_param": "cursor", "size_param": "limit", "next_cursor_field": "next_cursor"},
    "link": {"size_param": "limit"},
}


def check_url(value) -> str | None:
    """Why ``value`` is not a usable http(s) base URL, or None when it is."""
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return f"must be an http(s) URL without spaces, got {value!r}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http(s) URL with a host, got {value!r}"
    try:
        parts.port
    except ValueError:
        return f"has an invalid port: {value!r}"
    if parts.query or parts.fragment:
        return f"must not carry a query or fragment (use 'params'): {value!r}"
    return None


class ApiFields:
    """Mixin for ``validate.Entry``: the API fields."""

    def url(self, field):
        value = self.get(field, required=True)
        if why := check_url(value):
            self.fail(field, why)
        return value.rstrip("/")

    def env_name(self, field):
        value = self.string(field)
        if value is not None and not ENV.match(value):
            self.fail(field, f"must be an environment variable name, got {value!r}")
        return value

    def endpoint(self):
        value = self.string("endpoint", required=True)
        if "://" in value or "?" in value or any(ch.isspace() for ch in value):
            self.fail("endpoint", f"must be a path such as /v1/items (no scheme, query or spaces), got {value!r}")
        return "/" + value.lstrip("/")

    def pagination(self) -> dict:
        value = self.mapping("pagination")
        style = value.get("style", "page")
        if style not in PAGING:
            self.fail("pagination.style", f"must be one of {', '.join(PAGING)}; got {style!r}")
        allowed = {"style", "page_size", *PAGING[style]}
        for key in value:
            if key not in allowed:
                self.fail(f"pagination.{key}", f"unknown key for style '{style}' (allowed: {', '.join(sorted(allowed))})")
        size = value.get("page_size", 1000)
        if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= 100_000:
            self.fail("pagination.page_size", f"must be an integer between 1 and 100000, got {size!r}")
        for key in PAGING[style]:
            if key in value and not (isinstance(value[key], str) and value[key]):
                self.fail(f"pagination.{key}", "must be a non-empty string")
        return {**PAGING[style], **value, "style": style, "page_size": size}

    def auth(self):
        value = self.get("auth")
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail("auth", "must be a mapping with header, env and optional prefix")
        for key in set(value) - {"header", "env", "prefix", "optional"}:
            self.fail(f"auth.{key}", "unknown key (use header, env, prefix, optional)")
        if not isinstance(value.get("env"), str) or not ENV.match(value["env"]):
            self.fail("auth.env", "must name the environment variable that holds the secret")
        header = value.get("header", "Authorization")
        if not isinstance(header, str) or not re.match(r"^[A-Za-z0-9-]+$", header):
            self.fail("auth.header", f"must be an HTTP header name, got {header!r}")
        prefix = value.get("prefix", "")
        if not isinstance(prefix, str):
            self.fail("auth.prefix", "must be a string such as 'Bearer '")
        if not isinstance(value.get("optional", False), bool):
            self.fail("auth.optional", "must be true or false")
        return {"header": header, "env": value["env"], "prefix": prefix, "optional": value.get("optional", False)}
