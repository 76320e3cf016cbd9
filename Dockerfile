# One image recipe for every smsbus process, built from the repository root: the uv workspace
# resolves members by their pyproject files, so every member's folder is copied and only the
# wanted one is installed.
#
# A service or the simulator (the default target), named by build args:
#   docker build --build-arg PACKAGE=smsbus-compliance --build-arg MODULE=smsbus.compliance \
#     --build-arg PORT=8081 -t smsbus/compliance .
# The `smsbus` operator command (provision, topics, replay, dlq), the compose stack's provisioning job:
#   docker build --target cli -t smsbus/cli .
# docker-compose.yml lists each image's args; tools/cli/tests/test_compose.py checks them.
# Migrations: `smsbus migrate` / `smsbus provision` (tools/cli) or `make up` apply each service's
# src/smsbus/<package>/migrations; a service image can also run its own with alembic (deploy/k8s).
# The services listen on 127.0.0.1 unless SMSBUS_<SERVICE>_HOST says otherwise: compose and the
# k8s manifests set it to 0.0.0.0.

FROM python:3.11-slim AS workspace
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never PATH=/app/.venv/bin:$PATH
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY libs libs
COPY tools tools
COPY services services

FROM workspace AS cli
# Every member, not only the CLI's dependencies: `smsbus provision` migrates each service's schema
# from that service's own package (migrations/), and stops if one is missing.
RUN uv sync --frozen --no-dev --all-packages
ENTRYPOINT ["smsbus"]

FROM workspace AS service
# PACKAGE: the workspace member to install (smsbus-compliance); MODULE: what `python -m` runs
# (smsbus.compliance); PORT: the port it listens on by default (documentation for `docker run -P`).
ARG PACKAGE
ARG MODULE
ARG PORT=8080
RUN test -n "$PACKAGE" && test -n "$MODULE" \
    || { echo "build with --build-arg PACKAGE=<member> --build-arg MODULE=<module>" >&2; exit 1; }
RUN uv sync --frozen --no-dev --package "$PACKAGE"
ENV SMSBUS_MODULE=$MODULE
EXPOSE $PORT
# exec: python becomes PID 1 and receives the container's SIGTERM itself.
CMD ["sh", "-c", "exec python -m \"$SMSBUS_MODULE\""]
