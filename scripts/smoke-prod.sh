#!/usr/bin/env bash
# Production smoke test without a Docker engine: performs the Dockerfile's steps (read from
# the Dockerfile) in a scratch folder, starts the result as the image would, checks /healthz,
# one real scanned job and a clean SIGTERM shutdown. Needs the Debian packages the image
# installs (tini, tesseract-ocr-eng, util-linux); reads one scan of the corpus in test/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
exec timeout --kill-after=10 180 node scripts/smoke-prod.mjs "$@"
