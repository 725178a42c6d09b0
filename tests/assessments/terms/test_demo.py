"""The demo seeder after load_terms (as `make run` does): every demo organization accepted the terms, so the
demo journeys still submit."""

import io

import pytest
from django.core.management import call_command

from assessments.models import Membership, Organization, Role
from assessments.terms.models import TermsAcceptance
from assessments.terms.services import terms_block_reason

pytestmark = pytest.mark.django_db


def test_demo_organizations_accept_the_terms_in_effect(rubric, terms):
    call_command("seed_demo", orgs=8, cycles=1, seed=1, stdout=io.StringIO())
    organizations = list(Organization.objects.all())
    assert len(organizations) == 8
    accepted = {
        a.organization_id: (a.terms_id, a.accepted_by_id, a.text_sha256)
        for a in TermsAcceptance.objects.all()
    }
    admins = dict(Membership.objects.filter(role=Role.ORG_ADMIN).values_list("organization_id", "user_id"))
    assert accepted == {org_id: (terms.pk, user_id, terms.sha256) for org_id, user_id in admins.items()}
    demo = Organization.objects.get(name="Riverside Regional Health")
    assert demo.pk in accepted and terms_block_reason(demo) == ""


def test_without_terms_the_seeder_records_no_acceptance(rubric):
    call_command("seed_demo", orgs=4, cycles=1, seed=1, stdout=io.StringIO())
    assert TermsAcceptance.objects.count() == 0
