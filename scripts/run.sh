#!/usr/bin/env bash
# What `npm start` and `npm test` run, so both work on a fresh clone: a recent enough Node
# (installed into ~/.node24 when the machine's is older), dependencies (npm ci when missing
# or stale), a build, then the command.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=node24.sh
source scripts/node24.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
case "${1:-}" in
  start) exec node tools/start/dist/src/main.js ;;
  test) exec node --test --test-concurrency=2 \
      "libs/*/src/**/*.test.ts" "libs/*/test/**/*.test.ts" \
      "services/*/src/**/*.test.ts" "services/*/test/**/*.test.ts" "tools/*/test/**/*.test.ts" ;;
  soak) shift; exec node tools/chaos/dist/src/main.js "$@" ;;
  *) echo "usage: scripts/run.sh start|test|soak [-- --minutes N]" >&2; exit 2 ;;
esac
