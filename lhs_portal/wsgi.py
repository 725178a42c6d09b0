import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lhs_portal.settings")
application = get_wsgi_application()

# Import every view now and then move what is loaded (Django, the apps, the URLconf: objects that live as long as
# the process) out of the garbage collector's sight: its full collections then walk only what requests create.
# Fewer objects to walk saves CPU on every page (README, Performance).
get_resolver().url_patterns
gc.freeze()
