# syntax=docker/dockerfile:1
# wikispiral: one image for the web (gunicorn), the Celery worker and beat.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and HarfBuzz for WeasyPrint (PDF reports), a font it can always find, and gettext to
# compile the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Translations are compiled here, never committed. Static files are collected with production
# settings (hashed names for WhiteNoise); the key only lets settings load and is never used.
RUN if [ -n "$(find . -name '*.po' -print -quit)" ]; then python manage.py compilemessages; fi \
    && DEBUG=false SECRET_KEY=build-only-key-collectstatic-never-serves-with-it \
       ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home wikispiral \
    && mkdir -p /app/media /app/private \
    && chown wikispiral:wikispiral /app/media /app/private
USER wikispiral

EXPOSE 8000
CMD ["sh", "-c", "exec gunicorn wikispiral.wsgi --config python:wikispiral.gunicorn_conf --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --timeout 60 --access-logfile -"]
