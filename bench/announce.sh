#!/usr/bin/env bash
# Every address of hosts with privacy addresses: addresses found per class
# (link-local / global / ULA), default scan and --mld, for v6scout and optionally an
# earlier build of it, on a lab where PRIVACY hosts hide their stable address.
#
#   sudo bench/announce.sh [--hosts 12] [--privacy 4] [--runs 3] [--bin PATH] [--before PATH]
#
# The lab: tests/lab/lab.sh with HOSTS hosts on link A. PRIVACY of them (the first ones)
# get, as in tests/lab_announce.rs, a random stable and a random "temporary" global address
# in 2001:db8:1::/64 (the prefix route's src makes the temporary one the source of every
# answer; an OUTPUT filter drops whatever the stable one would send but NAs and mDNS), an
# address outside the link's prefixes, and a real avahi-daemon publishing them and an
# `_ssh._tcp` service. Each run is cold (lab.sh cold) and scans eth0 inside the scanner
# namespace. The truth is every address the link-A hosts have (the off-link ones aside);
# a found address counts only if it is one of them. Per binary and mode: the worst run's
# counts and the median wall time (ms, from the JSON's duration_ms).
#
# Everything lives in namespaces v6t-bann<pid>-*; avahi is stopped by PID and the lab
# destroyed on exit, also on failure. Needs root, jq, avahi-daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
export V6SCOUT_INVENTORY=off

HOSTS=12 PRIVACY=4 RUNS=3 BIN="" BEFORE=""
while (($#)); do
	case $1 in
	--hosts) HOSTS=$2 && shift 2 ;;
	--privacy) PRIVACY=$2 && shift 2 ;;
	--runs) RUNS=$2 && shift 2 ;;
	--bin) BIN=$2 && shift 2 ;;
	--before) BEFORE=$2 && shift 2 ;;
	*) echo "usage: $0 [--hosts N] [--privacy M] [--runs R] [--bin PATH] [--before PATH]" >&2 && exit 2 ;;
	esac
done
[[ $(id -u) == 0 ]] || { echo "announce.sh: needs root (network namespaces)" >&2; exit 2; }
if [[ -z $BIN ]]; then
	cargo build --release --locked -q
	BIN=$PWD/target/release/v6scout
fi
# One lab at a time on the machine: lab tests take the same lock (tests/common/mod.rs).
exec 9>/tmp/v6scout-lab.lock
flock 9
RUNID="bann$$"
WORK=$(mktemp -d /tmp/v6t-$RUNID.XXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	bash tests/lab/lab.sh destroy "$RUNID" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# 9>&-: the lab's daemons (radvd) must not inherit the lock.
bash tests/lab/lab.sh create "$RUNID" --hosts "$HOSTS" --manifest "$WORK/manifest.json" >/dev/null 9>&-
mapfile -t NS < <(jq -r '.hosts[] | select(.role == "host" and .link == "a") | .namespace' "$WORK/manifest.json")
for ((i = 1; i <= PRIVACY && i <= ${#NS[@]}; i++)); do
	ns=${NS[i - 1]}
	s=2001:db8:1:0:9c4e:${i}a7:31f0:5d2b t=2001:db8:1:0:${i}e1:77c2:8b09:f3a4 o=2001:db8:77::$((0x50 + i))
	ip -n "$ns" addr add "$s/64" dev eth0 nodad
	ip -n "$ns" addr add "$t/64" dev eth0 nodad
	ip -n "$ns" addr add "$o/64" dev eth0 nodad noprefixroute
	ip -n "$ns" -6 route replace 2001:db8:1::/64 dev eth0 proto kernel metric 256 src "$t"
	ip netns exec "$ns" ip6tables-legacy -w -A OUTPUT -s "$s" -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT
	ip netns exec "$ns" ip6tables-legacy -w -A OUTPUT -s "$s" -p udp --sport 5353 -j ACCEPT
	ip netns exec "$ns" ip6tables-legacy -w -A OUTPUT -s "$s" -j DROP
	d=$WORK/avahi$i
	mkdir -p "$d/run/avahi-daemon" "$d/services"
	printf '<?xml version="1.0" standalone="no"?>\n<service-group><name>p%s</name><service><type>_ssh._tcp</type><port>22</port></service></service-group>\n' "$i" >"$d/services/ssh.service"
	printf '[server]\nhost-name=privacy%s\ndomain-name=local\nuse-ipv4=no\nuse-ipv6=yes\nallow-interfaces=eth0\nenable-dbus=no\n[wide-area]\nenable-wide-area=no\n[publish]\npublish-hinfo=no\npublish-workstation=no\n' "$i" >"$d/avahi.conf"
	ip netns exec "$ns" unshare -m sh -c "mount --bind $d/run /run && mount --bind $d/services /etc/avahi/services && exec avahi-daemon -f $d/avahi.conf --no-drop-root --no-chroot --no-rlimits --no-proc-title" >"$d/log" 2>&1 9>&- &
	PIDS+=($!)
done
for ((i = 1; i <= PRIVACY && i <= ${#NS[@]}; i++)); do
	for _ in $(seq 100); do grep -q "successfully established" "$WORK/avahi$i/log" && break; sleep 0.1; done
done

# The truth: every address of a link-A host but the off-link ones, with its class.
for ns in "${NS[@]}"; do
	ip -n "$ns" -6 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1
done | grep -v '^2001:db8:77:' | sort -u >"$WORK/truth"
class() { awk '{ if ($1 ~ /^fe80:/) print "ll"; else if ($1 ~ /^f[cd]/) print "ula"; else print "global" }'; }
total() { class <"$WORK/truth" | grep -c "^$1$" || true; }

printf '%-8s %-8s %-12s %-12s %-8s %s\n' build mode link-local global ula wall_ms
for build in after before; do
	bin=$BIN
	[[ $build == before ]] && { [[ -n $BEFORE ]] || continue; bin=$BEFORE; }
	for mode in default mld; do
		flags=()
		[[ $mode == mld ]] && flags=(--mld)
		worst_ll=999999 worst_g=999999 worst_u=999999 walls=()
		for ((r = 0; r < RUNS; r++)); do
			bash tests/lab/lab.sh cold "$RUNID" >/dev/null
			ip netns exec "v6t-$RUNID-scan" "$bin" --json -i eth0 "${flags[@]}" >"$WORK/out.json"
			walls+=("$(jq .duration_ms "$WORK/out.json")")
			jq -r '.interfaces[].prefixes[].hosts[].address' "$WORK/out.json" | sort -u | comm -12 - "$WORK/truth" | class >"$WORK/found"
			ll=$(grep -c '^ll$' "$WORK/found" || true) g=$(grep -c '^global$' "$WORK/found" || true) u=$(grep -c '^ula$' "$WORK/found" || true)
			((ll < worst_ll)) && worst_ll=$ll
			((g < worst_g)) && worst_g=$g
			((u < worst_u)) && worst_u=$u
		done
		median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		printf '%-8s %-8s %-12s %-12s %-8s %s\n' "$build" "$mode" "$worst_ll/$(total ll)" "$worst_g/$(total global)" "$worst_u/$(total ula)" "$median"
	done
done
