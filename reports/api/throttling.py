"""Throttling per token (DRF's SimpleRateThrottle, keyed on the token's id; rate API_THROTTLE_RATE).

The request history lives in Django's default cache: per process with the local-memory cache the portal
configures (each web process counts its own requests), shared between processes with a shared cache."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self):
        # Read per request (a throttle is made for each): a changed setting applies at once.
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # unauthenticated requests are refused before anything is read
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
