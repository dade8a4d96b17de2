#!/usr/bin/env bash
# Builds the portal (web/) into web/dist: npm ci when node_modules is missing or older than
# package-lock.json, then the checks (i18n keys; the sentences problems.ts chooses;
# src/api/schema.d.ts is what docs/openapi.json generates), a type check and vite build when
# any source, or the server's OpenAPI document, is newer than the last build (FORCE=1 always
# rebuilds); then the text assets are precompressed (scripts/compress.mjs: .br and .gz).
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.package-lock.json
# A linked node_modules is another checkout's install (a git worktree sharing it): left alone.
if [[ ! -L node_modules ]] && [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  echo "build-web: npm ci in web/" >&2
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch "$stamp"
fi
built=dist/index.html
if [[ ${FORCE:-0} != 1 && -f $built ]] &&
   [[ -z $(find src scripts public index.html vite.config.ts tsconfig.json package-lock.json ../docs/openapi.json \
              -newer "$built" -print -quit) ]]; then
  exit 0
fi
echo "build-web: vite build" >&2
node scripts/check-i18n.mjs
node scripts/check-problems.mjs
node scripts/gen-api.mjs --check
npx --no-install vue-tsc --noEmit
npx --no-install vite build --logLevel warn
node scripts/compress.mjs
