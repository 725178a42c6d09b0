# One image for web and worker. Debian's chromium draws the scorecard charts (kaleido) and the fonts and
# Pango libraries are what WeasyPrint renders PDFs with.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LHS_VAR_DIR=/app/var

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        chromium fonts-dejavu-core libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
        postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY pyproject.toml README.md ./
COPY lhs_portal lhs_portal
COPY commitments commitments
COPY assessments assessments
COPY reports reports
RUN pip install .
COPY . .
# Hashed, compressed static files for whitenoise; the secret here only lets settings load at build time.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-time-only-not-used-at-run-time python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "lhs_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
