#!/usr/bin/env bash
# The include rule (docs/architecture.md, "Layers and dependencies"): a domain uses
# another domain only through its public headers. Its store (store.h: SQL and
# migrations) and anything named *_internal.h are that domain's own; only the
# composition root, src/app, includes stores (to list migrations). No domain includes
# src/app. Prints every violation and exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/../src"
status=0
for file in $(find . -name '*.h' -o -name '*.cc' | sed 's|^\./||' | sort); do
  domain=${file%%/*}
  while IFS= read -r inc; do
    other=${inc%%/*}
    [[ "$other" == "$domain" || ! -d "$other" ]] && continue
    name=${inc#*/}
    if [[ "$other" == app ]]; then
      echo "src/$file: includes $inc (nothing below the app may include it)"
      status=1
    elif [[ "$domain" != app && ( "$name" == store.h || "$name" == *_internal.h ) ]]; then
      echo "src/$file: includes $inc, the $other domain's internals"
      status=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done
if ((status == 0)); then echo "check-includes: every cross-domain include is a public header"; fi
exit $status
