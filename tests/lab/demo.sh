#!/usr/bin/env bash
# Demo: build v6scout, create a throw-away namespace lab and scan it.
#
#   sudo tests/lab/demo.sh [V6SCOUT FLAGS…]      e.g.  sudo tests/lab/demo.sh --json
#
# Needs root (network namespaces) and a Rust toolchain (rustup; Debian's cargo is too old).
# Installs missing lab packages with apt-get. Nothing touches the machine's real network:
# everything runs in namespaces named v6t-demo…, deleted on exit (Ctrl-C included).
# Lab size: LAB_HOSTS (default 22) and LAB_HOSTS_B (default 3).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB="$HERE/lab.sh"

[[ $(id -u) == 0 ]] || { echo "demo.sh: run as root (sudo $0 $*)" >&2; exit 1; }

# Lab prerequisites (iproute2, radvd, jq, iputils-ping, procps): installs only what is missing.
"$ROOT/tests/deps.sh"

# Build, as the invoking user under sudo (so target/ stays theirs and their rustup is used).
cargo=$(command -v cargo || true)
builder=()
if [[ -n ${SUDO_USER:-} && $SUDO_USER != root ]]; then
	home=$(getent passwd "$SUDO_USER" | cut -d: -f6)
	[[ -z $cargo && -x $home/.cargo/bin/cargo ]] && cargo=$home/.cargo/bin/cargo
	builder=(runuser -u "$SUDO_USER" --)
fi
[[ -n $cargo ]] || { echo "demo.sh: cargo not found; install Rust with https://rustup.rs" >&2; exit 1; }
echo "demo.sh: building v6scout (release)…" >&2
"${builder[@]}" env PATH="$(dirname "$cargo"):$PATH" "$cargo" build --release --quiet \
	--manifest-path "$ROOT/Cargo.toml" >&2
bin="${CARGO_TARGET_DIR:-$ROOT/target}/release/v6scout"
[[ $bin == /* ]] || bin="$ROOT/$bin"

RUNID="demo$$"
MANIFEST=$(mktemp /tmp/v6t-demo-manifest.XXXXXX)
# The demo's made-up devices must never enter the user's real history: its inventory is
# a throw-away one, removed with the lab.
INVENTORY_DIR=$(mktemp -d /tmp/v6t-demo-inventory.XXXXXX)
export V6SCOUT_INVENTORY="$INVENTORY_DIR/inventory.sqlite3"
# Under sudo v6scout becomes the invoking user once its sockets are open: it writes there.
[[ -n ${SUDO_UID:-} ]] && chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$INVENTORY_DIR"
cleanup() {
	trap '' INT TERM # a second Ctrl-C must not interrupt the teardown
	"$LAB" destroy "$RUNID" || true
	rm -f "$MANIFEST"
	rm -rf -- "$INVENTORY_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "demo.sh: creating lab $RUNID…" >&2
"$LAB" create "$RUNID" --hosts "${LAB_HOSTS:-22}" --hosts-b "${LAB_HOSTS_B:-3}" --manifest "$MANIFEST"
jq -r '
  [.hosts[] | select(.link=="a" and .role=="host")] as $a | [.hosts[] | select(.link=="b")] as $b |
  "Lab: scanner eth0 on link A with \($a|length) hosts (\([$a[]|select(.silent)]|length) ignore multicast ping, " +
  "\([$a[]|select(.addresses|length>1)]|length) with global/ULA addresses, vendor and private MACs) and a radvd " +
  "router advertising \(.ra_prefixes|join(" and ")); eth1 on link B with \($b|length) link-local-only hosts; " +
  "\(.stale|length) stale neighbour entries that must not show up."' "$MANIFEST" >&2 # stdout stays v6scout's alone
echo >&2
set +e
ip netns exec "v6t-$RUNID-scan" "$bin" "$@"
rc=$?
set -e
exit "$rc"
