#!/usr/bin/env bash
# The one place that knows what Kakehashi needs from Debian (bash and coreutils only, so `make`
# can run it before Python is even synced).
#
#   devtools/system-packages.sh dev|test|ci [--check]
#
#   dev   the PDF interview sheet's fonts (Latin with Vietnamese diacritics, and Japanese)
#   test  dev + chromium, for the console's browser tests
#   ci    test + make, PostgreSQL (the second test run) and docker-compose (tests/deploy)
#
# Nothing missing: silent, exit 0. Something missing: as root (and without --check) it runs
# `apt-get update` and `apt-get install -y` for exactly what is missing; otherwise it stops at
# once, exit 1, with the line to run.
#
# KAKEHASHI_SYSTEM_ROOT (a directory standing for /), KAKEHASHI_SYSTEM_UID (the user id to act
# as) and KAKEHASHI_APT_GET (a command standing for apt-get) let devtools/tests check every
# decision without installing anything.
set -euo pipefail

root=${KAKEHASHI_SYSTEM_ROOT:-}
apt_get=${KAKEHASHI_APT_GET:-apt-get}

# package|what it provides|files, any of which shows the package is there
DEV=(
    "fonts-dejavu-core|the PDF sheet's text font|/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    "fonts-ipafont-gothic|the PDF sheet's Japanese font|/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
)
TEST=(
    "chromium|the console's browser tests|/usr/bin/chromium"
)
CI=(
    "make|make test|/usr/bin/make"
    "postgresql|the tests on PostgreSQL|/usr/lib/postgresql/*/bin/initdb"
    "docker-compose|the compose file check|/usr/bin/docker-compose /usr/local/bin/docker-compose"
)

usage() {
    echo "usage: $0 dev|test|ci [--check]" >&2
    exit 2
}

profile=${1:-}
check_only=false
[[ ${2:-} == "--check" ]] && check_only=true
case $profile in
    dev) wanted=("${DEV[@]}") for="make dev" ;;
    test) wanted=("${DEV[@]}" "${TEST[@]}") for="make test" ;;
    ci) wanted=("${DEV[@]}" "${TEST[@]}" "${CI[@]}") for=".ci/run" ;;
    *) usage ;;
esac

present() {
    local pattern path
    for pattern in $1; do
        for path in $root$pattern; do  # globs expand here; an unmatched one stays literal
            [[ -e $path ]] && return 0
        done
    done
    return 1
}

missing=()
reasons=()
for entry in "${wanted[@]}"; do
    IFS='|' read -r package reason files <<<"$entry"
    if ! present "$files"; then
        missing+=("$package")
        reasons+=("  $package ($reason)")
    fi
done
((${#missing[@]} == 0)) && exit 0

if [[ $check_only == false && ${KAKEHASHI_SYSTEM_UID:-$(id -u)} == 0 ]]; then
    echo "Installing the Debian packages \`$for\` needs: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $apt_get update -qq
    $apt_get install -y -qq "${missing[@]}" >/dev/null
    exit 0
fi

{
    echo "\`$for\` needs Debian packages that are not installed:"
    printf '%s\n' "${reasons[@]}"
    echo "Install them as root, then run again:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
} >&2
exit 1
