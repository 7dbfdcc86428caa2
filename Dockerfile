# syntax=docker/dockerfile:1
# Multi-stage build: compile with dev dependencies, run with production ones as a non-root user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts/prisma.sh ./scripts/prisma.sh
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 SCARF_ANALYTICS=false CHECKPOINT_DISABLE=1
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json /app/prisma.config.ts ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/asyncapi.yaml ./asyncapi.yaml
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/scripts/prisma.sh /app/scripts/serve.sh /app/scripts/migrate.sh ./scripts/
COPY --from=build --chown=node:node /app/src/database/pg-connection.ts ./src/database/pg-connection.ts
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations first (prisma migrate deploy), then the server (scripts/serve.sh sets glibc's allocator for
# sharp and execs node); SIGTERM drains requests before exit.
CMD ["sh", "-c", "npm run db:migrate && exec sh scripts/serve.sh"]
