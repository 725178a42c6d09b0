"""Believable demonstration data: organizations, people, cycles and assessments with plausible scores.

Deterministic for a seed (one random.Random drives every choice), and fast at scale: rows are built in
memory and inserted in bulk (PostgreSQL's COPY for the responses), and every demo user shares one
password hash computed once.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from commitments.models import Indicator, Rubric

from ..demo_generators import (
    ANCHORS,
    COMMITMENT_EFFECT,
    DEMO_FLAVOUR,
    EVIDENCE,
    FIRST_NAMES,
    LAST_NAMES,
    NA_REASONS,
    OWNERSHIP_WEIGHTS,
    SIZE_EFFECT,
    SIZE_WEIGHTS,
    STATE_POPULATION,
    TYPE_EFFECT,
    TYPE_WEIGHTS,
    Names,
    assessment_status,
    cycle_specs,
    draw_teaching,
    pick,
)
from ..geography import STATE_REGION
from ..models import (
    Assessment,
    AssessmentCycle,
    Membership,
    Organization,
    OrgType,
    Response,
    Role,
    SizeBand,
)
from ..permissions import nam_staff_group
from ..review.models import Attestation
from ..terms.services import terms_accept_for_demo

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 (published on purpose: demo accounts only)
DEMO_ORG_NAME = "Riverside Regional Health"
# (username, first name, last name, role in the demo organization or None for NAM staff)
DEMO_ACCOUNTS = [
    ("quality.officer", "Quinn", "Okafor", Role.ASSESSOR, "Quality officer: fills in the assessment"),
    ("executive", "Elena", "Marsh", Role.EXECUTIVE, "Executive: reads results and scorecards"),
    ("org.admin", "Adrian", "Cole", Role.ORG_ADMIN, "Organization admin: invites colleagues"),
    ("nam.staff", "Nadia", "Brooks", None, "NAM staff: cycles, review, field dashboard"),
]
BATCH = 5000


@dataclass
class DemoResult:
    organizations: int = 0
    users: int = 0
    cycles: list[str] = field(default_factory=list)
    assessments: int = 0
    responses: int = 0
    skipped: bool = False


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, what the account is for) of every demo account."""
    return [(username, DEMO_PASSWORD, purpose) for username, _, _, _, purpose in DEMO_ACCOUNTS]


@transaction.atomic
def demo_seed(*, orgs: int, cycles: int, seed: int, if_empty: bool = False) -> DemoResult:
    """Create the demo organizations, people, cycles, assessments and responses (see the module doc)."""
    if if_empty and Organization.objects.exists():
        return DemoResult(skipped=True)
    if orgs < 1 or cycles < 1:
        raise ValidationError("Ask for at least one organization and one cycle.")
    rubric = Rubric.objects.latest_published()
    if rubric is None:
        raise ValidationError(
            "There is no published rubric: load one first "
            "(manage.py load_rubric fixtures/rubric/2026.1.yaml --publish)."
        )
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    indicators = list(
        Indicator.objects.filter(commitment__rubric=rubric)
        .select_related("commitment")
        .order_by("commitment__order", "order")
    )
    result = DemoResult()

    # Cycles, named by year and ending in the current year; reuse any that exist.
    cycle_objects = []
    for name, opens_on, closes_on, status in cycle_specs(cycles, today):
        cycle, _ = AssessmentCycle.objects.get_or_create(
            name=name,
            defaults={
                "slug": slugify(name),
                "rubric": rubric,
                "opens_on": opens_on,
                "closes_on": closes_on,
                "status": status,
            },
        )
        cycle_objects.append(cycle)
    result.cycles = [c.name for c in cycle_objects]

    # Organizations: the demo organization first, then anchors, then a believable random mix.
    names = Names(rng, taken=DEMO_ORG_NAME)
    specs = [(DEMO_ORG_NAME, slugify(DEMO_ORG_NAME), OrgType.HEALTH_SYSTEM, SizeBand.FROM_300, "OH", True)]
    states, populations = list(STATE_POPULATION), list(STATE_POPULATION.values())
    for index in range(1, orgs):
        if index <= len(ANCHORS):
            org_type, size_band, state, teaching = ANCHORS[index - 1]
        else:
            org_type = pick(rng, TYPE_WEIGHTS)
            size_band = pick(rng, SIZE_WEIGHTS[org_type])
            state = rng.choices(states, weights=populations)[0]
            teaching = draw_teaching(rng, org_type, size_band)
        name, slug = names.organization(org_type, state)
        specs.append((name, slug, org_type, size_band, state, teaching))
    organizations = [
        Organization(
            name=name,
            slug=slug,
            org_type=org_type,
            size_band=size_band,
            state=state,
            region=STATE_REGION[state],  # bulk_create skips save(), which derives it
            ownership=pick(rng, OWNERSHIP_WEIGHTS.get(org_type, OWNERSHIP_WEIGHTS[None])),
            is_teaching=teaching,
            # Small non-teaching hospitals stand for rural / critical access ones: drawn without the random
            # generator, so that the rest of the seeded data stays what it was.
            is_rural=org_type == OrgType.HOSPITAL and size_band == SizeBand.UNDER_100 and not teaching,
        )
        for name, slug, org_type, size_band, state, teaching in specs
    ]
    Organization.objects.bulk_create(organizations, batch_size=BATCH)
    organizations = list(Organization.objects.filter(slug__in=[s[1] for s in specs]).order_by("pk"))
    by_slug = {o.slug: o for o in organizations}
    organizations = [by_slug[s[1]] for s in specs]
    result.organizations = len(organizations)

    # People: one password hash for every demo user.
    password = make_password(DEMO_PASSWORD)
    user_model = get_user_model()
    users, memberships = [], []
    for username, first, last, role, _ in DEMO_ACCOUNTS:
        users.append(
            user_model(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                password=password,
            )
        )
        memberships.append((username, role, organizations[0]))
    for organization in organizations[1:]:
        for role in (Role.ASSESSOR, Role.EXECUTIVE):
            username = f"{organization.slug[:60]}.{role}"
            users.append(
                user_model(
                    username=username,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    email=f"{username}@example.org",
                    password=password,
                )
            )
            memberships.append((username, role, organization))
    existing = set(
        user_model.objects.filter(username__in=[u.username for u in users]).values_list("username", flat=True)
    )
    user_model.objects.bulk_create([u for u in users if u.username not in existing], batch_size=BATCH)
    user_ids = dict(
        user_model.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    result.users = len(users) - len(existing)
    Membership.objects.bulk_create(
        [
            Membership(user_id=user_ids[username], organization=organization, role=role)
            for username, role, organization in memberships
            if role is not None
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    admins = {o.pk: user_ids[u] for u, role, o in memberships if role == Role.ORG_ADMIN}
    terms_accept_for_demo(admin_of=admins, labels={pk: u for u, pk in user_ids.items()})
    nam_staff = user_model.objects.get(username="nam.staff")
    nam_staff.groups.add(nam_staff_group())
    assessor_of = {o.pk: user_ids.get(f"{o.slug[:60]}.assessor") for o in organizations}
    assessor_of[organizations[0].pk] = user_ids["quality.officer"]

    # Assessments and responses.
    slugs = [i.commitment.slug for i in indicators]
    commitment_slugs = sorted(set(slugs), key=slugs.index)
    assessments, answers = [], []
    last = len(cycle_objects) - 1
    for position, organization in enumerate(organizations):
        is_demo = position == 0
        base = rng.gauss(2.45, 0.45) + TYPE_EFFECT[organization.org_type]
        base += SIZE_EFFECT.get(organization.size_band, 0.0)
        growth = max(0.0, rng.gauss(0.2, 0.1))
        flavour = {slug: rng.gauss(0, 0.35) for slug in commitment_slugs}
        noise = 0.55
        if is_demo:  # a solid organization with clear strengths and gaps, so the dashboards tell a story
            base, growth, flavour, noise = 2.75, 0.25, DEMO_FLAVOUR, 0.3
        joined = 0 if (is_demo or position <= len(ANCHORS)) else pick(rng, {0: 70, 1: 20, 2: 10})
        for index, cycle in enumerate(cycle_objects):
            if index < min(joined, last):
                continue
            status, answered_share = assessment_status(rng, is_demo, index == last, position <= len(ANCHORS))
            if status is None:
                continue
            assessment = _assessment(rng, organization, cycle, status, now, assessor_of, nam_staff, index)
            assessments.append(assessment)
            mean = base + growth * index
            levels = []
            for i, indicator in enumerate(indicators):
                if answered_share < 1 and (i / len(indicators)) >= answered_share:
                    break
                if not is_demo and rng.random() < 0.02:
                    levels.append((indicator, None))
                    continue
                value = (
                    mean
                    + COMMITMENT_EFFECT.get(indicator.commitment.slug, 0)
                    + flavour.get(indicator.commitment.slug, 0.0)
                )
                levels.append((indicator, max(1, min(5, round(value + rng.gauss(0, noise))))))
            answers.append(levels)
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    _attest(assessments, organizations, users, user_ids)
    ids = {
        (org_id, cycle_id): pk
        for pk, org_id, cycle_id in Assessment.objects.filter(organization__in=organizations).values_list(
            "pk", "organization_id", "cycle_id"
        )
    }
    rows = []
    for assessment, levels in zip(assessments, answers, strict=True):
        assessment_id = ids[(assessment.organization_id, assessment.cycle_id)]
        updated_by = assessor_of.get(assessment.organization_id)
        for indicator, level in levels:
            rows.append(
                (
                    assessment_id,
                    indicator.pk,
                    level,
                    level is None,
                    rng.choice(NA_REASONS) if level is None else "",
                    "" if level is None else EVIDENCE[level],
                    "",
                    updated_by,
                    now,
                    1,
                )
            )
    _insert_responses(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics after a bulk load
            for model in (Organization, Assessment, Response):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.assessments = len(assessments)
    result.responses = len(rows)
    return result


def _assessment(rng, organization, cycle, status, now, assessor_of, nam_staff, index) -> Assessment:
    assessment = Assessment(organization=organization, cycle=cycle, status=status)
    if status in (Assessment.Status.SUBMITTED, Assessment.Status.VALIDATED, Assessment.Status.RETURNED):
        closes = min(cycle.closes_on, timezone.localdate())
        day = cycle.opens_on + datetime.timedelta(
            days=rng.randint(60, max(61, (closes - cycle.opens_on).days))
        )
        submitted_at = timezone.make_aware(datetime.datetime.combine(min(day, closes), datetime.time(15, 30)))
        submitted_at = min(submitted_at, now)
        assessment.submitted_at = submitted_at
        assessment.submitted_by_id = assessor_of.get(organization.pk)  # the executive attests: see _attest
    if status in (Assessment.Status.VALIDATED, Assessment.Status.RETURNED):
        assessment.reviewed_by = nam_staff
        assessment.reviewed_at = min(
            assessment.submitted_at + datetime.timedelta(days=rng.randint(3, 20)), now
        )
        if status == Assessment.Status.RETURNED:
            assessment.reviewer_comment = (
                "Thank you. Please add evidence for the Safe and Secure indicators rated 4 or 5 "
                "(dashboards or audit results), then submit again."
            )
    return assessment


def _attest(assessments, organizations, users, user_ids) -> None:
    """Every sent assessment was attested by its organization's executive when it was submitted."""
    names = {u.username: f"{u.first_name} {u.last_name}" for u in users}
    executive = {o.pk: f"{o.slug[:60]}.executive" for o in organizations}
    executive[organizations[0].pk] = "executive"
    attestations = []
    for assessment in assessments:
        username = executive[assessment.organization_id]
        if assessment.submitted_at is None or username not in user_ids:
            continue
        attestations.append(
            Attestation(
                assessment=assessment,
                status=Attestation.Status.ATTESTED,
                status_before=Assessment.Status.DRAFT,
                requested_by_id=assessment.submitted_by_id,
                requested_at=assessment.submitted_at,
                executive_id=user_ids[username],
                executive_name=names[username],
                decided_at=assessment.submitted_at,
                seen={"seeded": True},
            )
        )
        assessment.submitted_by_id = user_ids[username]
    Attestation.objects.bulk_create(attestations, batch_size=BATCH)
    Assessment.objects.bulk_update([a.assessment for a in attestations], ["submitted_by"], batch_size=BATCH)


def _insert_responses(rows) -> None:
    columns = [
        "assessment_id",
        "indicator_id",
        "level",
        "not_applicable",
        "na_justification",
        "evidence_summary",
        "evidence_links",
        "updated_by_id",
        "updated_at",
        "version",
    ]
    if connection.vendor == "postgresql":
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        table = connection.ops.quote_name(Response._meta.db_table)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    Response.objects.bulk_create(
        (Response(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH
    )
