"""Requesting and building an organization's data archive (one ZIP, built by the worker with progress)."""

import datetime
import logging
import tempfile
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Organization
from assessments.permissions import Action, can

from .models import DataArchive
from .sections import SECTIONS
from .writer import ArchiveWriter

logger = logging.getLogger(__name__)

README = """Everything the LHS Commitments Portal holds about {name}
Built on {built} for {user}.

Each table comes twice: as CSV (UTF-8, for any program) and as XLSX (Excel). Dates and times are ISO 8601,
in UTC. Peer figures are not included: they are other organizations' results, released under the
disclosure rules; your organization's own scores are in its scorecards.

Sections:
{sections}

Files:
{files}
{notes}"""


@transaction.atomic
def archive_request(*, organization: Organization, user) -> DataArchive:
    """Queue the building of a new archive of the organization (organization admins only)."""
    if not can(user, Action.ORGANIZATION_DATA, organization):
        raise PermissionDenied("Only an organization admin can download the organization's data.")
    Organization.objects.select_for_update().get(pk=organization.pk)
    pending = DataArchive.objects.filter(
        organization=organization, status__in=[DataArchive.Status.QUEUED, DataArchive.Status.BUILDING]
    ).first()
    if pending is not None:
        raise ValidationError(
            "An archive of the organization is being built already: it will be listed here when ready. "
            "Nothing new was queued."
        )
    archive = DataArchive.objects.create(
        organization=organization, requested_by=user, sections_total=len(SECTIONS)
    )
    from .tasks import build_data_archive

    transaction.on_commit(lambda: build_data_archive.delay(archive_id=archive.pk))
    return archive


def _progress(archive_id: int, **fields) -> None:
    DataArchive.objects.filter(pk=archive_id).update(**fields)


def archive_build(*, archive_id: int) -> DataArchive | None:
    """Build the ZIP section by section, saving progress after each; store it and start its expiry."""
    archive = DataArchive.objects.select_related("organization", "requested_by").filter(pk=archive_id).first()
    if archive is None or archive.status == DataArchive.Status.READY:
        return archive
    organization = archive.organization
    _progress(archive_id, status=DataArchive.Status.BUILDING, sections_total=len(SECTIONS), sections_done=0)
    built = timezone.now()
    root = f"{organization.slug}-data-{built:%Y%m%d}"
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                writer = ArchiveWriter(zf, root)
                for done, section in enumerate(SECTIONS):
                    _progress(archive_id, current_section=section.title, sections_done=done)
                    section.build(organization, writer)
                user = archive.requested_by
                zf.writestr(
                    f"{root}/README.txt",
                    README.format(
                        name=organization.name,
                        built=f"{built:%Y-%m-%d %H:%M} UTC",
                        user=user.get_username() if user else "a former admin",
                        sections="\n".join(f"- {s.title}" for s in SECTIONS),
                        files="\n".join(
                            f"- {path}" + (f" ({what})" if what else "") for path, what in writer.files
                        ),
                        notes=("\nNotes:\n" + "\n".join(f"- {n}" for n in writer.notes) + "\n")
                        if writer.notes
                        else "",
                    ),
                )
            size = spool.tell()
            spool.seek(0)
            archive.file.save(f"{root}.zip", File(spool), save=False)
    except Exception as exc:
        logger.exception("Data archive %s failed", archive_id)
        _progress(
            archive_id,
            status=DataArchive.Status.FAILED,
            error_message=str(exc)[:1000],
            finished_at=timezone.now(),
        )
        raise
    now = timezone.now()
    _progress(
        archive_id,
        status=DataArchive.Status.READY,
        file=archive.file.name,
        size=size,
        sections_done=len(SECTIONS),
        current_section="",
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=settings.DATA_ARCHIVE_EXPIRY_HOURS),
    )
    archive.refresh_from_db()
    return archive


def download_filename(archive: DataArchive) -> str:
    return f"{slugify(archive.organization.name)}-data-{archive.finished_at:%Y-%m-%d}.zip"


def archive_refusal(archive: DataArchive, now=None) -> str:
    """Why this archive cannot be downloaded ("" when it can)."""
    if archive.status != DataArchive.Status.READY or not archive.file:
        return "This archive is not ready yet: it can be downloaded once it is built."
    if archive.is_expired(now):
        expired = timezone.localtime(archive.expires_at)
        return (
            f"This download link expired on {expired:%B %-d, %Y at %H:%M}: archives can be downloaded for "
            f"{settings.DATA_ARCHIVE_EXPIRY_HOURS} hours. Build a new archive to take the data out."
        )
    return ""


def archives_expired_delete(now=None) -> int:
    """Delete the files of expired archives (the rows stay, as the record of what was taken out)."""
    count = 0
    for archive in DataArchive.objects.filter(expires_at__lte=now or timezone.now()).exclude(file=""):
        archive.file.delete(save=False)
        DataArchive.objects.filter(pk=archive.pk).update(file="")
        count += 1
    return count
