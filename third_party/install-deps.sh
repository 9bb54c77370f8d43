#!/usr/bin/env bash
# Installs the Debian packages listed in third_party/debian-packages.txt (and,
# for each NAME given, debian-packages-NAME.txt: `install-deps.sh fuzz` adds
# what the fuzz preset needs) that are not installed yet. Idempotent: when everything is present it does
# nothing (no apt-get update, no network). Needs root or sudo when it installs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
manifests=("$here/debian-packages.txt")
for name in "$@"; do
  [[ -f "$here/debian-packages-$name.txt" ]] || { echo "install-deps: no list $here/debian-packages-$name.txt" >&2; exit 2; }
  manifests+=("$here/debian-packages-$name.txt")
done

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${manifests[@]}" | grep -v '^$')

missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#wanted[@]} packages are present"
  exit 0
fi

sudo=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi

echo "install-deps: installing ${#missing[@]} missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
