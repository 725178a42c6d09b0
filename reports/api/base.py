"""What every API view shares: the audit of each use, the token's scope, ETags, JSON error messages."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from assessments import permissions
from assessments.audit import audit_record
from assessments.models import AuditEvent, Organization
from lhs_portal.cache import CODE_VERSION, release_version

from .models import ApiToken

NOT_AUTHENTICATED = (
    "Authentication required: send 'Authorization: Bearer <token>' with an API token from your API tokens "
    "page."
)


def exception_handler(exc, context):
    """DRF's handler (Http404 -> 404, PermissionDenied -> 403, with {"detail": ...}), with a message that
    says how to authenticate."""
    if isinstance(exc, exceptions.NotAuthenticated):
        header = getattr(exc, "auth_header", None)  # set by the view, for the WWW-Authenticate header
        exc = exceptions.NotAuthenticated(NOT_AUTHENTICATED)
        exc.auth_header = header
    return drf_exception_handler(exc, context)


class ApiView(APIView):
    """Every use of a token is in the audit log: the request, its answer and the token that made it."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = request.auth
        if isinstance(token, ApiToken):
            audit_record(
                kind=AuditEvent.Kind.API_REQUEST,
                request=request._request,
                actor=token.user,
                organization=token.organization,
                detail=f"{request.method} {request.get_full_path()} -> {response.status_code} "
                f"(token {token.prefix})",
            )
        # Identified data: no shared cache keeps it; clients revalidate with If-None-Match.
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["Authorization"])  # the same URL answers each token differently
        return response


def organization_in_scope(request, slug: str) -> Organization:
    """The organization of the URL through the pages' permission check (404 to non-members), then the
    token's scope (403 for another of the user's organizations)."""
    organization = permissions.organization_for(request, slug, permissions.Action.VIEW)
    token = request.auth
    if not token.nam_wide and token.organization_id != organization.pk:
        permissions.deny(request, organization, f"outside the scope of API token {token.prefix}")
    return organization


def require_nam_scope(request) -> None:
    if not request.auth.nam_wide:
        permissions.deny(
            request, None, "NAM endpoints need a NAM-wide token; this token reads one organization"
        )
    permissions.require_nam_staff(request)


def _quoted(text: str) -> str:
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def _matches(request, etag: str) -> bool:
    wanted = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in wanted or etag in wanted or f"W/{etag}" in wanted


def not_modified(etag: str) -> Response:
    response = Response(status=status.HTTP_304_NOT_MODIFIED)
    response["ETag"] = etag
    return response


def release_etag(request, release) -> str:
    """The ETag of data that follows one published release (which never changes) and the query."""
    return _quoted(f"{CODE_VERSION}:{release_version(release)}:{request.get_full_path()}")


def respond(request, data, etag: str | None = None) -> Response:
    """The data with an ETag (its own digest unless given), or 304 when the client has it already.
    data may be a function: with a given ETag it is called only when the client lacks the data."""
    if etag is not None and _matches(request, etag):
        return not_modified(etag)
    if callable(data):
        data = data()
    if etag is None:
        etag = _quoted(json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True))
    if _matches(request, etag):
        return not_modified(etag)
    response = Response(data)
    response["ETag"] = etag
    return response
