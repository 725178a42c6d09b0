"""Session idle timeout and absolute lifetime.

Django's SESSION_COOKIE_AGE alone gives one or the other, not both: the session would be extended on
every save. We keep the two timestamps in the session and end it here. (django-auto-logout does the same
but has not been released for Django 5.2.)
"""

import math
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
                ended = (
                    "You were signed out after a period of inactivity." if idle else "Your session has ended."
                )
                if request.method == "POST":
                    # The page kept what was typed in the browser (static/js/drafts.js) and puts it back.
                    ended += (
                        " What you sent was not saved: sign in again, and your input will be put back on"
                        " the page for you to save."
                    )
                else:
                    ended += " Please sign in again."
                messages.info(request, ended)
                response = redirect_to_login(request.get_full_path())
                storage.update(response)
                return response
            # Write at most once a minute (a tenth of a short timeout): saving the session on every request
            # costs a query.
            if now - seen_at > min(60, settings.SESSION_IDLE_TIMEOUT / 10) or SEEN_AT not in request.session:
                request.session[SEEN_AT] = now
        return self.get_response(request)


def session_seconds_left(request) -> int:
    """Seconds until this session ends if nothing more is done: the sooner of the idle and absolute limits."""
    now = time.time()
    idle_left = request.session.get(SEEN_AT, now) + settings.SESSION_IDLE_TIMEOUT - now
    absolute_left = request.session.get(LOGIN_AT, now) + settings.SESSION_ABSOLUTE_TIMEOUT - now
    # Rounded up: the page's warning never ends the session before the server does.
    return max(0, math.ceil(min(idle_left, absolute_left)))
