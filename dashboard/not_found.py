"""An address that is not a page: HTTP 404 and a page with a way back, not Dash's bare "404" heading.

Dash answers every unknown path with its index (status 200) and draws "404 - Page not found" in the
browser, which leaves a bookmarked or mistyped link with nowhere to go and tells a proxy or a link
checker the page exists. :func:`register_not_found` makes the server answer such a path itself,
before Dash: status 404 and a short page linking to every dashboard page. Only the path of a
request that reached Dash's catch-all route is judged, so Dash's own routes (layout, callbacks,
component suites) and the assets are untouched. Nothing from the request is written into the page
except ``presentation=1``, kept so a board member's screen stays in presentation mode.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response, request
from markupsafe import escape

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found - {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}
a{{color:#0b5394}}li{{margin:.25rem 0}}</style></head>
<body><main>
<h1>Page not found</h1>
<p>There is no page at this address in {title}. It may have been mistyped, or the link may be out of
date. The dashboard's pages are:</p>
<ul id="not-found-pages">{links}</ul>
</main></body></html>
"""


def not_found_html(title: str, pages: Iterable[tuple[str, str]], presentation: bool) -> str:
    """The 404 page: ``pages`` are (name, href) in navbar order; hrefs keep presentation mode."""
    query = "?presentation=1" if presentation else ""
    links = "".join(f'<li><a href="{escape(href)}{query}">{escape(name)}</a></li>' for name, href in pages)
    return TEMPLATE.format(title=escape(title), links=links)


def register_not_found(app: Any, pages: list[dict], title: str, presentation_only: bool) -> None:
    """Answer paths that are not one of ``pages`` (Dash's page registry entries) with a 404 page."""
    known = {p["path"].strip("/") for p in pages}
    links = [(p["name"], p["relative_path"]) for p in pages]
    catchall = app.config.routes_pathname_prefix + "<path:path>"

    def refuse_unknown_paths():
        if request.endpoint != catchall or (request.view_args or {}).get("path", "").strip("/") in known:
            return None
        presentation = presentation_only or request.args.get("presentation") == "1"
        return Response(not_found_html(title, links, presentation), status=404, mimetype="text/html")

    app.server.before_request(refuse_unknown_paths)
