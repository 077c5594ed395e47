# syntax=docker/dockerfile:1
# One image for every process; the command picks which one (the TypeScript sources run through tsx,
# as in development):
#   docker run IMAGE                          the API (scripts/api.ts, port 3000)
#   docker run IMAGE scripts/worker.ts        the Temporal worker, loading the workflow bundle built below
#   docker run IMAGE scripts/migrate.ts       apply database migrations, then exit
# Configuration comes from the environment (see .env.example); DATABASE_URL, SMTP_URL, TEMPORAL_ADDRESS
# and, for the API, JWT_SECRET are required.

ARG NODE_IMAGE=node:24-slim

# All dependencies, for building the workflow bundle (and the source of tsx for the runtime image).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The workflow bundle, built once so every worker replica runs the same code and starts without webpack.
FROM deps AS build
COPY . .
RUN npm run build:workflows

# Production dependencies only.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=prod-deps /app/node_modules ./node_modules
# tsx is a dev dependency; it needs nothing at run time but esbuild and esbuild's platform binary.
COPY --from=deps /app/node_modules/tsx ./node_modules/tsx
COPY --from=deps /app/node_modules/esbuild ./node_modules/esbuild
COPY --from=deps /app/node_modules/@esbuild ./node_modules/@esbuild
COPY package.json tsconfig.json ./
# Every source folder the processes import (tests and dev-only files stay out).
COPY api ./api
COPY activities ./activities
COPY db ./db
COPY domain ./domain
COPY infra ./infra
COPY migrations ./migrations
COPY scripts ./scripts
COPY server ./server
COPY workflows ./workflows
COPY --from=build /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
USER node
EXPOSE 3000
# node itself is PID 1 and receives SIGTERM directly: the scripts drain and exit 0.
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["scripts/api.ts"]
