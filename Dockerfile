# syntax=docker/dockerfile:1
# Tusk server image: `docker build -t tusk .` then
#   docker run -p 1080:1080 -v tusk-data:/data tusk
# Configuration is by TUSK_* environment variables (README "Configuration"), e.g.
#   docker run -e TUSK_STORE=s3 -e TUSK_S3_BUCKET=uploads -e TUSK_REDIS_URL=redis://redis:6379 tusk
# deploy/test/runtime-stage.test.ts runs this file's runtime stage outside a container (same files,
# same install command, same environment and command) and checks health and a clean SIGTERM exit.

# Node 26, the active LTS line, is the default; Node 24 (maintenance LTS) is tested too (README
# "Supported Node.js versions"): --build-arg NODE_IMAGE=node:24-trixie-slim.
ARG NODE_IMAGE=node:26-trixie-slim

# --- build: the whole workspace with dev dependencies, compiled to server/dist -----------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
# The root "prepare" script builds every workspace (tsc -b and the client's browser bundle).
RUN npm ci --no-audit --no-fund

# --- runtime: production dependencies of @tusk/server only, non-root, tini as PID 1 -----------------
FROM ${NODE_IMAGE} AS runtime
# tini reaps zombies and forwards SIGTERM to node, which then drains in-flight uploads
# (TUSK_SHUTDOWN_TIMEOUT) and exits 0. Without an init, node as PID 1 still gets SIGTERM here
# because Tusk installs its own handler, but nobody reaps children of cluster workers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# npm ci needs the root manifest and lock, and the manifest of the workspace it installs.
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/server/package.json server/
# --ignore-scripts: the root "prepare" (a build) must not run here; no runtime dependency of
# @tusk/server has an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace @tusk/server && npm cache clean --force
COPY --from=build /src/server/bin server/bin
COPY --from=build /src/server/dist server/dist
# The file store's directory; the node image's "node" user (uid 1000) owns it.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
ENV NODE_ENV=production
ENV TUSK_HOST=0.0.0.0
ENV TUSK_PORT=1080
ENV TUSK_DATA_DIR=/data
USER node
EXPOSE 1080
# /health says the process answers; /ready (store writable, locker reachable) is for load balancers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TUSK_PORT||1080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The heap flag is the one `npm start` and the tusk-server bin use (docs/benchmarks.md, the GC finding).
CMD ["node", "--initial-heap-size=64", "server/dist/main.js"]
