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
  test)
    node --test --test-concurrency=2 \
      "libs/*/src/**/*.test.ts" "libs/*/test/**/*.test.ts" \
      "services/*/src/**/*.test.ts" "services/*/test/**/*.test.ts" "tools/*/test/**/*.test.ts" "bench/test/**/*.test.ts"
    # The spine's end-to-end test and a short soak again, on a local 3-master Redis Cluster.
    echo "--- again on a Redis Cluster (TEST_REDIS_CLUSTER=1)" >&2
    TEST_REDIS_CLUSTER=1 SOAK_SECONDS="${CLUSTER_SOAK_SECONDS:-20}" exec node --test --test-concurrency=1 \
      tools/start/test/e2e.test.ts tools/chaos/test/soak.test.ts ;;
  soak) shift; exec node tools/chaos/dist/src/main.js "$@" ;;
  *) echo "usage: scripts/run.sh start|test|soak [-- --minutes N]" >&2; exit 2 ;;
esac
