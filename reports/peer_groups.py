"""The predefined peer groups. Organization users see only these: no free filters. Which of them a viewer is
shown, and which figures of each, is decided in one place: reports/disclosure.py."""

from django.db import models


class PeerGroup(models.TextChoices):
    ALL = "all", "All participants"
    ORG_TYPE = "org_type", "Same organization type"
    SIZE_BAND = "size_band", "Same size band"
    REGION = "region", "Same census region"
    TEACHING = "teaching", "Same teaching status"
    OWNERSHIP = "ownership", "Same ownership"
    RURAL = "rural", "Same rural / critical access status"


# The Organization field each peer group matches on (None: everyone in the cycle).
PEER_GROUP_FIELD = {
    PeerGroup.ALL: None,
    PeerGroup.ORG_TYPE: "org_type",
    PeerGroup.SIZE_BAND: "size_band",
    PeerGroup.REGION: "region",
    PeerGroup.TEACHING: "is_teaching",
    PeerGroup.OWNERSHIP: "ownership",
    PeerGroup.RURAL: "is_rural",
}
