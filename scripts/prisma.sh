#!/bin/sh
# Runs the Prisma CLI without native engines: the client uses the query compiler with the pg driver
# adapter, and migrations run Prisma's WASM schema engine over the adapter (see prisma.config.ts).
# The placeholder stops the CLI from trying to download engine binaries it never loads.
here=$(cd "$(dirname "$0")/.." && pwd)
export PRISMA_QUERY_ENGINE_LIBRARY="$here/prisma/.no-query-engine"
export PRISMA_SCHEMA_ENGINE_BINARY="$here/prisma/.no-query-engine"
export PRISMA_HIDE_UPDATE_MESSAGE=1
export CHECKPOINT_DISABLE=1
exec "$here/node_modules/.bin/prisma" "$@"
