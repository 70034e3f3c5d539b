#!/usr/bin/env bash
# Make the two secrets docker/compose.yaml reads, once: random values, never printed, in files that
# only root and the containers' users may read (the pengkom image runs as uid/gid 10001; PostgreSQL's
# entrypoint reads its file as root). An existing file is kept. DIR defaults to docker/secrets.
set -euo pipefail
DIR="${1:-$(dirname "$0")/secrets}"
mkdir -p "$DIR"
chmod 0750 "$DIR"
for name in db_password jwt_secret; do
  f="$DIR/$name"
  if [[ -s "$f" ]]; then echo "secret $f exists; kept"; continue; fi
  (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n=+/' > "$f")
  if chgrp 10001 "$f" 2>/dev/null; then chmod 0440 "$f"; else
    chmod 0444 "$f"; echo "note: could not give $f to group 10001 (run as root to keep it unreadable to other users)" >&2; fi
  echo "secret $f made"
done
