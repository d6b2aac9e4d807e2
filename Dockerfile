# The image of the API, the worker and the migration job (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /app/var \
 && chown -R app:app /app

# Installed as a regular package from the build context (.dockerignore keeps out data, venvs and tests);
# the source copy is removed so only site-packages is used.
COPY . /src
RUN pip install /src && rm -rf /src

WORKDIR /app
USER app
# In a container the API listens on every interface; the published port decides who reaches it.
# VAR_DIR must be writable by the app user (the default would be inside site-packages).
ENV API_HOST=0.0.0.0 \
    API_PORT=8000 \
    VAR_DIR=/app/var \
    LOG_FORMAT=json
EXPOSE 8000
CMD ["python", "-m", "api"]
