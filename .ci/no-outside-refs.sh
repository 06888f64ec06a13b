#!/usr/bin/env bash
# The repository stands on its own: no tracked file may read or point to `../shared` (the
# project's shared folder exists only on the developers' machines, not in a clone).
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\.\./shared|shared/(spec|fixtures|reference)'
if git grep -nE "$pattern" -- . ':!.ci/no-outside-refs.sh' ':!vendor'; then
    echo "tracked files refer to ../shared (above): copy what they need into the repository"
    exit 1
fi
echo "no tracked file refers to ../shared"
