"""Confine a rater's session to the rater pages (see assessments/raters/access.py for why it exists)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .access import SESSION_KEY


class RaterSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.open_prefixes = None

    def __call__(self, request):
        if self.open_prefixes is None:
            self.open_prefixes = (reverse("raters:rate"), settings.STATIC_URL, "/healthz", "/favicon")
        if (
            not request.path.startswith(self.open_prefixes)
            and SESSION_KEY in request.session
            and not request.user.is_authenticated
        ):
            messages.warning(
                request,
                "You are here as a rater: only your rating page is open to you. "
                "To sign in as a member of an organization, leave the rating page first.",
            )
            return redirect("raters:rate")
        return self.get_response(request)
