"""The API's docs page: Swagger UI from drf-spectacular-sidecar, served with our static files.

drf-spectacular's split view loads its start-up script from a URL of its own (script-src 'self'); our
template leaves out the inline <style> of drf-spectacular's, which the Content-Security-Policy refuses."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "reports/api/swagger_ui.html"
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
