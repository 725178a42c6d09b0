"""The reminder settings page and the e-mails' one-click unsubscribe.

Settings: each person's own (signed in; nobody else's, so no organization to check in permissions.py).
Unsubscribe: the signed token is the permission (it names one person and one kind); GET only shows a
confirmation, POST (the page's button, or a mail client's RFC 8058 one-click POST) turns the kind off.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import ReminderPreferenceForm
from .models import ReminderKind, ReminderPreference


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    preference = ReminderPreference.objects.filter(user=request.user).first() or ReminderPreference()
    show_review = selectors.review_kind_applies(request.user)
    form = ReminderPreferenceForm(request.POST or None, instance=preference, show_review=show_review)
    if request.method == "POST" and form.is_valid():
        services.reminder_preferences_save(
            user=request.user,
            time_zone=form.cleaned_data["time_zone"],
            kinds={kind: form.cleaned_data[kind] for kind in ReminderKind.values if kind in form.fields},
        )
        messages.success(request, "Your reminder settings are saved.")
        return redirect("reports:reminder_settings")
    return render(request, "reports/reminders/settings.html", {"form": form})


# No CSRF token: a mail client's one-click POST has none; the signed token in the URL stands in for it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminder_unsubscribe(request, token):
    try:
        user_id, kind = services.unsubscribe_read(token)
    except signing.BadSignature:
        return render(request, "reports/reminders/unsubscribe_invalid.html", status=400)
    context = {"kind_label": ReminderKind(kind).label, "token": token}
    if request.method == "POST":
        services.reminder_unsubscribe(user_id=user_id, kind=kind)
        return render(request, "reports/reminders/unsubscribed.html", context)
    return render(request, "reports/reminders/unsubscribe_confirm.html", context)
