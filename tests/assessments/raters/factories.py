"""Factories of rating rounds (tests/assessments/raters)."""

import datetime
import secrets

import factory
from django.utils import timezone

from assessments.raters import models as rm
from tests import factories as f


class RaterGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rm.RaterGroup
        django_get_or_create = ("organization", "name")

    organization = factory.SubFactory(f.OrganizationFactory)
    name = "Leadership"


class RatingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rm.RatingRound

    assessment = factory.SubFactory(f.AssessmentFactory)
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


class RaterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rm.Rater

    round = factory.SubFactory(RatingRoundFactory)
    email = factory.Sequence(lambda n: f"rater{n}@example.org")
    group = factory.LazyAttribute(lambda r: RaterGroupFactory(organization=r.round.assessment.organization))
    nonce = factory.LazyFunction(lambda: secrets.token_hex(16))
