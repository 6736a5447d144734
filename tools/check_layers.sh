#!/usr/bin/env bash
# Fails when an include crosses a layer the wrong way:
#   schema/ includes neither sync/ nor client/;
#   sync/ never includes client/;
#   client/ reaches sync/ only through sync/api/.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2
bad=0
report() { echo "layering violation: $1"; bad=1; }
while IFS= read -r hit; do report "$hit"; done < <(grep -rnE '#include +"(sync|client)/' schema --include='*.h' --include='*.cc' || true)
while IFS= read -r hit; do report "$hit"; done < <(grep -rnE '#include +"client/' sync --include='*.h' --include='*.cc' || true)
while IFS= read -r hit; do report "$hit"; done < <(grep -rnE '#include +"sync/' client --include='*.h' --include='*.cc' | grep -vE '#include +"sync/api/' || true)
if [ "$bad" -eq 0 ]; then echo "layers ok: schema <- sync <- client <- tools"; fi
exit "$bad"
