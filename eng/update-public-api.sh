#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to PublicAPI.Unshipped.txt,
# and removes the ones reported as gone (RS0017). Usage: eng/update-public-api.sh src/ComfyUI.Client
set -euo pipefail
project=${1:?project folder}
file="$project/PublicAPI.Unshipped.txt"
for round in 1 2 3; do
  out=$(dotnet build "$project" --no-incremental 2>&1 || true)
  added=$(grep -oP "error RS0016: Symbol '\K.*?(?=' is not part of the declared public API)" <<<"$out" | sort -u || true)
  removed=$(grep -oP "error RS0017: Symbol '\K.*?(?=' is part of the declared API, but is either not public or could not be found)" <<<"$out" | sort -u || true)
  [ -z "$added" ] && [ -z "$removed" ] && break
  { head -n1 "$file"; { tail -n +2 "$file"; [ -n "$added" ] && printf '%s\n' "$added"; } | sort -u; } > "$file.tmp"
  if [ -n "$removed" ]; then
    grep -vxF -f <(printf '%s\n' "$removed") "$file.tmp" > "$file.tmp2" || true
    mv "$file.tmp2" "$file.tmp"
  fi
  mv "$file.tmp" "$file"
done
dotnet build "$project" 2>&1 | grep -E " error |Warn|Error" | sort -u | tail -20
