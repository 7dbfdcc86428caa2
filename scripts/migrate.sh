#!/bin/sh
# `npm run db:migrate`: `prisma migrate deploy` on DATABASE_URL; without it, the embedded database in
# DATA_DIR through src/cli/migrate.ts (from source where the dev dependencies are installed, else the build's
# dist/cli/migrate.js, as in the production image).
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${DATABASE_URL:-}" ]; then
  exec sh "$here/scripts/prisma.sh" migrate deploy
fi
if [ -d "$here/node_modules/@swc-node/register" ]; then
  exec node -r @swc-node/register "$here/src/cli/migrate.ts"
fi
exec node "$here/dist/cli/migrate.js"
