#!/bin/sh
# Install exactly the Debian packages from deps/*.pkgs that are missing.
# Idempotent: does nothing (and needs no root) when everything is there.
set -eu
cd "$(dirname "$0")/.."
wanted=$(cat deps/*.pkgs | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=
for p in $wanted; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -z "$missing" ]; then
	exit 0
fi
echo "deps: missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: installing them needs root; run 'sudo make deps' (or: apt-get install$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends $missing
fi
