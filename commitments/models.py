"""The rubric: versions of the ten Shared Commitments, their indicators and five-level descriptors.

A published rubric is immutable. Every save and delete of its content is refused here, in the model
layer, so that neither the admin nor a script nor a bulk update can change what assessments were
scored against; changes go into a new version.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class MaturityLevel(models.IntegerChoices):
    """The one maturity scale of the portal."""

    INITIAL = 1, "Initial"
    DEVELOPING = 2, "Developing"
    DEFINED = 3, "Defined"
    MANAGED = 4, "Managed"
    LEARNING = 5, "Learning"

    @property
    def meaning(self) -> str:
        return LEVEL_MEANINGS[self.value]


LEVEL_MEANINGS = {
    1: "Ad hoc: practice depends on individuals and is not written down.",
    2: "Started in places: some units have a practice, partly documented.",
    3: "Defined: a documented, organization-wide standard practice.",
    4: "Managed: measured with data, with accountable owners and targets.",
    5: "Learning: results feed back into redesign and improvement is shown over time.",
}


# The organization types an indicator may apply to. They mirror assessments.models.OrgType (a test keeps the
# two equal); they are spelt out here because the rubric knows nothing of assessments.
ORGANIZATION_TYPE_LABELS = {
    "hospital": "Hospital",
    "health_system": "Health system",
    "academic": "Academic medical center",
    "chc": "Community health center",
    "ambulatory": "Ambulatory or clinic group",
    "other": "Other",
}
ORGANIZATION_TYPES = tuple(ORGANIZATION_TYPE_LABELS)


def type_labels(org_types) -> list[str]:
    """Organization types by name ("Community health center"); empty when it applies to every type."""
    return [ORGANIZATION_TYPE_LABELS[t] for t in org_types if t in ORGANIZATION_TYPE_LABELS]


def level_label(level: int | None) -> str:
    """'3 Defined' for a level, 'N/A' for none."""
    if level is None:
        return "N/A"
    return f"{level} {MaturityLevel(level).label}"


class RubricImmutableError(ValidationError):
    pass


class RubricQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Rubric.Status.PUBLISHED)

    def readable(self):
        """Versions the public may read: published and retired (drafts are work in progress)."""
        return self.filter(status__in=[Rubric.Status.PUBLISHED, Rubric.Status.RETIRED])

    def latest_published(self):
        return self.published().order_by("-published_at", "-pk").first()

    def _locked(self):
        return self.exclude(status=Rubric.Status.DRAFT)

    def update(self, **kwargs):
        # Publishing and retiring in bulk are status changes; anything else must not touch a locked version.
        status_only = (
            not set(kwargs) - {"status", "published_at"} and kwargs.get("status") != Rubric.Status.DRAFT
        )
        if not status_only and self._locked().exists():
            raise RubricImmutableError("A published rubric cannot be changed; create a new version.")
        return super().update(**kwargs)

    def delete(self):
        if self._locked().exists():
            raise RubricImmutableError("A published rubric cannot be deleted.")
        return super().delete()


class Rubric(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    version = models.CharField(max_length=20, unique=True, help_text='Such as "2026.1".')
    title = models.CharField(max_length=200, default="LHS Shared Commitments maturity rubric")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
        help_text="The version this one supersedes; its indicators may be continued through the crosswalk.",
    )
    rating_rule = models.TextField(
        blank=True, help_text="How to choose a level, said on every page that asks."
    )
    content_statement = models.TextField(
        blank=True, help_text="Whose words the indicators and descriptors are (this rubric's own, not NAM's)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Rubric {self.version} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = (
                Rubric.objects.filter(pk=self.pk).values("status", "version", "title", "previous_id").first()
            )
            if stored and stored["status"] != self.Status.DRAFT:
                if stored["version"] != self.version:
                    raise RubricImmutableError("A published rubric's version label cannot change.")
                if stored["title"] != self.title or stored["previous_id"] != self.previous_id:
                    raise RubricImmutableError("A published rubric cannot be changed; create a new version.")
                if self.status == self.Status.DRAFT:
                    raise RubricImmutableError("A published rubric cannot go back to draft.")
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked:
            raise RubricImmutableError("A published rubric cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        """Published and retired versions were scored against: their content can never change."""
        return self.status != self.Status.DRAFT


class LockedContentQuerySet(models.QuerySet):
    """Bulk updates and deletes bypass save(): refuse them too when they touch a locked rubric."""

    rubric_lookup = ""

    def _touches_locked_rubric(self) -> bool:
        return self.filter(**{f"{self.rubric_lookup}__status__in": ["published", "retired"]}).exists()

    def update(self, **kwargs):
        if self._touches_locked_rubric():
            raise RubricImmutableError("A published rubric cannot be changed; create a new version.")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_locked_rubric():
            raise RubricImmutableError("A published rubric cannot be changed; create a new version.")
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(obj.get_rubric().is_locked for obj in objs):
            raise RubricImmutableError("A published rubric cannot be changed; create a new version.")
        return super().bulk_create(objs, *args, **kwargs)


class RubricContent(models.Model):
    """Content of a rubric version: editable only while the version is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_unlocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_unlocked()
        return super().delete(*args, **kwargs)

    def get_rubric(self) -> Rubric:
        raise NotImplementedError

    def _check_unlocked(self):
        rubric = self.get_rubric()
        statuses = set(Rubric.objects.filter(pk=rubric.pk).values_list("status", flat=True))
        if self.pk:
            # Moving a row out of a locked version would change that version too.
            lookup = type(self)._default_manager._queryset_class.rubric_lookup
            statuses.update(
                type(self)._base_manager.filter(pk=self.pk).values_list(f"{lookup}__status", flat=True)
            )
        if statuses - {Rubric.Status.DRAFT}:
            raise RubricImmutableError(
                f"Rubric {rubric.version} is published and cannot be changed; create a new version."
            )


class CommitmentQuerySet(LockedContentQuerySet):
    rubric_lookup = "rubric"


class Commitment(RubricContent):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="commitments")
    slug = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    definition = models.CharField(max_length=300)
    definition_source = models.CharField(
        max_length=300, blank=True, help_text="Where name and definition come from."
    )
    # NAM's framework pages word some commitments differently ("Equitable" for the announcement's "Fair").
    framework_name = models.CharField(max_length=60, blank=True)
    framework_definition = models.CharField(max_length=300, blank=True)
    framework_source = models.CharField(max_length=300, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["rubric", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "slug"], name="commitment_unique_slug"),
            models.UniqueConstraint(fields=["rubric", "order"], name="commitment_unique_order"),
        ]

    def __str__(self):
        return self.name

    def get_rubric(self):
        return self.rubric

    @property
    def display_name(self) -> str:
        """'Fair (Equitable in NAM's framework)' where NAM's framework uses another name, else the name."""
        if self.framework_name and self.framework_name.casefold() != self.name.casefold():
            return f"{self.name} ({self.framework_name} in NAM's framework)"
        return self.name


class IndicatorQuerySet(LockedContentQuerySet):
    rubric_lookup = "commitment__rubric"

    def of_rubric(self, rubric):
        return self.filter(commitment__rubric=rubric)


class Indicator(RubricContent):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=12, help_text="Such as ENG-1; unique within a rubric version.")
    title = models.CharField(max_length=200)
    guidance = models.TextField(help_text="What evidence an assessor should look for.")
    continues = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="continued_by",
        help_text="The indicator of the previous rubric version that this one continues (the crosswalk).",
    )
    applies_to = models.JSONField(
        default=list,
        blank=True,
        help_text="The organization types this indicator applies to; empty: every type.",
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["commitment__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "order"], name="indicator_unique_order"),
            models.UniqueConstraint(fields=["commitment", "code"], name="indicator_unique_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_rubric(self):
        return self.commitment.rubric

    def applies_to_type(self, org_type: str) -> bool:
        return not self.applies_to or org_type in self.applies_to

    @property
    def applies_to_labels(self) -> list[str]:
        return type_labels(self.applies_to)

    def clean(self):
        # The crosswalk only follows links into the version this one supersedes.
        if self.continues_id and self.commitment_id:
            previous_id = self.commitment.rubric.previous_id
            if previous_id is None or self.continues.commitment.rubric_id != previous_id:
                message = "An indicator can only continue an indicator of the previous rubric version."
                raise ValidationError({"continues": message})


class LevelDescriptorQuerySet(LockedContentQuerySet):
    rubric_lookup = "indicator__commitment__rubric"


class LevelDescriptor(RubricContent):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="descriptors")
    level = models.PositiveSmallIntegerField(choices=MaturityLevel.choices)
    text = models.TextField()

    objects = LevelDescriptorQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "level"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="descriptor_unique_level"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="descriptor_level_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} level {self.level}"

    def get_rubric(self):
        return self.indicator.commitment.rubric


class ComplianceItemQuerySet(LockedContentQuerySet):
    rubric_lookup = "rubric"


class ComplianceItem(RubricContent):
    """A legal requirement attested yes / no / in progress: never scored, never benchmarked.

    Kept apart from the maturity indicators so that an honest low maturity rating is never a signed
    admission of non-compliance; the indicators' levels start above these minimums.
    """

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="compliance_items")
    order = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=12, help_text="Such as LAW-1; unique within a rubric version.")
    title = models.CharField(max_length=300, help_text="The requirement, stated as what is in place.")
    basis = models.CharField(max_length=300, help_text="The law or rule that requires it.")
    guidance = models.TextField(blank=True)
    applies_to = models.JSONField(
        default=list, blank=True, help_text="The organization types it applies to; empty: every type."
    )

    objects = ComplianceItemQuerySet.as_manager()

    class Meta:
        ordering = ["rubric", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="compliance_item_unique_code"),
            models.UniqueConstraint(fields=["rubric", "order"], name="compliance_item_unique_order"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_rubric(self):
        return self.rubric

    def applies_to_type(self, org_type: str) -> bool:
        return not self.applies_to or org_type in self.applies_to

    @property
    def applies_to_labels(self) -> list[str]:
        return type_labels(self.applies_to)
