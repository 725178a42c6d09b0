"""The API's JSON: serializers of what the selectors return (dataclasses and rows), read-only.

No rule lives here: what a member may see was decided by the selectors (reports/selectors.py through
reports/disclosure.py, reports/plans/selectors.py) before anything is serialized."""

from rest_framework import serializers

from assessments.models import OrgType, Region, SizeBand

from ..exporters.benchmarks import BENCHMARK_HEADER, RESPONSE_HEADER
from ..peer_groups import PeerGroup

SCORE = {"max_digits": 4, "decimal_places": 2, "allow_null": True}


class TokenSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    scope = serializers.CharField(source="scope_label")
    organization = serializers.SerializerMethodField()
    nam_wide = serializers.BooleanField()
    expires_at = serializers.DateTimeField()

    def get_organization(self, token) -> str | None:
        return None if token.organization is None else token.organization.slug


class CycleSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    status = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class OrgCycleSerializer(serializers.Serializer):
    """One of the organization's assessments."""

    cycle = CycleSerializer()
    status = serializers.CharField(help_text="draft, submitted, returned or validated")
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)


class ResponseSerializer(serializers.Serializer):
    commitment = serializers.SlugField()
    commitment_name = serializers.CharField()
    indicator = serializers.CharField(help_text="The indicator's code.")
    indicator_title = serializers.CharField()
    answered = serializers.BooleanField()
    level = serializers.IntegerField(allow_null=True, help_text="1-5; null when not answered or N/A.")
    level_label = serializers.CharField()
    not_applicable = serializers.BooleanField()
    na_justification = serializers.CharField(allow_blank=True)
    evidence_summary = serializers.CharField(allow_blank=True)
    evidence_links = serializers.ListField(child=serializers.CharField())
    evidence_documents = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField(allow_null=True)


class AssessmentSerializer(serializers.Serializer):
    organization = serializers.SlugField()
    cycle = CycleSerializer()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    responses = ResponseSerializer(many=True)


class PeerStatsSerializer(serializers.Serializer):
    """Peer figures as a member may see them: null where reports/disclosure.py hides a figure."""

    n = serializers.IntegerField()
    mean = serializers.DecimalField(**SCORE)
    p10 = serializers.DecimalField(**SCORE)
    p25 = serializers.DecimalField(**SCORE)
    median = serializers.DecimalField(**SCORE)
    p75 = serializers.DecimalField(**SCORE)
    p90 = serializers.DecimalField(**SCORE)


class CommitmentBenchmarkSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    score = serializers.DecimalField(**SCORE)
    level_label = serializers.CharField()
    peer = PeerStatsSerializer(allow_null=True)
    percentile_rank = serializers.DecimalField(max_digits=4, decimal_places=0, allow_null=True)
    difference = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class ReleaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.SlugField(source="cycle.slug")
    number = serializers.IntegerField()
    inclusion = serializers.CharField()
    is_final = serializers.BooleanField()
    published_at = serializers.DateTimeField()
    n_organizations = serializers.IntegerField()
    description = serializers.CharField()


class GroupDecisionSerializer(serializers.Serializer):
    peer_group = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField()
    shown = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class ScoresSerializer(serializers.Serializer):
    """The dashboard's figures: live scores of the organization, peer figures of a published release."""

    organization = serializers.SlugField(source="organization.slug")
    cycle = serializers.SlugField(source="cycle.slug")
    assessment_status = serializers.CharField(source="assessment.status")
    peer_group = serializers.CharField()
    peer_group_value = serializers.CharField()
    release = ReleaseSerializer(allow_null=True)
    n_peers = serializers.IntegerField()
    suppressed = serializers.BooleanField()
    hidden_reason = serializers.CharField(allow_blank=True)
    detail_note = serializers.CharField(allow_blank=True)
    difference_basis = serializers.CharField()
    overall = CommitmentBenchmarkSerializer()
    commitments = CommitmentBenchmarkSerializer(many=True)
    group_decisions = serializers.SerializerMethodField()

    def get_group_decisions(self, benchmark) -> list[dict]:
        decisions = benchmark.group_decisions
        return [GroupDecisionSerializer(decisions[g]).data for g in PeerGroup if g in decisions]


class ScoresQuerySerializer(serializers.Serializer):
    peer_group = serializers.ChoiceField(choices=PeerGroup.choices, default=PeerGroup.ALL)


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    owner = serializers.SerializerMethodField()
    due_date = serializers.DateField(allow_null=True)
    is_overdue = serializers.BooleanField()
    indicators = serializers.SerializerMethodField()

    def get_owner(self, action) -> str | None:
        owner = action.owner
        return None if owner is None else owner.get_full_name() or owner.get_username()

    def get_indicators(self, action) -> list[str]:
        return [indicator.code for indicator in action.indicators.all()]  # prefetched by plan_actions


class CommitmentPlanSerializer(serializers.Serializer):
    commitment = serializers.SlugField(source="commitment.slug")
    name = serializers.CharField(source="commitment.name")
    score = serializers.DecimalField(**SCORE)
    target_level = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    actions_total = serializers.IntegerField()
    actions_done = serializers.IntegerField()
    actions = ActionSerializer(many=True)


class PlanSerializer(serializers.Serializer):
    organization = serializers.SlugField(source="organization.slug")
    cycle = serializers.SlugField(source="cycle.slug")
    has_results = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    commitments = CommitmentPlanSerializer(many=True)


class NamCycleSerializer(CycleSerializer):
    releases = ReleaseSerializer(many=True, source="benchmark_releases.all")


TEACHING = [("yes", "Teaching"), ("no", "Non-teaching")]


class FieldFilterSerializer(serializers.Serializer):
    """NAM staff's filters, as on the field dashboard and its exports."""

    org_type = serializers.ChoiceField(choices=OrgType.choices, required=False)
    size_band = serializers.ChoiceField(choices=SizeBand.choices, required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    teaching = serializers.ChoiceField(choices=TEACHING, required=False)
    name_contains = serializers.CharField(max_length=100, required=False, trim_whitespace=True)

    def org_filters(self) -> dict:
        data = self.validated_data
        filters = {name: data[name] for name in ("org_type", "size_band", "region") if data.get(name)}
        if data.get("teaching"):
            filters["is_teaching"] = data["teaching"] == "yes"
        if data.get("name_contains"):
            filters["name_contains"] = data["name_contains"]
        return filters


def _row_serializer(name: str, header, doc: str):
    fields = {column: serializers.JSONField(read_only=True) for column in header}
    return type(name, (serializers.Serializer,), {"__doc__": doc, **fields})


BenchmarkRowSerializer = _row_serializer(
    "BenchmarkRowSerializer", BENCHMARK_HEADER, "A row of NAM's benchmarks export (CSV/XLSX)."
)
ResponseRowSerializer = _row_serializer(
    "ResponseRowSerializer", RESPONSE_HEADER, "A row of NAM's responses export (CSV/XLSX)."
)
