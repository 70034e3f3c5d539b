#!/usr/bin/env bash
# Make the secrets docker/compose.yaml reads, once, in files that only root and the containers' users
# may read (the pengkom image runs as uid/gid 10001; PostgreSQL's entrypoint reads its file as root):
#   db_password, jwt_secret  random values, never printed;
#   chain_signing_key        the Ed25519 private key (PEM, PKCS#8) that signs chain heads — one key for
#                            every replica, so a head carries the same signature whichever replica
#                            handed it out. Keep a copy with the backups: heads signed before a
#                            restore verify only against this key's public half.
# An existing file is kept. DIR defaults to docker/secrets.
set -euo pipefail
DIR="${1:-$(dirname "$0")/secrets}"
mkdir -p "$DIR"
chmod 0750 "$DIR"

ed25519_key() {  # PEM PKCS#8 on standard output: openssl where present, else Python's cryptography
  if command -v openssl >/dev/null && openssl genpkey -algorithm ed25519 2>/dev/null; then return 0; fi
  local py
  for py in "${PYTHON:-}" .venv/bin/python python3; do
    [[ -n "$py" ]] && command -v "$py" >/dev/null || continue
    "$py" - 2>/dev/null <<'PY' && return 0
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
sys.stdout.buffer.write(Ed25519PrivateKey.generate().private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
PY
  done
  echo "cannot make an Ed25519 key: install openssl (apt-get install openssl) or Python's cryptography" >&2
  return 1
}

for name in db_password jwt_secret chain_signing_key; do
  f="$DIR/$name"
  if [[ -s "$f" ]]; then echo "secret $f exists; kept"; continue; fi
  if [[ $name == chain_signing_key ]]; then
    (umask 077; ed25519_key > "$f.tmp") && mv "$f.tmp" "$f" || { rm -f "$f.tmp"; exit 1; }
  else
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n=+/' > "$f")
  fi
  if chgrp 10001 "$f" 2>/dev/null; then chmod 0440 "$f"; else
    chmod 0444 "$f"; echo "note: could not give $f to group 10001 (run as root to keep it unreadable to other users)" >&2; fi
  echo "secret $f made"
done
