import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lhs_portal.settings")
application = get_wsgi_application()

# Import the URLconf (every view) now, then move what is loaded (Django, the apps: objects that live as long
# as the process) out of the garbage collector's sight: its full collections then walk only what requests
# create, which saves CPU on every page (README, Performance).
import lhs_portal.urls  # noqa: E402, F401

gc.freeze()
