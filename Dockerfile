# Dozor: one image for every process (`dozor run`, or watch / serve / deliver / schedule).
# Build: docker build -t dozor .   Run: docker run --env-file .env -v dozor-data:/data dozor
FROM python:3.11-slim

# pg_dump / pg_restore for `dozor db backup|restore` on PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Only what the package needs (see .dockerignore): no .env, session, database or media.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install . && rm -rf /src

RUN useradd --system --uid 10001 --create-home --home-dir /home/dozor dozor \
    && mkdir -p /data/media \
    && chown -R dozor:dozor /data
USER dozor
WORKDIR /data

# The data volume holds the SQLite database, media and the Telethon session (when used).
# Inside a container /healthz must listen beyond loopback for the orchestrator to reach it.
ENV DATABASE_URL=sqlite+aiosqlite:////data/dozor.sqlite3 \
    MEDIA_DIR=/data/media \
    TG_SESSION_FILE=/data/dozor.session \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=9108
VOLUME ["/data"]
EXPOSE 9108

# The heartbeat check: /healthz answers 200 only while the database answers and the event
# loop's heartbeat is fresh.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["dozor", "health", "--quiet"]

ENTRYPOINT ["dozor"]
CMD ["run"]
