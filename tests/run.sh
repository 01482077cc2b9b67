#!/usr/bin/env bash
# Runs the whole test suite: unit tests, CLI tests, and the namespace lab tests.
# Run as root (lab tests build network namespaces named v6t-*; as a normal user they are
# skipped with a message, or fail when V6SCOUT_REQUIRE_LAB=1).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
[[ $(id -u) == 0 ]] && tests/deps.sh
# lab-helpers: the smolhost helper binary tests/stacks.rs runs (smoltcp on a tap device).
exec cargo test --locked --features lab-helpers "$@"
