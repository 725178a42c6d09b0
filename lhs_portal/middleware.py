"""A portal page instead of the browser's bare "HTTP ERROR 405".

A person lands on a POST-only address by GET more often than one would think: a bookmark, the back button,
or `next=` after signing in again when the session ended on a form's button. Django's require_POST answers
405 with an empty body; this turns that answer into a page that says what happened and where to go.
"""

from django.template.loader import render_to_string


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method in ("GET", "HEAD"):
            # The Allow header Django set stays: only the body is added.
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
