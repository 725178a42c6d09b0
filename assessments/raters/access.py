"""Who may use the rater pages: the person a rater link was sent to, and nobody else.

Why a session: the e-mailed link is exchanged once for a small session that holds only the rater's id and
nonce (no user is signed in). The pages after it carry no token, so the link does not sit in the browser's
history of every page or leak through a Referer header; and the session confines its holder to the rater
pages (RaterSessionMiddleware), so a rater who tries any other address is sent back with a message.
Removing a rater (a new nonce) ends their session on the next request.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ..audit import audit_record
from ..models import AuditEvent
from .models import Rater

SESSION_KEY = "rater"


class NoRaterSession(PermissionDenied):
    """The rater pages were opened without a rater link."""


def record_refusal(request: HttpRequest, organization, why: str) -> None:
    audit_record(
        kind=AuditEvent.Kind.ACCESS_DENIED,
        request=request,
        organization=organization,
        detail=f"{request.method} {request.path}: {why}",
    )


def refuse(request: HttpRequest, organization, why: str) -> None:
    record_refusal(request, organization, why)
    raise PermissionDenied(why)


def is_other_person(request: HttpRequest, rater: Rater) -> bool:
    """A signed-in user who is not the rater (matched by e-mail address)."""
    user = request.user
    return user.is_authenticated and (user.email or "").strip().lower() != rater.email


def bind(request: HttpRequest, rater: Rater) -> None:
    """Start the rater's session (a new session key: whatever the browser held before is not carried)."""
    if not request.user.is_authenticated:
        request.session.cycle_key()
    request.session[SESSION_KEY] = {"id": rater.pk, "nonce": rater.nonce}


def unbind(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def rater_for(request: HttpRequest) -> Rater:
    """The rater of this browser's rater session; NoRaterSession or PermissionDenied otherwise."""
    held = request.session.get(SESSION_KEY) or {}
    rater = (
        Rater.objects.select_related(
            "group", "round__assessment__organization", "round__assessment__cycle__rubric"
        )
        .filter(pk=held.get("id"), nonce=held.get("nonce") or "-")
        .first()
        if isinstance(held, dict)
        else None
    )
    if rater is None:
        unbind(request)
        raise NoRaterSession("no rater session")
    if is_other_person(request, rater):
        refuse(request, rater.round.assessment.organization, "rater session held by another user")
    return rater
