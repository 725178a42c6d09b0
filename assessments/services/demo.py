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

from ..geography import STATE_REGION
from ..models import (
    Assessment,
    AssessmentCycle,
    Membership,
    Organization,
    OrgType,
    Ownership,
    Response,
    Role,
    SizeBand,
)
from ..permissions import nam_staff_group

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

# 2020 census populations in millions: where organizations are.
STATE_POPULATION = {
    "CA": 39.5, "TX": 29.1, "FL": 21.5, "NY": 20.2, "PA": 13.0, "IL": 12.8, "OH": 11.8, "GA": 10.7,
    "NC": 10.4, "MI": 10.1, "NJ": 9.3, "VA": 8.6, "WA": 7.7, "AZ": 7.2, "MA": 7.0, "TN": 6.9, "IN": 6.8,
    "MD": 6.2, "MO": 6.2, "WI": 5.9, "CO": 5.8, "MN": 5.7, "SC": 5.1, "AL": 5.0, "LA": 4.7, "KY": 4.5,
    "OR": 4.2, "OK": 4.0, "CT": 3.6, "UT": 3.3, "IA": 3.2, "NV": 3.1, "AR": 3.0, "MS": 3.0, "KS": 2.9,
    "NM": 2.1, "NE": 2.0, "ID": 1.8, "WV": 1.8, "HI": 1.5, "NH": 1.4, "ME": 1.4, "RI": 1.1, "MT": 1.1,
    "DE": 1.0, "SD": 0.9, "ND": 0.8, "AK": 0.7, "DC": 0.7, "VT": 0.6, "WY": 0.6,
}  # fmt: skip
TYPE_WEIGHTS = {
    OrgType.HOSPITAL: 40,
    OrgType.HEALTH_SYSTEM: 12,
    OrgType.ACADEMIC: 7,
    OrgType.COMMUNITY_HEALTH_CENTER: 20,
    OrgType.AMBULATORY: 15,
    OrgType.OTHER: 6,
}
SIZE_WEIGHTS = {
    OrgType.HOSPITAL: {
        SizeBand.UNDER_100: 35, SizeBand.FROM_100: 35, SizeBand.FROM_300: 18, SizeBand.FROM_500: 12,
    },
    OrgType.HEALTH_SYSTEM: {SizeBand.FROM_100: 10, SizeBand.FROM_300: 30, SizeBand.FROM_500: 60},
    OrgType.ACADEMIC: {SizeBand.FROM_300: 20, SizeBand.FROM_500: 80},
    OrgType.COMMUNITY_HEALTH_CENTER: {SizeBand.NOT_APPLICABLE: 95, SizeBand.UNDER_100: 5},
    OrgType.AMBULATORY: {SizeBand.NOT_APPLICABLE: 90, SizeBand.UNDER_100: 10},
    OrgType.OTHER: {SizeBand.UNDER_100: 40, SizeBand.FROM_100: 20, SizeBand.NOT_APPLICABLE: 40},
}  # fmt: skip
TEACHING_CHANCE = {
    (OrgType.ACADEMIC, None): 1.0,
    (OrgType.HEALTH_SYSTEM, None): 0.4,
    (OrgType.HOSPITAL, SizeBand.FROM_500): 0.5,
    (OrgType.HOSPITAL, SizeBand.FROM_300): 0.25,
    (OrgType.HOSPITAL, None): 0.04,
    (OrgType.COMMUNITY_HEALTH_CENTER, None): 0.06,
    (OrgType.AMBULATORY, None): 0.03,
    (OrgType.OTHER, None): 0.02,
}
OWNERSHIP_WEIGHTS = {
    OrgType.COMMUNITY_HEALTH_CENTER: {Ownership.NON_PROFIT: 90, Ownership.PUBLIC: 10},
    OrgType.ACADEMIC: {Ownership.NON_PROFIT: 65, Ownership.PUBLIC: 35},
    None: {Ownership.NON_PROFIT: 58, Ownership.FOR_PROFIT: 24, Ownership.PUBLIC: 18},
}

PLACES = (
    "Riverside Mesa Lakeshore Cedar Pinecrest Harbor Summit Fairview Oakwood Maplewood Brookside Westfield "
    "Northridge Southgate Eastwood Highland Clearwater Silver Lake Willow Creek Granite Falls Prairie Bluff "
    "Red Rock Stonebridge Bay Point Golden Plains Kingsport Ashford Millbrook Sheridan Lincoln Jefferson "
    "Franklin Madison Monroe Hamilton Jackson Sequoia Cascade Sierra Vista Canyon Ridge Piedmont Tidewater "
    "Bluegrass Ozark Heartland Great Lakes Three Rivers Twin Cities Tri-County Mountain View Sunrise Desert "
    "Palms Coastal Bend Gulf Coast Magnolia Dogwood Laurel Hill Elm Grove Birchwood Aspen Juniper Sagebrush "
    "Mission Valley San Gabriel Santa Rosa El Camino Rio Grande Blue Ridge Shenandoah Chesapeake Hudson "
    "Valley Mohawk Allegheny Susquehanna Delaware Valley Cumberland Wabash Platte Valley Big Sky Yellowstone "
    "Black Hills Flint Hills Catawba Savannah River Suwannee Brazos Trinity Pecos Sabine Cimarron Arkansas "
    "Valley Snake River Columbia Willamette Puget Sound Kenai Kona Evergreen Lakeland Parkview Glenwood "
    "Crestview Meadowbrook Springfield Greenfield Fox River Rock River Kettle Moraine Iron Range North Shore "
    "South Shore Cape Ann Berkshire Green Mountain White Mountains Penobscot Casco Bay"
)
# Multi-word places are written with one space and read as listed pairs below.
MULTI = {
    "Silver Lake", "Willow Creek", "Granite Falls", "Prairie Bluff", "Red Rock", "Bay Point",
    "Golden Plains", "Sierra Vista", "Canyon Ridge", "Great Lakes", "Three Rivers", "Twin Cities",
    "Mountain View", "Coastal Bend", "Gulf Coast", "Laurel Hill", "Elm Grove", "Mission Valley",
    "San Gabriel", "Santa Rosa", "El Camino", "Rio Grande", "Blue Ridge", "Hudson Valley",
    "Delaware Valley", "Platte Valley", "Big Sky", "Black Hills", "Flint Hills", "Savannah River",
    "Arkansas Valley", "Snake River", "Puget Sound", "Fox River", "Rock River", "Kettle Moraine",
    "Iron Range", "North Shore", "South Shore", "Cape Ann", "Green Mountain", "White Mountains",
    "Casco Bay", "Desert Palms", "Sunrise Desert",
}  # fmt: skip
SUFFIXES = {
    OrgType.HOSPITAL: [
        "Regional Medical Center", "Memorial Hospital", "Community Hospital", "General Hospital",
        "Medical Center", "Regional Hospital", "Hospital", "Valley Hospital", "Baptist Hospital",
        "Methodist Hospital",
    ],
    OrgType.HEALTH_SYSTEM: ["Health", "Health System", "Healthcare", "Health Partners", "Health Network"],
    OrgType.ACADEMIC: [
        "University Medical Center", "University Hospitals", "Academic Medical Center",
        "University Health", "Medical College Hospitals",
    ],
    OrgType.COMMUNITY_HEALTH_CENTER: [
        "Community Health Center", "Family Health Center", "Community Health Services",
        "Neighborhood Health Center", "Valley Community Health Center",
    ],
    OrgType.AMBULATORY: [
        "Medical Group", "Physicians Group", "Clinic", "Primary Care Associates", "Health Clinics",
    ],
    OrgType.OTHER: [
        "Rehabilitation Institute", "Behavioral Health", "Children's Specialty Center", "Cancer Institute",
        "Orthopedic Specialty Hospital",
    ],
}  # fmt: skip
FIRST_NAMES = [
    "Maria",
    "James",
    "Aisha",
    "Robert",
    "Linda",
    "Michael",
    "Priya",
    "David",
    "Sarah",
    "Carlos",
    "Emily",
    "Daniel",
    "Grace",
    "Kevin",
    "Olivia",
    "Brian",
    "Fatima",
    "Thomas",
    "Hannah",
    "Luis",
    "Rachel",
    "Anthony",
    "Mei",
    "Jason",
    "Laura",
    "Marcus",
    "Sofia",
    "Andrew",
    "Nicole",
    "Samuel",
    "Yuki",
    "Patrick",
    "Angela",
    "Omar",
    "Karen",
    "Steven",
    "Jasmine",
    "Eric",
    "Rebecca",
    "Victor",
    "Diane",
    "Raj",
    "Teresa",
    "Gregory",
    "Naomi",
    "Hector",
    "Julia",
]
LAST_NAMES = [
    "Garcia",
    "Johnson",
    "Patel",
    "Nguyen",
    "Smith",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Chen",
    "Kim",
    "Okafor",
    "Singh",
    "Cohen",
]
TITLES = ["Chief Quality Officer", "Vice President, Quality and Safety", "Director of Quality Improvement"]
# How far a commitment's practice tends to be above or below an organization's general maturity.
COMMITMENT_EFFECT = {
    "engaged": -0.05, "safe": 0.45, "effective": 0.25, "efficient": 0.05, "fair": -0.35,
    "accessible": 0.0, "accountable": 0.15, "transparent": -0.25, "secure": 0.5, "adaptive": -0.4,
}  # fmt: skip
TYPE_EFFECT = {
    OrgType.ACADEMIC: 0.45,
    OrgType.HEALTH_SYSTEM: 0.3,
    OrgType.HOSPITAL: 0.0,
    OrgType.COMMUNITY_HEALTH_CENTER: -0.1,
    OrgType.AMBULATORY: -0.15,
    OrgType.OTHER: -0.2,
}
DEMO_FLAVOUR = {
    "engaged": 0.55, "safe": 0.25, "effective": 0.1, "efficient": -0.2, "fair": -0.75,
    "accessible": 0.45, "accountable": 0.1, "transparent": -0.65, "secure": 0.05, "adaptive": -0.6,
}  # fmt: skip
SIZE_EFFECT = {SizeBand.FROM_500: 0.15, SizeBand.FROM_300: 0.1, SizeBand.UNDER_100: -0.15}
NA_REASONS = [
    "We provide no inpatient services, so this indicator does not apply to our organization.",
    "Not applicable: this service is contracted out and assessed under the partner's program.",
    "We do not operate a research program; this indicator concerns research participation.",
    "Our clinics have no emergency department; the indicator's scope does not apply.",
]
EVIDENCE = {
    1: "Practice varies by unit; no written policy yet. Discussed at the quality committee.",
    2: "Pilot running in two service lines; draft policy under review. Minutes attached.",
    3: "Organization-wide policy approved by the board; training records and audit checklist on file.",
    4: "Quarterly dashboard with targets and named owners; results reviewed by the executive team.",
    5: "Results drive redesign cycles; improvements sustained over three years and shared with peers.",
}
# Peers that make sure every peer group of the demo organization has enough members, even at 60 orgs:
# (type, size band, state, teaching). They are named and scored like every other organization.
ANCHORS = [
    (OrgType.HEALTH_SYSTEM, SizeBand.FROM_300, "MI", True),
    (OrgType.HEALTH_SYSTEM, SizeBand.FROM_500, "IL", True),
    (OrgType.HEALTH_SYSTEM, SizeBand.FROM_300, "WI", False),
    (OrgType.HOSPITAL, SizeBand.FROM_300, "IN", True),
    (OrgType.ACADEMIC, SizeBand.FROM_500, "MN", True),
    (OrgType.HEALTH_SYSTEM, SizeBand.FROM_300, "PA", True),
    (OrgType.HOSPITAL, SizeBand.FROM_300, "MO", False),
    (OrgType.HEALTH_SYSTEM, SizeBand.FROM_100, "TX", True),
    (OrgType.HEALTH_SYSTEM, SizeBand.FROM_300, "IA", False),
    (OrgType.HOSPITAL, SizeBand.FROM_300, "KS", True),
]


@dataclass
class DemoResult:
    organizations: int = 0
    users: int = 0
    cycles: list[str] = field(default_factory=list)
    assessments: int = 0
    responses: int = 0
    skipped: bool = False


def _pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _places() -> list[str]:
    words = PLACES.split()
    places, i = [], 0
    while i < len(words):
        pair = f"{words[i]} {words[i + 1]}" if i + 1 < len(words) else ""
        if pair in MULTI:
            places.append(pair)
            i += 2
        else:
            places.append(words[i])
            i += 1
    return places


def _teaching(rng, org_type, size_band) -> bool:
    chance = TEACHING_CHANCE.get((org_type, size_band), TEACHING_CHANCE.get((org_type, None), 0))
    return rng.random() < chance


class _Names:
    def __init__(self, rng):
        self.rng = rng
        self.places = _places()
        self.used = {DEMO_ORG_NAME}
        self.slugs = {slugify(DEMO_ORG_NAME)}

    def organization(self, org_type, state) -> tuple[str, str]:
        for attempt in range(40):
            place = self.rng.choice(self.places)
            if attempt > 20:  # a crowded name space: qualify with a second place, as real systems do
                place = f"{place} {self.rng.choice(self.places)}"
            name = f"{place} {self.rng.choice(SUFFIXES[org_type])}"
            if name not in self.used:
                break
        else:
            name = f"{name} of {state}"
        base = slugify(name)[:70] or "organization"
        slug, n = base, 2
        while name in self.used or slug in self.slugs:
            slug = f"{base}-{n}"
            if name in self.used:
                name = f"{name.split(' (')[0]} ({state} {n})"
            n += 1
        self.used.add(name)
        self.slugs.add(slug)
        return name, slug


def _cycle_specs(cycles: int, today: datetime.date):
    years = range(today.year - cycles + 1, today.year + 1)
    return [
        (
            str(year),
            datetime.date(year, 2, 1),
            datetime.date(year, 12, 15),
            AssessmentCycle.Status.OPEN if year == today.year else AssessmentCycle.Status.CLOSED,
        )
        for year in years
    ]


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
    for name, opens_on, closes_on, status in _cycle_specs(cycles, today):
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
    names = _Names(rng)
    specs = [(DEMO_ORG_NAME, slugify(DEMO_ORG_NAME), OrgType.HEALTH_SYSTEM, SizeBand.FROM_300, "OH", True)]
    states, populations = list(STATE_POPULATION), list(STATE_POPULATION.values())
    for index in range(1, orgs):
        if index <= len(ANCHORS):
            org_type, size_band, state, teaching = ANCHORS[index - 1]
        else:
            org_type = _pick(rng, TYPE_WEIGHTS)
            size_band = _pick(rng, SIZE_WEIGHTS[org_type])
            state = rng.choices(states, weights=populations)[0]
            teaching = _teaching(rng, org_type, size_band)
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
            ownership=_pick(rng, OWNERSHIP_WEIGHTS.get(org_type, OWNERSHIP_WEIGHTS[None])),
            is_teaching=teaching,
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
        joined = 0 if (is_demo or position <= len(ANCHORS)) else _pick(rng, {0: 70, 1: 20, 2: 10})
        for index, cycle in enumerate(cycle_objects):
            if index < min(joined, last):
                continue
            status, answered_share = _status(rng, is_demo, index == last, position <= len(ANCHORS))
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


def _status(rng, is_demo: bool, is_latest: bool, is_anchor: bool) -> tuple[str | None, float]:
    """(status or None for no assessment, share of indicators answered)."""
    if is_demo:
        return (Assessment.Status.DRAFT, 0.5) if is_latest else (Assessment.Status.VALIDATED, 1)
    if is_anchor:
        return Assessment.Status.VALIDATED, 1
    if is_latest:
        status = _pick(rng, {"validated": 40, "submitted": 25, "returned": 7, "draft": 18, None: 10})
    else:
        status = _pick(rng, {"validated": 90, "submitted": 4, "draft": 3, None: 3})
    if status == "draft":
        return status, rng.choice([0.2, 0.4, 0.6, 0.8])
    return status, 1


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
        assessment.submitted_by_id = assessor_of.get(organization.pk)
        assessment.affirmed_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        assessment.affirmed_title = rng.choice(TITLES)
        assessment.affirmed_at = submitted_at
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
