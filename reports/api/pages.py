"""The API tokens page: a user creates (shown once) and revokes their own tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessments.forms import add_service_errors

from . import services
from .forms import TokenForm
from .models import ApiToken


def _page(request, form, created=None, status=200):
    tokens = ApiToken.objects.filter(user=request.user).select_related("organization")
    response = render(
        request,
        "reports/api/tokens.html",
        {"form": form, "tokens": tokens, "created": created},
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the new token is on this page once
    return response


@login_required
def api_tokens(request):
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_at=form.expires_at(),
                    request=request,
                    **form.scope_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _page(request, TokenForm(user=request.user), created=created)
        return _page(request, form, status=400)
    return _page(request, form)


@login_required
@require_POST
def api_token_revoke(request, pk):
    # Only one's own tokens: another user's id is "not found".
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, user=request.user, request=request)
    messages.success(request, f"The token “{token.name}” ({token.prefix}) is revoked.")
    return redirect("reports:api_tokens")
