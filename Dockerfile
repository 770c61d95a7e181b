# syntax=docker/dockerfile:1
# Observes: the observes CLI, every tap and target, and the pipeline files, for AWS Batch.
#   docker build -t observes:$(git rev-parse --short HEAD) .
# The runtime stage holds exactly what `npm run image:stage` assembles (deploy/src/stage-image.ts):
# compiled dist/ and runtime files of the programs, production node_modules only, the pipelines at
# /app/runner/examples (infra/'s image_pipelines_dir). No secrets: they arrive as environment
# variables from Secrets Manager when a job starts (infra/secrets.tf, infra/warehouse-users.tf).

# Node 22 LTS: the AWS SDK for JavaScript v3 needs Node >= 22 from January 2027. Pin the digest
# (node:22-bookworm-slim@sha256:...) in production builds for reproducible images.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
# npm ci compiles the workspace (the root prepare script runs tsc -b) with the dev dependencies.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN node deploy/dist/stage-image-cli.js --out /stage

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards Batch's SIGTERM to the runner (which stops its children and keeps the
# last committed state) and reaps exited children.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
# Owned by root, read-only for the user that runs: the programs cannot change themselves.
COPY --from=build /stage /app
ENV NODE_ENV=production \
  PATH=/app/node_modules/.bin:$PATH
# The official image's unprivileged user (uid 1000); the working directory holds local state and
# temporary files of a run.
USER node
WORKDIR /home/node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["observes", "--help"]
