"""The portal's authentication backend: Django's ModelBackend, reading the NAM staff flag with the user.

Every signed-in request loads its user; every page then asks whether that user is NAM staff (navigation,
permissions). Annotating the flag on the user's own query saves a query on every request.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from .permissions import NAM_STAFF_GROUP


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        nam_staff = Group.objects.filter(user=OuterRef("pk"), name=NAM_STAFF_GROUP)
        user = (
            get_user_model()
            ._default_manager.annotate(_in_nam_group=Exists(nam_staff))
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._is_nam_staff = user.is_superuser or user._in_nam_group  # read by permissions.is_nam_staff
        return user
