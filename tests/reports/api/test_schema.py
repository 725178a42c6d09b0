"""The OpenAPI schema is valid OpenAPI 3 and describes every endpoint; the docs page loads only our files."""

import re

from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

ENDPOINTS = {
    "/api/v1/token/",
    "/api/v1/orgs/{slug}/cycles/",
    "/api/v1/orgs/{slug}/assessments/{cycle_slug}/",
    "/api/v1/orgs/{slug}/assessments/{cycle_slug}/scores/",
    "/api/v1/orgs/{slug}/plans/{cycle_slug}/",
    "/api/v1/nam/cycles/",
    "/api/v1/nam/cycles/{cycle_slug}/responses/",
    "/api/v1/nam/cycles/{cycle_slug}/attestations/",
    "/api/v1/nam/cycles/{cycle_slug}/plans/",
    "/api/v1/nam/releases/{release_id}/benchmarks/",
}


def test_schema_is_valid_openapi(db):
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on any violation of the OpenAPI 3.0 JSON schema
    assert set(schema["paths"]) == ENDPOINTS
    assert all(set(item) == {"get"} for item in schema["paths"].values())  # read-only
    assert schema["components"]["securitySchemes"] == {"apiToken": {"type": "http", "scheme": "bearer"}}
    parameters = {
        p["name"] for p in schema["paths"]["/api/v1/nam/cycles/{cycle_slug}/responses/"]["get"]["parameters"]
    }
    assert {
        "cursor",
        "page_size",
        "org_type",
        "size_band",
        "region",
        "teaching",
        "name_contains",
    } <= parameters


def test_docs_page_uses_only_our_static_files(db):
    client = APIClient()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    content = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', content)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another host
    assert "<style" not in content and "<script>" not in content  # the CSP allows neither
    for path in [s for s in sources if s.startswith("/static/")]:
        assert finders.find(path.removeprefix("/static/")), path
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    script_url = re.search(r'<script src="(/api/v1/docs/\?[^"]+)"', content).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
