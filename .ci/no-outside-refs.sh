#!/usr/bin/env bash
# The repository stands on its own: no tracked file may read or point to the project's shared
# folder beside the checkout (it exists only on the developers' machines, not in a clone).
set -euo pipefail
cd "$(dirname "$0")/.."
# Built from two parts so that this script does not match itself.
up='\.\.'
pattern="${up}/shared|shared/(spec|fixtures|reference)"
if git grep -nE "$pattern" -- . ':!vendor'; then
    echo "tracked files refer to the shared folder outside the repository (above): copy what they need in"
    exit 1
fi
echo "no tracked file refers to the shared folder outside the repository"
