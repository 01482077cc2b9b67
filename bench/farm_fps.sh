#!/usr/bin/env bash
# How many frames per second the farm sends (tests/helpers/farm.rs): N hosts answer one
# echo request to ff02::1, K times, and the farm's own counters say how fast it sent.
#
#   sudo bench/farm_fps.sh [--hosts 10000] [--probes 5] [--jitter-ms 4] [--scanner-ipv6 on|off] [--rps]
#
# The probe is one forged frame sent from a packet socket in the scanner namespace (no
# scanner involved). With --scanner-ipv6 off (the default) the scanner side's kernel
# drops the answers at once, so the figure is the farm's (plus the veth); with on, the
# scanner's kernel takes in every echo reply on the same CPU (veth delivers in the
# sender's context), as in a real scan. Profile: smoltcp (answers multicast echo
# directly, no resolution). Prints the farm's counters: tx_frames, tx_busy_ns and tx_fps
# (frames sent / time spent building and sending), late (answers > 5 ms past their
# moment), max_late_us (how long the burst took to drain, beyond its jitter). --rps spreads
# the scanner side's receive processing over every CPU (as lab.sh --rps).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
HOSTS=10000 PROBES=5 JITTER=4 SCANNER_IPV6=off RPS=0
while (($#)); do
	case $1 in
	--hosts) HOSTS=$2 && shift 2 ;;
	--probes) PROBES=$2 && shift 2 ;;
	--jitter-ms) JITTER=$2 && shift 2 ;;
	--scanner-ipv6) SCANNER_IPV6=$2 && shift 2 ;;
	--rps) RPS=1 && shift ;;
	-h | --help) sed -n '2,15p' "$0" && exit 0 ;;
	*) echo "farm_fps.sh: unknown option $1" >&2 && exit 2 ;;
	esac
done
[[ $(id -u) == 0 ]] || { echo "farm_fps.sh: needs root" >&2; exit 2; }
cargo build --release --locked --quiet --features lab-helpers --bin farm
FARM=$PWD/target/release/farm
RAW=$(mktemp -d /tmp/v6scout-fps.XXXXXX)
ID=v6t-fps$$ FARM_PID=""
SCAN=$ID-farm-scan HOSTS_NS=$ID-farm-hosts
cleanup() {
	[[ -n $FARM_PID ]] && { kill -TERM "$FARM_PID" 2>/dev/null || true; wait "$FARM_PID" 2>/dev/null || true; }
	ip -n "$SCAN" -6 neigh flush all >/dev/null 2>&1 || true
	ip -n "$SCAN" -6 neigh flush nud noarp >/dev/null 2>&1 || true
	ip netns del "$SCAN" 2>/dev/null || true
	ip netns del "$HOSTS_NS" 2>/dev/null || true
	rm -rf -- "$RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE
exec 9>/tmp/v6scout-lab.lock
flock 9

for ns in $SCAN $HOSTS_NS; do ip netns add "$ns" && ip -n "$ns" link set lo up; done
ip netns exec "$HOSTS_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
[[ $SCANNER_IPV6 == off ]] && ip netns exec "$SCAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$SCAN" link add eth0 type veth peer name farm0 netns "$HOSTS_NS"
ip -n "$SCAN" link set eth0 up
ip -n "$HOSTS_NS" link set farm0 up
((RPS)) && ip netns exec "$SCAN" sh -c "echo $(printf %x $(((1 << $(nproc)) - 1))) > /sys/class/net/eth0/queues/rx-0/rps_cpus"
ready() { [[ $(ip -n "$SCAN" -o link show dev eth0) != *"qdisc noop"* && $(ip -n "$HOSTS_NS" -o link show dev farm0) != *"qdisc noop"* ]]; }
for _ in $(seq 200); do ready && break; sleep 0.05; done
ip netns exec "$HOSTS_NS" "$FARM" --dev farm0 --hosts "$HOSTS" --seed 1 --profiles smoltcp=1 \
	--jitter-ms "$JITTER" --truth "$RAW/truth" --stats "$RAW/stats" >"$RAW/out" 2>"$RAW/err" 9>&- &
FARM_PID=$!
for _ in $(seq 600); do grep -q '^farm ready' "$RAW/out" && break; sleep 0.05; done
generation() { jq -r '.generation // 0' "$RAW/stats" 2>/dev/null || echo 0; }
snapshot() {
	local g
	g=$(generation)
	kill -USR1 "$FARM_PID"
	for _ in $(seq 500); do [[ $(generation) != "$g" ]] && return 0; sleep 0.02; done
	return 1
}
snapshot
# One echo request to ff02::1 from fe80::1 with a source MAC of the scanner's eth0, K times.
ip netns exec "$SCAN" python3 - "$PROBES" <<'EOF'
import socket, struct, sys, time
k = int(sys.argv[1])
mac = open("/sys/class/net/eth0/address").read().strip()
src_mac = bytes.fromhex(mac.replace(":", ""))
src = socket.inet_pton(socket.AF_INET6, "fe80::1")
dst = socket.inet_pton(socket.AF_INET6, "ff02::1")
def frame(seq):
    msg = bytearray(struct.pack("!BBHHH", 128, 0, 0, 0x4242, seq) + b"farm-fps" * 4)
    pseudo = src + dst + struct.pack("!I3xB", len(msg), 58) + msg
    s = sum(struct.unpack("!%dH" % (len(pseudo) // 2), pseudo))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    msg[2:4] = struct.pack("!H", ~s & 0xffff)
    ip6 = struct.pack("!IHBB", 0x60000000, len(msg), 58, 255) + src + dst
    return bytes.fromhex("333300000001") + src_mac + b"\x86\xdd" + ip6 + bytes(msg)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for i in range(k):
    s.send(frame(i))
    time.sleep(0.5)
EOF
sleep 0.5
snapshot
echo "farm_fps: $HOSTS hosts x $PROBES echo requests to ff02::1, jitter $JITTER ms, scanner IPv6 $SCANNER_IPV6, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
jq -c '{tx_frames, tx_busy_ns, tx_fps: (.tx_fps | floor), late, max_late_us, kernel_drops, tx_errors, max_queue}' "$RAW/stats"
