"""Hostile input: random, malformed and forged data posted to every form and JSON endpoint, as every role.

Two properties hold for every request (hypothesis, on the URLs and the world of tests/test_access_matrix.py):
- never a server error (the test client re-raises any exception a view lets escape, so a 500 fails here);
- a rejected request changes nothing: a hash of every row of our apps' tables (and the users) is the same
  before and after any response that is not a success redirect (the audit log, sessions and django-axes'
  tables aside: refusals are audited and sessions are touched by every request).
"Success redirect" = a redirect that is not to the sign-in page and queues no error or warning message.

Each example runs inside a transaction that is rolled back afterwards, so every example starts from the
same world. Then specific cases with exact answers: over-long fields, wrong content types, forged ids of
another organization, replayed and expired invitation links, posts without a CSRF token.
"""

import hashlib
import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment, Invitation, Membership, Response
from assessments.people.services import invitation_token
from commitments.models import Indicator
from tests import test_access_matrix as matrix
from tests.test_access_matrix import ROLES, ROWS

pytestmark = pytest.mark.django_db

world = matrix.world  # the access matrix's world, as a fixture of this module too
BACKEND = "assessments.backends.PortalBackend"
EXCLUDED_MODELS = {"assessments.AuditEvent"}
ERROR_LEVELS = {message_levels.ERROR, message_levels.WARNING}

# Form views that are not in the matrix (Django's own) or not in it yet: (URL name, kwargs).
EXTRA_POST_URLS = {
    "login": {},
    "password_reset": {},
    "password_change": {},
    "reports:scorecards": {"slug": "alpha"},
    "reports:nam_scorecard_batches": {},
}


def _post_urls() -> dict[str, dict]:
    rows = {name: row for name, row in ROWS.items() if "data" in row or "post" in row}
    for name, kwargs in EXTRA_POST_URLS.items():
        if name not in rows:
            rows[name] = {"kwargs": kwargs}
    return dict(sorted(rows.items()))


POST_URLS = _post_urls()


# ---------------------------------------------------------------------------------------------------------
# The database fingerprint


def _tracked_models():
    models = [get_user_model()]
    for label in ("commitments", "assessments", "reports"):
        models += [m for m in apps.get_app_config(label).get_models() if m._meta.label not in EXCLUDED_MODELS]
    return models


def db_fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, per model."""
    fingerprint = {}
    for model in _tracked_models():
        names = [field.attname for field in model._meta.concrete_fields]
        rows = list(model.objects.order_by("pk").values_list(*names))
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        fingerprint[model._meta.label] = (len(rows), digest)
    return fingerprint


def _changed(before, after) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def is_success_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303):
        return False
    if response["Location"].startswith(reverse("login") + "?"):
        return False
    queued = getattr(response.wsgi_request, "_messages", None)
    levels = {m.level for m in getattr(queued, "_queued_messages", [])}
    return not (levels & ERROR_LEVELS)


# ---------------------------------------------------------------------------------------------------------
# What is posted


class FieldNames(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        name = dict(attrs).get("name")
        if tag in ("input", "select", "textarea", "button") and name:
            self.names.add(name)


def _url(name, row, w) -> str:
    return reverse(
        name, kwargs={key: matrix._resolve(value, w) for key, value in row.get("kwargs", {}).items()}
    )


def field_names(client, url, row, w) -> list[str]:
    """The real form's field names: those of the row's valid data and of the page's form(s)."""
    names = set(matrix._resolve(row.get("data", {}), w))
    for role in ("admin_a", "assessor_a", "nam_staff", "anonymous"):
        matrix._client_for(client, w, role)
        page = client.get(url)
        if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
            parser = FieldNames()
            parser.feed(page.content.decode())
            names |= parser.names
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


def forged_ids(w) -> list[int]:
    """Ids of the other organization's objects (and of things that do not exist)."""
    ids = [
        w.org_b.pk,
        w.assessment_b.pk,
        w.invitation_b.pk,
        w.users["assessor_b"].pk,
        Membership.objects.get(user=w.users["assessor_b"]).pk,
        0,
        -1,
        2**31,
        2**63,
    ]
    return ids


LONG = ["A" * 100_000, "é" * 5_000, "<script>alert(1)</script>" * 400, "\x00" * 1000, "https://" + "a" * 3000]
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(LONG),
    st.text(max_size=20).map(lambda text: text + "\x00"),
    st.sampled_from(
        ["", " ", "\x00", "nul\x00byte", "NaN", "inf", "-0", "1e309", "null", "[]", "{}", "on", "true"]
    ),
    st.sampled_from(["' OR 1=1 --", "../../etc/passwd", "javascript:alert(1)", "%00", "\r\nSet-Cookie: x=1"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def post_bodies(names, valid, ids):
    """A form body: the valid data (whole, or some of it) with a few fields replaced or added."""
    value = st.one_of(TEXT, st.sampled_from(ids).map(str))
    field = st.one_of(st.sampled_from(names), st.text(max_size=15)) if names else st.text(max_size=15)
    overrides = st.dictionaries(field, st.one_of(value, st.lists(value, min_size=2, max_size=3)), max_size=3)
    kept = st.just({})
    if valid:
        subsets = st.lists(st.sampled_from(sorted(valid)), unique=True).map(
            lambda keys: {k: valid[k] for k in keys}
        )
        kept = st.one_of(st.just(valid), subsets)
    return st.tuples(kept, overrides).map(lambda parts: {**parts[0], **parts[1]})


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def requests_for(names, valid, ids):
    """(kind, body): a form post, a JSON body, a multipart post with a file, or raw bytes."""
    form = st.tuples(st.just("form"), post_bodies(names, valid, ids))
    return st.one_of(
        form,
        form,
        form,  # most hostile input arrives as a form post: weigh it three to one
        st.tuples(st.just("json"), st.one_of(post_bodies(names, valid, ids), JSON_VALUES).map(json.dumps)),
        st.tuples(st.just("file"), post_bodies(names, valid, ids)),
        st.tuples(st.just("raw"), st.binary(max_size=200)),
    )


def send(client, url, kind, body):
    if kind == "form":
        return client.post(url, body)
    if kind == "json":
        return client.post(url, body, content_type="application/json")
    if kind == "file":
        upload = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>" * 50, content_type="text/html")
        return client.post(url, {**body, "file": upload, next(iter(body), "upload"): upload})
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


# ---------------------------------------------------------------------------------------------------------
# The property


def _area(name: str) -> str:
    """The product area of a URL name: the property test runs one world per area (building it is slow)."""
    if name.startswith(("reports:plan", "reports:nam_plans")):
        return "plans"
    if name.startswith(("assessments:member", "assessments:invitation")):
        return "people"
    if name.startswith(("assessments:nam", "assessments:lockout", "reports:nam")):
        return "nam"
    if name.startswith("assessments:"):
        return "workflow"
    return "other"


AREAS = sorted({_area(name) for name in POST_URLS})


def fuzz_url(name, client, world):
    """Random and forged posts to one URL (raises the first failure hypothesis finds, shrunk)."""
    row = POST_URLS[name]
    url = _url(name, row, world)
    names = field_names(client, url, row, world)
    valid = dict(matrix._resolve(row.get("data", {}), world))
    ids = forged_ids(world)
    # Half the examples come from the roles allowed to post (so they reach the services), half from anyone.
    writers = [role for role in ROLES if role not in row.get("post", {}) and role != "anonymous"] or ROLES

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        database=None,
    )
    @given(
        role=st.one_of(st.sampled_from(writers), st.sampled_from(ROLES)),
        request=requests_for(names, valid, ids),
    )
    def check(role, request):
        kind, body = request
        with transaction.atomic():  # rolled back: every example starts from the same world
            matrix._client_for(client, world, role)
            before = db_fingerprint()
            response = send(client, url, kind, body)
            after = db_fingerprint()
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{role} {kind}: {response.status_code}"
        if not is_success_redirect(response):
            assert _changed(before, after) == [], (
                f"{role} {kind}: rejected with {matrix._describe(response)} but changed the database"
            )

    # Besides the random examples, every real field of the form gets the two classic killers once, the
    # rest of the data valid and posted by a role allowed to: a NUL byte and 100,000 characters.
    for field in names:
        for value in (f"text with a NUL\x00 byte in {field}", "A" * 100_000):
            check = example(role=writers[0], request=("form", {**valid, field: value}))(check)
    check()


@pytest.mark.parametrize("area", AREAS)
def test_random_and_malformed_posts_never_fail_and_rejected_ones_change_nothing(area, client, world):
    failures = []
    for name in sorted(n for n in POST_URLS if _area(n) == area):
        try:
            _url(name, POST_URLS[name], world)
        except NoReverseMatch:
            continue  # not routed yet
        try:
            fuzz_url(name, client, world)
        except Exception as exc:  # every URL of the area is tried; all failures are reported together
            notes = "\n".join(getattr(exc, "__notes__", []))
            failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:300]}\n{notes[:1500]}")
    assert failures == [], "\n\n".join(failures)


# ---------------------------------------------------------------------------------------------------------
# Specific cases, exact answers


def _as(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


COMMITMENT_URL = "/orgs/alpha/assessments/2026/commitments/engaged/"


def _answers(rubric, **first):
    indicators = Indicator.objects.of_rubric(rubric).filter(commitment__slug="engaged").order_by("order")
    data = {"answers-TOTAL_FORMS": "3", "answers-INITIAL_FORMS": "3", "then": "stay"}
    for i, indicator in enumerate(indicators):
        data.update({f"answers-{i}-indicator": str(indicator.pk), f"answers-{i}-version": "0"})
    data.update({f"answers-0-{key}": value for key, value in first.items()})
    return data


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("evidence_summary", 4000, "At most 4,000 characters: this text has 4,001 (1 too many)."),
        ("na_justification", 2000, "At most 2,000 characters: this text has 2,001 (1 too many)."),
        ("evidence_links", 2000, "At most 2,000 characters: this text has 2,001 (1 too many)."),
    ],
)
def test_over_long_answer_field_is_a_form_error_and_saves_nothing(client, world, field, limit, message):
    _as(client, world.users["assessor_a"])
    before = db_fingerprint()
    response = client.post(COMMITMENT_URL, _answers(world.rubric, answer="3", **{field: "x" * (limit + 1)}))
    assert response.status_code == 200
    assert message in _text(response)
    assert db_fingerprint() == before
    assert Response.objects.filter(assessment=world.assessment_a).count() == 0


def test_over_long_organization_name_is_a_form_error(client, world):
    _as(client, world.users["nam_staff"])
    data = {**ROWS["assessments:nam_organizations"]["data"], "name": "N" * 100_000}
    before = db_fingerprint()
    response = client.post(reverse("assessments:nam_organizations"), data)
    assert response.status_code == 400
    assert "Ensure this value has at most" in _text(response)
    assert db_fingerprint() == before


def test_over_long_invitation_email_is_a_form_error(client, world):
    _as(client, world.users["admin_a"])
    before = db_fingerprint()
    response = client.post(
        reverse("assessments:members", kwargs={"slug": "alpha"}),
        {"email": "a" * 300 + "@example.org", "role": "assessor"},
    )
    assert response.status_code in (200, 400)
    assert "Ensure this value has at most" in _text(response) or "Enter a valid email address." in _text(
        response
    )
    assert db_fingerprint() == before


def test_nul_byte_in_a_text_field_is_a_form_error(client, world):
    _as(client, world.users["assessor_a"])
    before = db_fingerprint()
    response = client.post(COMMITMENT_URL, _answers(world.rubric, answer="3", evidence_summary="a\x00b"))
    assert response.status_code == 200
    assert "Null characters are not allowed." in _text(response)
    assert db_fingerprint() == before


def test_json_posted_to_a_form_view_is_rejected_cleanly(client, world):
    _as(client, world.users["assessor_a"])
    before = db_fingerprint()
    body = json.dumps(_answers(world.rubric, answer="3"))
    response = client.post(COMMITMENT_URL, body, content_type="application/json")
    # No form data arrived: the formset's management form is missing, so nothing is saved.
    assert response.status_code == 200
    assert "The form arrived incomplete, so nothing was saved." in _text(response)
    assert db_fingerprint() == before


def test_multipart_with_a_file_to_a_text_view_ignores_the_file(client, world):
    _as(client, world.users["assessor_a"])
    upload = SimpleUploadedFile(
        "evidence.exe", b"MZ" + b"\x00" * 1000, content_type="application/octet-stream"
    )
    data = {
        **_answers(world.rubric, answer="4", evidence_summary="Minutes of the board"),
        "answers-0-evidence_links": upload,
    }
    response = client.post(COMMITMENT_URL, data)
    assert (response.status_code, response["Location"]) == (302, COMMITMENT_URL)
    saved = Response.objects.get(
        assessment=world.assessment_a, indicator__code__endswith="1", indicator__commitment__slug="engaged"
    )
    assert (saved.level, saved.evidence_summary, saved.evidence_links) == (4, "Minutes of the board", "")


def test_another_organizations_indicator_in_an_answer_form_is_refused(client, world):
    """An indicator of another commitment (or rubric) forged into the engaged page: a form error."""
    _as(client, world.users["assessor_a"])
    foreign = Indicator.objects.of_rubric(world.rubric).filter(commitment__slug="safe").first()
    data = _answers(world.rubric, answer="3")
    data["answers-0-indicator"] = str(foreign.pk)
    before = db_fingerprint()
    response = client.post(COMMITMENT_URL, data)
    assert response.status_code == 200
    assert "This indicator is not part of this commitment; reload the page." in _text(response)
    assert db_fingerprint() == before


def test_another_organizations_slug_is_404_and_changes_nothing(client, world):
    _as(client, world.users["assessor_a"])
    before = db_fingerprint()
    for url, data in [
        ("/orgs/bravo/assessments/2026/commitments/engaged/", _answers(world.rubric, answer="3")),
        ("/orgs/bravo/assessments/2026/submit/", {}),
        ("/orgs/bravo/assessments/2026/attest/", {"answers_sha256": "0" * 64, "confirm": "on"}),
        ("/orgs/bravo/people/", {"email": "spy@example.org", "role": "org_admin"}),
        (
            "/orgs/bravo/plan/actions/new/",
            {"cycle": "2026", "commitment": world.engaged.pk, "title": "x", "status": "planned"},
        ),
    ]:
        response = client.post(url, data)
        assert response.status_code == 404, url
    assert db_fingerprint() == before


def test_another_organizations_member_and_invitation_ids_are_404(client, world):
    _as(client, world.users["admin_a"])
    member_b = Membership.objects.get(user=world.users["assessor_b"])
    before = db_fingerprint()
    for url, data in [
        (
            reverse("assessments:member_role", kwargs={"slug": "alpha", "pk": member_b.pk}),
            {"role": "org_admin"},
        ),
        (reverse("assessments:member_remove", kwargs={"slug": "alpha", "pk": member_b.pk}), {}),
        (reverse("assessments:invitation_resend", kwargs={"slug": "alpha", "pk": world.invitation_b.pk}), {}),
        (reverse("assessments:invitation_revoke", kwargs={"slug": "alpha", "pk": world.invitation_b.pk}), {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 404, url
    assert db_fingerprint() == before


def test_switching_to_another_organization_is_refused(client, world):
    _as(client, world.users["assessor_a"])
    response = client.post(reverse("assessments:switch_org"), {"organization": "bravo"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert [str(m) for m in response.wsgi_request._messages._queued_messages] == [
        "You are not a member of that organization."
    ]
    assert client.session.get("active_org") != "bravo"
    assert client.get("/orgs/bravo/assessments/2026/").status_code == 404


def _accept_data():
    return {
        "first_name": "New",
        "last_name": "Comer",
        "password1": "a long enough passphrase 42",
        "password2": "a long enough passphrase 42",
    }


def test_replayed_invitation_link_is_gone(world):
    token = invitation_token(world.invitation_a)
    url = reverse("assessments:invitation_accept", kwargs={"token": token})
    first = Client().post(url, _accept_data())
    assert first.status_code == 302
    assert Invitation.objects.get(pk=world.invitation_a.pk).accepted_at is not None
    users = get_user_model().objects.count()

    replay = Client().post(url, _accept_data())
    assert replay.status_code == 410
    text = _text(replay)
    assert "This invitation was already accepted" in text
    assert "Each invitation link works once, and this one has been used. Sign in to use the portal." in text
    assert "Nothing was changed." in text
    assert get_user_model().objects.count() == users


def test_expired_invitation_link_is_gone(world, settings):
    token = invitation_token(world.invitation_a)
    settings.INVITATION_MAX_AGE_DAYS = 0  # every link is older than zero days
    before = db_fingerprint()
    import time

    time.sleep(1.1)  # the signature's timestamp has a one-second resolution
    response = Client().post(
        reverse("assessments:invitation_accept", kwargs={"token": token}), _accept_data()
    )
    assert response.status_code == 410
    text = _text(response)
    assert "This invitation has expired" in text
    assert "Invitation links work for a limited time. Ask your organization's admin for a new one." in text
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "token", ["not-a-token", "1:abc:def", "x" * 5000, "%00", "1:" + "n" * 32 + ":forged"]
)
def test_forged_invitation_token_is_not_found(world, token):
    before = db_fingerprint()
    response = Client().post(
        reverse("assessments:invitation_accept", kwargs={"token": token}), _accept_data()
    )
    assert response.status_code == 404
    assert "This invitation link is not valid" in _text(response)
    assert db_fingerprint() == before


CSRF_CASES = [
    ("assessments:commitment", "assessor_a"),
    ("assessments:submit", "assessor_a"),
    ("assessments:members", "admin_a"),
    ("assessments:nam_cycles", "nam_staff"),
    ("reports:plan_action_new", "assessor_a"),
    ("assessments:switch_org", "assessor_a"),
]


@pytest.mark.parametrize(("name", "role"), CSRF_CASES)
def test_post_without_csrf_token_is_refused_with_the_expired_form_page(name, role, world):
    row = ROWS[name]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[role], backend=BACKEND)
    before = db_fingerprint()
    response = client.post(_url(name, row, world), matrix._resolve(row.get("data", {}), world))
    assert response.status_code == 403
    text = _text(response)
    assert '<h1 class="h3">This form has expired</h1>' in text
    assert "Go back, reload the page and try again." in text
    assert db_fingerprint() == before


def test_sign_in_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct horse battery staple"}
    )
    assert response.status_code == 403
    assert "This form has expired" in _text(response)
    assert "_auth_user_id" not in client.session


def test_submitted_assessment_cannot_be_changed_by_a_forged_post(client, world):
    Assessment.objects.filter(pk=world.assessment_a.pk).update(status="submitted")
    _as(client, world.users["assessor_a"])
    before = db_fingerprint()
    response = client.post(COMMITMENT_URL, _answers(world.rubric, answer="5"), follow=True)
    assert "This assessment has been submitted and is waiting for NAM review" in _text(response)
    assert "Nothing was changed." in _text(response)
    assert db_fingerprint() == before


def test_fingerprint_sees_a_change():
    """The fingerprint itself: changing one value of one row changes it."""
    from tests import factories as f

    org = f.OrganizationFactory(name="Zulu", slug="zulu")
    before = db_fingerprint()
    org.name = "Zulu Health"
    org.save()
    assert _changed(before, db_fingerprint()) == ["assessments.Organization"]


def test_every_post_url_is_exercised():
    """Every matrix row that takes a POST is in the property test (so a new form cannot be forgotten)."""
    posting = {name for name, row in ROWS.items() if "data" in row or "post" in row}
    assert posting <= set(POST_URLS)
    assert len(POST_URLS) >= 20


QUERY_NAMES = [
    "cycle",
    "page",
    "q",
    "peer_group",
    "status",
    "kind",
    "organization",
    "commitment",
    "sort",
    "user",
]
QUERY_VALUES = ["nul\x00", "A" * 5000, "é✓\u202e", "-1", "99999999999999999999", "../../etc/passwd"]


def test_hostile_query_strings_are_never_a_server_error(client, world):
    """GET parameters the pages read (filters, cycles, pages) with NUL bytes, huge numbers, long text."""
    failures = []
    for name, row in sorted(ROWS.items()):
        try:
            url = _url(name, row, world)
        except NoReverseMatch:
            continue
        if url.startswith("/invitations/"):
            continue  # the token is the path; forged tokens are tested above
        expect = row["expect"]
        readers = [r for r in ("assessor_a", "admin_a", "nam_staff", "anonymous") if expect[r] in (200, 405)]
        matrix._client_for(client, world, (readers or ["assessor_a"])[0])  # past the permission check
        for value in QUERY_VALUES:
            try:
                status = client.get(url, dict.fromkeys(QUERY_NAMES, value)).status_code
            except Exception as exc:  # the test client re-raises what would be a 500
                status = f"500 ({type(exc).__name__}: {str(exc)[:80]})"
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{name} {url}?...={value[:12]!r}: {status}")
    assert failures == []


def test_a_nul_byte_in_the_plan_pages_cycle_parameter_is_a_404(client, world):
    """reports/plans/views.py looks the ?cycle= slug up as it came: PostgreSQL refuses NUL bytes (a 500)."""
    _as(client, world.users["assessor_a"])
    assert client.get("/orgs/alpha/plan/", {"cycle": "2026\x00"}).status_code == 404
    before = db_fingerprint()
    data = {"cycle": "2026\x00", "commitment": world.engaged.pk, "target_level": "3.50"}
    assert client.post(reverse("reports:plan_target", kwargs={"slug": "alpha"}), data).status_code == 404
    assert db_fingerprint() == before
    _as(client, world.users["nam_staff"])
    assert client.get("/nam/plans/", {"cycle": "2026\x00"}).status_code == 404
