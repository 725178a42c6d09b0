import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_page_is_accessible_and_signs_in(journey, assessor_a):
    journey.goto("/accounts/login/")
    assert journey.page.title() == "Sign in · LHS Commitments Portal"
    journey.check("sign-in")
    journey.page.get_by_label("Username").fill("alice")
    journey.page.get_by_label("Password").fill("wrong password entirely")
    journey.page.get_by_role("button", name="Sign in").click()
    assert journey.page.get_by_role("alert").first.is_visible()
    journey.check("sign-in-error")
