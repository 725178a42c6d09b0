"""The rater's side: the e-mailed link, the one rating page, leaving. No organization role, no account."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import access, selectors, services
from .services import DONT_KNOW

LINK_PROBLEMS = {
    "expired": "This rating link has expired. Ask the person who invited you for a new one.",
    "invalid": "This rating link is not valid: check that you copied the whole address from the e-mail.",
    "removed": "This rating link no longer works: you were removed from the round, or sent a newer link.",
}


def link(request, token):
    """Exchange an e-mailed link for a rater session bound to that rater, then show the rating page."""
    try:
        rater = services.rater_from_token(token)
    except services.RaterLinkError as error:
        return render(
            request, "assessments/raters/refused.html", {"message": LINK_PROBLEMS[error.reason]}, status=403
        )
    if access.is_other_person(request, rater):
        message = (
            "This rating link was sent to someone else: you are signed in as another person, so it was "
            "not opened. Sign out first if the link is yours."
        )
        access.record_refusal(request, rater.round.assessment.organization, "rater link used by another user")
        return render(request, "assessments/raters/refused.html", {"message": message}, status=403)
    access.bind(request, rater)
    return redirect("raters:rate")


@require_http_methods(["GET", "POST"])
def rate(request):
    try:
        rater = access.rater_for(request)
    except access.NoRaterSession:
        message = "This page is for raters: open it with the link in the e-mail that invited you."
        return render(request, "assessments/raters/refused.html", {"message": message}, status=403)
    except access.PermissionDenied:
        message = "This rating session belongs to someone else. Sign out, then open your own link."
        return render(request, "assessments/raters/refused.html", {"message": message}, status=403)
    rating_round = rater.round
    commitments = selectors.round_commitments(rating_round)
    if request.method == "POST":
        choices = {
            int(name.removeprefix("rating-")): value
            for name, value in request.POST.items()
            if name.startswith("rating-") and name.removeprefix("rating-").isdigit()
        }
        try:
            changed = services.ratings_save(rater=rater, choices=choices)
        except services.ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Saved ({changed} rating{'s' if changed != 1 else ''} changed).")
        return redirect("raters:rate")
    ratings = selectors.rater_ratings(rater)
    mine = {pk: DONT_KNOW if r.dont_know else str(r.level) for pk, r in ratings.items()}
    # The outline comes from the portal's cache: the rater's choices go beside it, not onto it.
    sections = [(c, [(i, mine.get(i.pk, "")) for i in c.indicators.all()]) for c in commitments]
    total = sum(len(rows) for _, rows in sections)
    context = {
        "rater": rater,
        "rating_round": rating_round,
        "organization": rating_round.assessment.organization,
        "sections": sections,
        "rated": len(ratings),
        "total": total,
        "dont_know": DONT_KNOW,
    }
    return render(request, "assessments/raters/rate.html", context)


@require_POST
def leave(request):
    access.unbind(request)
    messages.info(request, "You have left the rating page. Your ratings are kept; your link opens it again.")
    return redirect("login")
