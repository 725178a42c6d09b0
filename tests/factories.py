"""factory_boy factories for every model the tests build."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import models as am
from assessments.permissions import nam_staff_group
from commitments import models as cm
from reports.plans import models as plans

COMMITMENT_NAMES = [
    ("engaged", "Engaged", "ENG"),
    ("safe", "Safe", "SAF"),
    ("effective", "Effective", "EFT"),
    ("efficient", "Efficient", "EFC"),
    ("fair", "Fair", "FAI"),
    ("accessible", "Accessible", "ACC"),
    ("accountable", "Accountable", "ACT"),
    ("transparent", "Transparent", "TRN"),
    ("secure", "Secure", "SEC"),
    ("adaptive", "Adaptive", "ADP"),
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")


class NamStaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"nam{n}")

    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(nam_staff_group())


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Rubric
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: f"2026.{n + 1}")


def build_rubric(version="2026.1", *, commitments=10, indicators=3, publish=True, previous=None) -> cm.Rubric:
    """A complete rubric (10 commitments x 3 indicators x 5 levels by default) with predictable content."""
    rubric = cm.Rubric.objects.create(version=version, previous=previous)
    for c_order, (slug, name, prefix) in enumerate(COMMITMENT_NAMES[:commitments], start=1):
        commitment = cm.Commitment.objects.create(
            rubric=rubric, slug=slug, order=c_order, name=name, definition=f"Definition of {name}"
        )
        for i_order in range(1, indicators + 1):
            continues = None
            if previous is not None:
                continues = cm.Indicator.objects.filter(
                    commitment__rubric=previous, code=f"{prefix}-{i_order}"
                ).first()
            indicator = cm.Indicator.objects.create(
                commitment=commitment,
                order=i_order,
                code=f"{prefix}-{i_order}",
                title=f"{name} indicator {i_order}",
                guidance=f"Evidence for {prefix}-{i_order}.",
                continues=continues,
            )
            cm.LevelDescriptor.objects.bulk_create(
                cm.LevelDescriptor(
                    indicator=indicator, level=level, text=f"{prefix}-{i_order} at level {level}."
                )
                for level in range(1, 6)
            )
    if publish:
        rubric.status = cm.Rubric.Status.PUBLISHED
        rubric.save()
    return rubric


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    org_type = am.OrgType.HOSPITAL
    size_band = am.SizeBand.FROM_100
    state = "OH"
    ownership = am.Ownership.NON_PROFIT
    is_teaching = False


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = am.Role.ASSESSOR


class AssessmentCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.AssessmentCycle
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: str(2026 + n))
    slug = factory.LazyAttribute(lambda c: c.name.lower().replace(" ", "-"))
    rubric = factory.LazyFunction(lambda: cm.Rubric.objects.published().first() or build_rubric())
    opens_on = factory.LazyAttribute(lambda c: datetime.date(int(c.name[:4]), 1, 15))
    closes_on = factory.LazyAttribute(lambda c: datetime.date(int(c.name[:4]), 12, 15))
    status = am.AssessmentCycle.Status.OPEN


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Assessment

    organization = factory.SubFactory(OrganizationFactory)
    cycle = factory.SubFactory(AssessmentCycleFactory)
    status = am.Assessment.Status.DRAFT


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Response

    assessment = factory.SubFactory(AssessmentFactory)
    indicator = factory.LazyAttribute(
        lambda r: cm.Indicator.objects.of_rubric(r.assessment.cycle.rubric).first()
    )
    level = 3


def answer_all(assessment: am.Assessment, levels=None, *, status=None) -> am.Assessment:
    """Answer every indicator: `levels` is one level or a list of 30 (None = N/A)."""
    indicators = list(
        cm.Indicator.objects.of_rubric(assessment.cycle.rubric).order_by("commitment__order", "order")
    )
    if levels is None or isinstance(levels, int):
        levels = [levels or 3] * len(indicators)
    am.Response.objects.bulk_create(
        am.Response(
            assessment=assessment,
            indicator=indicator,
            level=level,
            not_applicable=level is None,
            na_justification="We provide no such service." if level is None else "",
        )
        for indicator, level in zip(indicators, levels, strict=True)
    )
    if status is not None:
        assessment.status = status
        if status in (am.Assessment.Status.SUBMITTED, am.Assessment.Status.VALIDATED):
            assessment.submitted_at = timezone.now()
        assessment.save()
    return assessment


# --- improvement plans ---------------------------------------------------------------------------------


class CommitmentTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = plans.CommitmentTarget

    organization = factory.SubFactory(OrganizationFactory)
    cycle = factory.SubFactory(AssessmentCycleFactory)
    commitment = factory.LazyAttribute(lambda t: t.cycle.rubric.commitments.order_by("order").first())
    target_level = 3


class ImprovementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = plans.ImprovementAction
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    cycle = factory.SubFactory(AssessmentCycleFactory)
    commitment = factory.LazyAttribute(lambda a: a.cycle.rubric.commitments.order_by("order").first())
    title = factory.Sequence(lambda n: f"Action {n}")
    status = plans.ImprovementAction.Status.PLANNED

    @factory.post_generation
    def indicators(self, create, extracted, **kwargs):
        if create and extracted:
            self.indicators.set(extracted)


class ActionNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = plans.ActionNote

    action = factory.SubFactory(ImprovementActionFactory)
    text = factory.Sequence(lambda n: f"Progress note {n}")
