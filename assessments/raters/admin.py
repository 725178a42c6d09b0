"""Rating rounds in the admin, read only: rounds, raters and decisions change through the services (issue 24).

Individual ratings are listed without their rater: within a group they are anonymous to the organization, and
the admin (Django superusers) has no reason to see more than counts per indicator and level."""

from django.contrib import admin

from ..evidence.admin import ReadOnlyAdmin
from .models import ConsensusDecision, Rater, RaterGroup, Rating, RatingRound


@admin.register(RaterGroup)
class RaterGroupAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "order"]
    list_select_related = ["organization"]


@admin.register(RatingRound)
class RatingRoundAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "status", "closes_on", "opened_at", "closed_at"]
    list_select_related = ["assessment__organization", "assessment__cycle"]


@admin.register(Rater)
class RaterAdmin(ReadOnlyAdmin):
    list_display = ["round", "group", "invited_at", "reminded_at"]
    list_select_related = ["round__assessment__organization", "round__assessment__cycle", "group"]
    exclude = ["nonce"]  # part of the rater's link


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "level", "dont_know", "updated_at"]
    list_select_related = ["indicator"]
    exclude = ["rater"]


@admin.register(ConsensusDecision)
class ConsensusDecisionAdmin(ReadOnlyAdmin):
    list_display = ["round", "indicator", "level", "decided_at"]
    list_select_related = ["round__assessment__organization", "round__assessment__cycle", "indicator"]
