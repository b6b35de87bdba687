"""The route template a request matched ("/providers/{provider_id}"), never its raw path: what access logs,
metrics and HTTP caching are keyed by, so that ids, slugs and tokens in paths never become labels.
"""

from __future__ import annotations

from starlette.types import Scope

UNMATCHED = "<unmatched>"  # no route took the request (a 404): one label for every unknown path


def route_template(scope: Scope) -> str:
    """The template of the route that handled `scope` (read after the app has run), or UNMATCHED."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if isinstance(template, str):
        return template
    root_path = str(scope.get("root_path", ""))
    if root_path != str(scope.get("app_root_path", root_path)):
        return root_path + "/{path}"  # a mounted app (static files): its prefix, not the file asked for
    if "endpoint" in scope and not scope.get("path_params"):
        return str(
            scope["path"]
        )  # a plain route without parameters (/openapi.json): its path is its template
    return UNMATCHED
