"""Security headers on every response: the pages carry children's data, so browsers must neither
frame them, guess their types, leak their addresses, run injected scripts, nor keep them on disk.

Set by hand in one ``after_request`` (six fixed headers; flask-talisman would add HTTPS redirects and
session-cookie rules a deployment behind an authority's proxy does not want):

* ``Content-Security-Policy``: scripts only from the app itself plus the hashes of Dash's own inline
  scripts (``Dash.csp_hashes``, computed once the app has served its first page, when every
  clientside callback is known); styles may be inline (React sets element styles); images also from
  ``data:`` (Plotly's "download as image"); no plugins; no framing (``frame-ancestors 'none'``).
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (a URL holds filters),
  ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``.
* ``Cache-Control: no-store`` on every response except static files (assets, Dash's component
  suites), which hold no data: layouts and callback answers are never written to a browser cache.
* ``Strict-Transport-Security`` when the request came over HTTPS (``request.is_secure``; behind a
  proxy that terminates TLS, configure it to pass the scheme).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"
#: Endpoints serving files without data: cacheable (Dash fingerprints its component suites).
STATIC_ENDPOINT_PARTS = ("_dash-component-suites", "static", "_favicon.ico")


def content_security_policy(script_hashes: list[str]) -> str:
    """The policy, given the hashes of the inline scripts Dash writes into its index page."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and any(part in endpoint for part in STATIC_ENDPOINT_PARTS)


def register_security_headers(app: Any) -> None:
    """Add the headers to every response of ``app`` (a Dash app)."""
    policy: dict[str, str] = {}

    def add_headers(response: Response) -> Response:
        for name, value in FIXED.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            if "csp" not in policy:  # first page: every page's clientside callbacks are registered by now
                policy["csp"] = content_security_policy(list(app.csp_hashes()))
            response.headers["Content-Security-Policy"] = policy["csp"]
        if not _is_static(request.endpoint):
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    app.server.after_request(add_headers)
