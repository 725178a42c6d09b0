"""NAM staff publish benchmark releases from the cycle page: preview, publish, refusal, closing a cycle."""

import html
import re

from django.urls import reverse

from assessments.models import Assessment, AssessmentCycle
from reports.models import BenchmarkRelease
from tests import factories as f


def results(cycle, count, *, level=3, prefix="Org"):
    made = []
    for index in range(count):
        organization = f.OrganizationFactory(name=f"{prefix} {index}")
        made.append(
            f.answer_all(
                f.AssessmentFactory(organization=organization, cycle=cycle),
                level,
                status=Assessment.Status.VALIDATED,
            )
        )
    return made


def page_text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def test_cycle_page_links_to_the_release_preview(client, nam_staff, cycle):
    client.force_login(nam_staff)
    page = client.get(reverse("assessments:nam_cycle", args=[cycle.slug])).content.decode()
    assert reverse("reports:nam_release_preview", args=[cycle.slug]) in page


def test_preview_lists_what_changes_and_publishing_makes_release_1(client, nam_staff, cycle):
    results(cycle, 5)
    client.force_login(nam_staff)
    preview = page_text(client.get(reverse("reports:nam_release_preview", args=[cycle.slug])))
    assert "Publish release 1 of the 2026 peer figures" in preview
    assert "5 organizations, validated results only: 5 added, 0 changed, 0 withdrawn." in preview
    assert "<li>Org 0</li>" in preview and 'data-testid="refusal"' not in preview

    response = client.post(
        reverse("reports:nam_release_publish", args=[cycle.slug]), {"inclusion": "validated"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:nam_cycle", args=[cycle.slug])
    release = BenchmarkRelease.objects.get(cycle=cycle)
    assert (release.number, release.published_by, release.n_organizations) == (1, nam_staff, 5)
    followed = page_text(client.get(response["Location"]))
    assert f"Published. {release.description}." in followed


def test_a_refused_release_says_why_and_changes_nothing(client, nam_staff, cycle):
    results(cycle, 5)
    client.force_login(nam_staff)
    client.post(reverse("reports:nam_release_publish", args=[cycle.slug]))
    results(cycle, 2, prefix="Late")
    preview = page_text(client.get(reverse("reports:nam_release_preview", args=[cycle.slug])))
    assert "<li>Late 0</li>" in preview

    response = client.post(reverse("reports:nam_release_publish", args=[cycle.slug]), follow=True)

    text = page_text(response)
    assert (
        "Not published: only 2 results added, changed or withdrawn since the previous release; "
        "at least 5 are needed (3 more)"
    ) in text
    assert BenchmarkRelease.objects.filter(cycle=cycle).count() == 1


def test_closing_a_cycle_publishes_its_final_release(client, nam_staff, cycle):
    cycle.status = AssessmentCycle.Status.OPEN
    cycle.save()
    results(cycle, 6)
    client.force_login(nam_staff)
    cycles_page = client.get(reverse("assessments:nam_cycles")).content.decode()
    assert reverse("reports:nam_cycle_close", args=[cycle.slug]) in cycles_page

    response = client.post(reverse("reports:nam_cycle_close", args=[cycle.slug]), follow=True)

    cycle.refresh_from_db()
    release = BenchmarkRelease.objects.get(cycle=cycle)
    assert (cycle.status, release.is_final, release.n_organizations) == ("closed", True, 6)
    assert "Cycle 2026 is closed: its assessments are read-only. Final Peer figures: release 1" in page_text(
        response
    )


def test_closing_with_too_few_changes_keeps_the_latest_release(client, nam_staff, cycle):
    cycle.status = AssessmentCycle.Status.OPEN
    cycle.save()
    results(cycle, 5)
    client.force_login(nam_staff)
    client.post(reverse("reports:nam_release_publish", args=[cycle.slug]))

    response = client.post(reverse("reports:nam_cycle_close", args=[cycle.slug]), follow=True)

    cycle.refresh_from_db()
    assert cycle.status == "closed"
    assert list(BenchmarkRelease.objects.values_list("number", "is_final")) == [(1, False)]
    assert "No final release: Not published: only 0 results" in page_text(response)
    assert "The latest release stays in effect." in page_text(response)


def test_closing_a_closed_cycle_is_refused_and_publishes_nothing(client, nam_staff, cycle):
    cycle.status = AssessmentCycle.Status.CLOSED
    cycle.save()
    results(cycle, 5)
    client.force_login(nam_staff)
    response = client.post(reverse("reports:nam_cycle_close", args=[cycle.slug]), follow=True)
    assert "cannot be closed" in page_text(response)
    assert not BenchmarkRelease.objects.exists()
