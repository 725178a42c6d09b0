"""The demo seeder's generators: where organizations are, what they are called, their type and size, how
mature each one is on each commitment, and who signs. Pure functions of one random.Random, so a seed always
gives the same field; services/demo.py writes what they invent."""

import datetime
import random

from django.utils.text import slugify

from .models import Assessment, AssessmentCycle, OrgType, Ownership, SizeBand

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


def pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def places() -> list[str]:
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


def draw_teaching(rng, org_type, size_band) -> bool:
    chance = TEACHING_CHANCE.get((org_type, size_band), TEACHING_CHANCE.get((org_type, None), 0))
    return rng.random() < chance


class Names:
    """Unique organization names and slugs, none equal to a name already taken (the demo organization's)."""

    def __init__(self, rng, *, taken: str):
        self.rng = rng
        self.places = places()
        self.used = {taken}
        self.slugs = {slugify(taken)}

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


def cycle_specs(cycles: int, today: datetime.date):
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


def assessment_status(rng, is_demo: bool, is_latest: bool, is_anchor: bool) -> tuple[str | None, float]:
    """(status or None for no assessment, share of indicators answered)."""
    if is_demo:
        return (Assessment.Status.DRAFT, 0.5) if is_latest else (Assessment.Status.VALIDATED, 1)
    if is_anchor:
        return Assessment.Status.VALIDATED, 1
    if is_latest:
        status = pick(rng, {"validated": 40, "submitted": 25, "returned": 7, "draft": 18, None: 10})
    else:
        status = pick(rng, {"validated": 90, "submitted": 4, "draft": 3, None: 3})
    if status == "draft":
        return status, rng.choice([0.2, 0.4, 0.6, 0.8])
    return status, 1
