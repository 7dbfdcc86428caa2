#!/bin/sh
# Starts the built server (dist/main.js), as `npm start`, `npm run start:prod`, the Dockerfile and the
# benchmark do; arguments go to node before the script (`sh scripts/serve.sh --cpu-prof`).
#
# glibc's allocator is set for libvips (sharp), unless the environment already sets it:
# - MALLOC_ARENA_MAX=2: without it every thread that touches an image gets an arena of its own, whose
#   freed memory stays with it (and sharp then works on a single thread);
# - MALLOC_MMAP_THRESHOLD_=69632 (68 KiB): the 80-96 KiB blocks image work leaves on the heap (most
#   likely libvips' strip buffers: 8 rows of a 4000-pixel RGB image are 96,000 bytes) are mapped and
#   unmapped, so they go back to the system when an image is done instead of fragmenting the heap;
#   Node's 64 KiB socket reads stay below it, on the heap. Setting it also stops glibc from raising
#   the threshold by itself as large blocks are freed.
# `npm run bench -- --only photos` measures what they do (bench/history/2026-12-02.md, 03:50).
#
# V8's young generation: each of its two semi-spaces grows to SEMI_SPACE_MB (default 8; Node 24's own
# choice is 32 on a machine with much memory, 64 MB of young generation resident under load). A
# request's garbage dies young either way; the smaller one keeps about 60 MB less resident for no
# measured CPU (bench/history/2026-12-08.md). Flags given to this script come after, and win.
: "${MALLOC_ARENA_MAX:=2}"
: "${MALLOC_MMAP_THRESHOLD_:=69632}"
: "${SEMI_SPACE_MB:=8}"
export MALLOC_ARENA_MAX MALLOC_MMAP_THRESHOLD_
exec node --max-semi-space-size="$SEMI_SPACE_MB" "$@" dist/main.js
