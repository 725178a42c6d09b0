"""Session idle timeout and absolute lifetime.

Django's SESSION_COOKIE_AGE alone gives one or the other, not both: the session would be extended on
every save. We keep the two timestamps in the session and end it here. (django-auto-logout does the same
but has not been released for Django 5.2.)
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage

from .audit import _current_request

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self._handle(request)
        finally:
            _current_request.reset(token)

    def _handle(self, request):
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.setdefault(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT
            expired = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                logout(request)
                # MessageMiddleware comes after this one and never runs for this short-circuited
                # request: give the request its own message storage and write it to the response.
                storage = default_storage(request)
                request._messages = storage
                messages.info(
                    request,
                    "You were signed out after a period of inactivity. Please sign in again."
                    if idle
                    else "Your session has ended. Please sign in again.",
                )
                response = redirect_to_login(request.get_full_path())
                storage.update(response)
                return response
            # Write at most once a minute: saving the session on every request costs a query.
            if now - seen_at > 60 or SEEN_AT not in request.session:
                request.session[SEEN_AT] = now
        return self.get_response(request)
