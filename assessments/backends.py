"""The portal's authentication backend: Django's ModelBackend, reading with the user what every page asks.

Every signed-in request loads its user; every page then asks whether that user is NAM staff (navigation,
permissions), and the second-factor check (assessments.signin.middleware) whether they are an organization
admin and have a second factor. Annotating these on the user's own query saves a query each on every request.
"""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from .models import Membership, Role
from .permissions import NAM_STAFF_GROUP

# Recovery codes are a fallback for a lost device, not a second factor of their own.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        nam_staff = Group.objects.filter(user=OuterRef("pk"), name=NAM_STAFF_GROUP)
        org_admin = Membership.objects.filter(
            user=OuterRef("pk"), role=Role.ORG_ADMIN, organization__is_active=True
        )
        second_factor = Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTOR_TYPES)
        user = (
            get_user_model()
            ._default_manager.annotate(
                _in_nam_group=Exists(nam_staff),
                _is_org_admin=Exists(org_admin),
                _has_second_factor=Exists(second_factor),
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._is_nam_staff = user.is_superuser or user._in_nam_group  # read by permissions.is_nam_staff
        return user
