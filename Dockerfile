# The emulator as a container image (docs/container.md):
#   docker build -t nhn-ocr-emulator .
#   docker run -p 8080:8080 nhn-ocr-emulator
# `build` installs every dependency and compiles dist/, `runtime-deps` installs the production
# dependencies; the final stage holds those, dist/ and the files the package reads at run time
# (server/package-root.ts: scenarios/, openapi.yaml, server/admin-openapi.yaml, server/dashboard,
# package.json). `RUN --mount` needs BuildKit (Docker 23 and later by default) or Podman/Buildah.
#
# Behind a TLS-inspecting proxy npm needs that proxy's CA: mount it as a build secret, so it is
# read during `npm ci` and kept in no layer:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt \
#     --build-arg NODE_EXTRA_CA_CERTS=/run/secrets/ca -t nhn-ocr-emulator .
ARG NODE_IMAGE=node:24-bookworm-slim

# Dependencies of the build (dev included). The CA argument is declared only in the stages that run
# npm, so no other step, and no layer of the final image, sees it. Its empty default (no extra CA)
# spares a build without it podman's "missing build argument" warning.
FROM ${NODE_IMAGE} AS build-deps
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; the build runs below.
RUN --mount=type=secret,id=ca \
    npm ci --ignore-scripts --no-audit --no-fund && rm -rf /root/.npm

FROM build-deps AS build
COPY . .
RUN npm run build

# Production dependencies only.
FROM ${NODE_IMAGE} AS runtime-deps
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund && rm -rf /root/.npm

FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="nhn-ocr-emulator" \
      org.opencontainers.image.description="Local emulator of the NHN Cloud Document OCR API (v2.0 and v2.1: credit card and ID card behind the RSA+AES envelope)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="${SOURCE_URL}"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    NODE_OPTIONS=--max-semi-space-size=2
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY LICENSE openapi.yaml ./
COPY scenarios ./scenarios
COPY server/admin-openapi.yaml ./server/admin-openapi.yaml
COPY server/dashboard ./server/dashboard
COPY --from=build /app/dist ./dist
# Optional mounts: more scenario files (read-only is enough) and key pairs kept across restarts
# (writable by uid 1000, and by it alone: private keys live there, and a new named volume takes
# this mode). Neither is set unless asked: EMULATOR_SCENARIOS_DIR=/scenarios,
# EMULATOR_KEYS_DIR=/keys.
RUN mkdir -p /scenarios /keys && chown node:node /keys && chmod 700 /keys
USER node
EXPOSE 8080
# node, not curl: the slim base has no curl. Exit 0 only on 200 from the health route.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/__emulator/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and takes SIGTERM itself: it answers the calls in flight, then exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/server/main.js"]
CMD []
