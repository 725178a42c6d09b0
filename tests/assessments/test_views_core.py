"""assessments/views/core.py: the floor page (what the load test and bench read every page against)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_floor_page_is_the_base_template_for_a_signed_in_user(
    client, executive_a, django_assert_num_queries
):
    client.force_login(executive_a)
    client.get(reverse("assessments:floor"))  # the first request of a session writes its timestamps
    with django_assert_num_queries(3):  # the session, the user (with the NAM staff flag), the memberships
        response = client.get(reverse("assessments:floor"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3">You are signed in</h1>' in page
    assert "<title>Signed in · LHS Commitments Portal</title>" in page


def test_the_floor_page_sends_the_anonymous_to_sign_in(client):
    response = client.get(reverse("assessments:floor"))
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/signed-in/")
