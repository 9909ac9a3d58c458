# syntax=docker/dockerfile:1
# One image per app, from one Dockerfile:
#   docker build --build-arg APP=ingest -t freeride/ingest .
# APP is one of ingest, anomaly, market-gateway, trading. The build stage runs the same
# `nx run <app>:build` as the tests (tools/build/build-app.mjs): dist/apps/<app> holds the
# bundle, its assets and a package.json + package-lock.json pruned to the app's production
# dependencies. The runtime stage has that directory, `npm ci --omit=dev` of it, and nothing
# else: no sources, no dev dependencies, no npm cache. It runs as the image's `node` user.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
ARG APP=ingest
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run "${APP}:build" --outputStyle=static

FROM ${NODE_IMAGE} AS deps
ARG APP=ingest
WORKDIR /app
COPY --from=build /src/dist/apps/${APP}/package.json /src/dist/apps/${APP}/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG APP=ingest
# The port the app listens on and the health check probes (the app's <APP>_PORT default).
ARG PORT=4318
ENV NODE_ENV=production \
    FREERIDE_APP=${APP} \
    HEALTH_PORT=${PORT}
WORKDIR /app
COPY deploy/docker/env-from-files.sh /usr/local/bin/env-from-files
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/apps/${APP} ./
# The node image's unprivileged `node` user (uid 1000).
USER 1000:1000
EXPOSE ${PORT}
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.HEALTH_PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# VAR_FROM_FILE=/path exports VAR from a mounted secret file, then runs the app.
ENTRYPOINT ["env-from-files"]
CMD ["node", "--enable-source-maps", "main.js"]
