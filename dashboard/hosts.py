"""The Host header is the client's to choose, so nothing a page says is built from it.

Dash's pages write social-preview tags from the request (``twitter:url`` is the whole address with
its filters, ``og:image`` and ``twitter:image`` the ``Host`` header plus the logo's path): a forged
``Host`` would be echoed into the page, and a shared address would carry its filters into any
preview. An internal dashboard wants no previews, so those tags are dropped from every page.

Where the deployment knows its names, ``CSC_ALLOWED_HOSTS`` (comma-separated; ``.example.org``
allows sub-domains) sets Flask's own ``TRUSTED_HOSTS``: a request for any other host is answered
400 before any page or callback runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from werkzeug.exceptions import SecurityError

#: The preview tags whose content Dash builds from the request's URL or host.
REQUEST_TAGS = ("twitter:url", "twitter:image", "og:image", "og:url")
_TAG = re.compile(r"<meta\b[^>]*\bproperty=\"(?:" + "|".join(map(re.escape, REQUEST_TAGS)) + r")\"[^>]*>\s*")


def drop_request_tags(metas: str) -> str:
    """The page's ``<meta>`` tags without those built from the request."""
    return _TAG.sub("", metas)


def _host_refused(_error: SecurityError):
    # Werkzeug's own answer repeats the refused host; this one says nothing the client sent.
    return "This address is not served here.", 400, {"Content-Type": "text/plain; charset=utf-8"}


def register_host_rules(app: Any, allowed_hosts: Sequence[str] = ()) -> None:
    """Pages of ``app`` (a Dash app) never echo the request's host; only ``allowed_hosts`` are served, if given."""
    if allowed_hosts:
        app.server.config["TRUSTED_HOSTS"] = list(allowed_hosts)
        app.server.register_error_handler(SecurityError, _host_refused)
    interpolate = app.interpolate_index  # Dash's documented hook for changing the index page

    def interpolate_without_request_tags(**kwargs):
        kwargs["metas"] = drop_request_tags(kwargs.get("metas", ""))
        return interpolate(**kwargs)

    app.interpolate_index = interpolate_without_request_tags
