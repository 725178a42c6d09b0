"""Evidence files: documents an organization uploads for its indicators (issue 18).

One document belongs to one assessment and serves any number of its indicators (EvidenceLink). The bytes
live in the "evidence" storage (settings.STORAGES), never under a public URL; downloads go through
assessments.evidence.views, which asks assessments.permissions.
"""
