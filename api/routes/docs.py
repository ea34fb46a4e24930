"""``GET /docs`` (Swagger UI served from this server, no CDN) and the OpenAPI document.

The Swagger UI files come from the PyPI package ``swagger-ui-bundle-v2`` (module
``swagger_ui_bundle``), looked up at run time, so nothing is vendored into the repository and
the page loads nothing from outside. The start-up script is a file of its own, not inline, so
the strict Content-Security-Policy (script-src 'self') holds.

The OpenAPI document is FastAPI's, with every error answer described as what the service
really sends: ``application/problem+json`` (RFC 9457).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response

from api.assets import AllowedFiles
from api.problems import PROBLEM_JSON

router = APIRouter(include_in_schema=False)

#: The Swagger UI files a page needs: api.assets serves these and nothing else of the package
#: folder (which holds its __init__.py too).
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Zukunftsdialog Industrie – API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""

# validatorUrl null: Swagger UI would otherwise send the spec to validator.swagger.io.
INIT_JS = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""


def assets_folder() -> Path:
    """The folder of the installed Swagger UI distribution."""
    import swagger_ui_bundle

    return Path(str(swagger_ui_bundle.swagger_ui_path))


@router.get("/docs")
def docs_page() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/docs/init.js")
def docs_init() -> Response:
    return Response(INIT_JS, media_type="text/javascript")


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "What was wrong, one entry per field (every 422; a 400 naming parameters).",
            "items": {
                "type": "object",
                "required": ["field", "value", "message"],
                "properties": {
                    "field": {"type": "string", "description": "Parameter or body field (dotted path, e.g. themes.0)."},
                    "value": {"description": "The value given (null if missing or not a plain value)."},
                    "message": {"type": "string"},
                },
            },
        },
        "valid": {"type": "object", "description": "For an unknown filter value: the values the filter takes, by parameter."},
        "id": {"type": "string", "description": "For a 409 (duplicate) or a reused Idempotency-Key: the existing recommendation."},
        "results": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}


def problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe every 4xx/5xx answer as problem+json (what api.problems sends)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if str(status)[0] in "45":
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
                elif str(status) == "304":
                    response.pop("content", None)
    return schema


def filter_enums(schema: dict[str, Any], store: Any) -> dict[str, Any]:
    """Give every filter parameter (marked with ``FILTER_MARK``) the enum of the values the
    graph has for it: slugs and IRIs, as the API takes them."""
    from api.listing import FILTER_MARK, filter_enum

    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for param in operation.get("parameters", []) if isinstance(operation, dict) else []:
                name = param.get("schema", {}).pop(FILTER_MARK, None) or param.pop(FILTER_MARK, None)
                if name:
                    param["schema"] = {"type": "string", "enum": filter_enum(store, name)}
    return schema


def install(app: FastAPI) -> None:
    """Serve /docs and its assets, and make /openapi.json describe problem+json errors."""
    app.include_router(router)
    app.mount("/docs/assets", AllowedFiles({name: (assets_folder() / name, media) for name, media in ASSETS.items()}))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, tags=app.openapi_tags, servers=app.servers,
            )
            app.openapi_schema = filter_enums(problem_openapi(schema), app.state.store)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
