"""The reminder settings page and the one-click unsubscribe (signed, no sign-in, no write on GET)."""

import pytest
from django.test import Client

from reports.reminders.models import ReminderPreference
from reports.reminders.services import reminders_run, unsubscribe_token
from tests.assessments.workbook.conftest import visible

from .conftest import at

pytestmark = pytest.mark.django_db


def _preference(user):
    return (
        ReminderPreference.objects.filter(user=user)
        .values_list("time_zone", "deadline", "action", "review")
        .first()
    )


def test_the_email_carries_a_signed_one_click_link(alpha_people, cycle, mailoutbox):
    assessor, _, _ = alpha_people
    reminders_run(now=at(2026, 11, 15, 13))
    mail = next(m for m in mailoutbox if m.to == ["alice@example.org"])
    token = unsubscribe_token(user_id=assessor.pk, kind="deadline")
    link = f"https://portal.example.org/reminders/unsubscribe/{token}/"
    assert mail.extra_headers == {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert f"Stop these reminders (one click): {link}\n" in mail.body
    assert "Choose your reminders and time zone: https://portal.example.org/account/reminders/\n" in mail.body


def test_get_asks_and_changes_nothing(client, assessor_a):
    url = f"/reminders/unsubscribe/{unsubscribe_token(user_id=assessor_a.pk, kind='deadline')}/"
    page = visible(client.get(url).content.decode())
    assert (
        "Stop these reminders? You will no longer receive: Assessment deadline (30, 14, 7 and 1 days" in page
    )
    assert _preference(assessor_a) is None


def test_post_without_signing_in_or_csrf_turns_that_kind_off(assessor_a):
    client = Client(enforce_csrf_checks=True)
    url = f"/reminders/unsubscribe/{unsubscribe_token(user_id=assessor_a.pk, kind='action')}/"
    # A mail client's RFC 8058 one-click POST.
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "Reminders stopped You will no longer receive: Improvement actions you own" in visible(
        response.content.decode()
    )
    assert _preference(assessor_a) == ("", True, False, True)
    client.post(url)  # again: still off, nothing else changed
    assert _preference(assessor_a) == ("", True, False, True)


@pytest.mark.parametrize("token", ["forged", "eyJ1IjoxLCJrIjoiZGVhZGxpbmUifQ:xyz"])
def test_a_forged_link_changes_nothing(client, assessor_a, token):
    for method in (client.get, client.post):
        response = method(f"/reminders/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert ReminderPreference.objects.count() == 0


def test_settings_page_saves_time_zone_and_kinds(client, assessor_a):
    client.force_login(assessor_a)
    page = client.get("/account/reminders/").content.decode()
    assert 'name="time_zone"' in page and 'name="deadline"' in page and 'name="action"' in page
    assert 'name="review"' not in page  # only NAM staff review
    response = client.post("/account/reminders/", {"time_zone": "Europe/Paris", "action": "on"}, follow=True)
    assert "Your reminder settings are saved." in response.content.decode()
    assert _preference(assessor_a) == ("Europe/Paris", False, True, True)


def test_settings_page_refuses_an_unknown_time_zone(client, assessor_a):
    client.force_login(assessor_a)
    response = client.post("/account/reminders/", {"time_zone": "Mars/Olympus", "deadline": "on"})
    assert "Select a valid choice. Mars/Olympus is not one of the available choices." in visible(
        response.content.decode()
    )
    assert _preference(assessor_a) is None


def test_nam_staff_can_turn_review_reminders_off(client, nam_staff):
    client.force_login(nam_staff)
    assert 'name="review"' in client.get("/account/reminders/").content.decode()
    client.post("/account/reminders/", {"time_zone": "", "deadline": "on", "action": "on"})
    assert _preference(nam_staff) == ("", True, True, False)


def test_a_link_of_a_deleted_account_changes_nothing(client):
    from tests import factories as f

    gone = f.UserFactory(username="gone")
    url = f"/reminders/unsubscribe/{unsubscribe_token(user_id=gone.pk, kind='deadline')}/"
    gone.delete()
    response = client.post(url)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert ReminderPreference.objects.count() == 0
