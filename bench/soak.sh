#!/usr/bin/env bash
# A long `watch` soak (a benchmark, not a CI test): does anything grow without bound, and
# is every real device always listed with its own MAC, over an hour of a churning link
# with a flood of forged neighbour discovery every ten minutes?
#
#   sudo bench/soak.sh [--minutes 60] [--bin PATH] [--csv FILE] [--hosts 16]
#                      [--interval 5] [--flood-every 10] [--flood-at 2] [--flood-secs 20]
#                      [--flood-rate 1000] [--router-every 15] [--router-at 3]
#                      [--churn-secs 20] [--seed N] [--keep DIR]
#
# The lab: tests/lab/lab.sh with HOSTS hosts on link A (radvd router, a quarter of the
# hosts ignoring multicast echo, global/ULA/RA-only addresses), namespaces
# v6t-soak_<pid>_<time>-*. The machine-wide lab lock (/tmp/v6scout-lab.lock) is held only
# while lab.sh builds the lab, never for the soak: other developers' lab tests keep running
# meanwhile (they share the CPU with it, nothing else).
#
# In the scanner namespace: `v6scout watch -i eth0 --interval Ns --jsonl --metrics
# 127.0.0.1:9469 --inventory <temp dir>/inventory.sqlite3`, and curl scraping /metrics
# every 5 s (its time_total is the scrape latency). On the link, one churn action every
# CHURN_SECS: a host leaves (its bridge port down) for 30-150 s, a host's rotating global
# address changes (4 hosts, a pool of 4 each), a visitor joins (a new namespace, 3 fixed
# visitors) for 60-180 s, or nothing; radvd is stopped for 10 s and restarted every
# ROUTER_EVERY minutes (first at ROUTER_AT); every FLOOD_EVERY minutes (first at FLOOD_AT)
# a namespace with IPv6 off sends FLOOD_SECS of forged RAs (64 sources a flood) and NAs
# (a random source each) to the scanner's MAC (bench/soak.py forge). Every forged address
# is in fe80::5eed:0:0:0/80, and the scanner's neighbour entries there are flushed every
# 5 s, so the flood never fills the machine-wide neighbour table.
#
# Every minute a CSV row: the watch's RSS, open descriptors, threads, inventory size (file
# + -wal), the slowest scrape of the minute, and from the events and the lab's truth the
# real devices up for more than an interval, how many of those the events list, the
# missing ones and events listing a real address with a wrong MAC. At the end a table
# (start, end, max, medians of the second and last quarters) and the verdict of
# bench/soak.py check; exit 1 on FAIL. See bench/README.md for the thresholds.
#
# Everything it made is removed on every exit path (EXIT/INT/TERM): its processes by PID,
# the neighbour entries of its namespaces (all and nud noarp), the visitors' namespaces,
# then the lab (lab.sh destroy), and the temp dir unless --keep DIR copies it first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"

MINUTES=60 BIN="" CSV="" HOSTS=16 INTERVAL=5 FLOOD_EVERY=10 FLOOD_AT=2 FLOOD_SECS=20
FLOOD_RATE=1000 ROUTER_EVERY=15 ROUTER_AT=3 CHURN_SECS=20 SEED=$$ KEEP=""
while (($#)); do
	case $1 in
	--minutes) MINUTES=$2 && shift 2 ;;
	--bin) BIN=$2 && shift 2 ;;
	--csv) CSV=$2 && shift 2 ;;
	--hosts) HOSTS=$2 && shift 2 ;;
	--interval) INTERVAL=$2 && shift 2 ;;
	--flood-every) FLOOD_EVERY=$2 && shift 2 ;;
	--flood-at) FLOOD_AT=$2 && shift 2 ;;
	--flood-secs) FLOOD_SECS=$2 && shift 2 ;;
	--flood-rate) FLOOD_RATE=$2 && shift 2 ;;
	--router-every) ROUTER_EVERY=$2 && shift 2 ;;
	--router-at) ROUTER_AT=$2 && shift 2 ;;
	--churn-secs) CHURN_SECS=$2 && shift 2 ;;
	--seed) SEED=$2 && shift 2 ;;
	--keep) KEEP=$2 && shift 2 ;;
	-h | --help) sed -n '2,39p' "$0" && exit 0 ;;
	*) echo "soak.sh: unknown option $1 (see --help)" >&2 && exit 2 ;;
	esac
done
for v in MINUTES HOSTS INTERVAL FLOOD_EVERY FLOOD_AT FLOOD_SECS FLOOD_RATE ROUTER_EVERY ROUTER_AT CHURN_SECS SEED; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "soak.sh: --${v,,} must be a whole number" >&2; exit 2; }
done
((MINUTES >= 4)) || { echo "soak.sh: --minutes must be at least 4 (quarters)" >&2; exit 2; }
((HOSTS >= 4 && HOSTS <= 40)) || { echo "soak.sh: --hosts must be 4-40" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "soak.sh: needs root (it builds network namespaces)" >&2; exit 2; }
for c in ip jq curl python3 flock radvd; do
	command -v "$c" >/dev/null || { echo "soak.sh: $c missing (tests/deps.sh; curl, python3)" >&2; exit 2; }
done
if [[ -z $BIN ]]; then
	cargo build --release --locked --quiet
	BIN=$PWD/target/release/v6scout
fi
BIN=$(realpath "$BIN")
RANDOM=$SEED

RUNID="soak_$$_$(date +%s)"
WORK=$(mktemp -d /tmp/v6t-soak.XXXXXX)
[[ -n $CSV ]] || CSV=/tmp/v6scout-soak-$RUNID.csv
LABDIR=/tmp/v6t-$RUNID-lab # lab.sh's own files (radvd.conf, radvd.pid)
SCAN=v6t-$RUNID-scan SWA=v6t-$RUNID-swa RTR=v6t-$RUNID-rtr FORGER=v6t-$RUNID-h99
TRUTH=$WORK/truth EVENTS=$WORK/events.jsonl INV=$WORK/inventory.sqlite3
PORT=9469
WPID="" SPID="" FPID="" RPID=""
VISITORS=() # namespaces of visitors now on the link
MADE_NS=()  # every namespace this script made itself (not lab.sh)

stop_pid() { # PID: TERM, up to 5 s, then KILL
	[[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# shellcheck disable=SC2317 # called by cleanup
our_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^v6t-$RUNID-(swa|swb|scan|rtr|h[0-9]+|b[0-9]+)\$" || true
}

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	trap '' INT TERM HUP
	stop_pid "$SPID"
	stop_pid "$FPID"
	stop_pid "$WPID"
	stop_pid "$RPID"
	local ns
	for ns in $(our_namespaces); do
		ip -n "$ns" -6 neigh flush all >/dev/null 2>&1 || true
		ip -n "$ns" -6 neigh flush nud noarp >/dev/null 2>&1 || true
	done
	for ns in "${MADE_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	bash tests/lab/lab.sh destroy "$RUNID" >/dev/null 2>&1 || true
	if [[ -n $KEEP ]]; then mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; fi
	rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

now_ms() { date +%s%3N; }
truth() { echo "$(now_ms) $*" >>"$TRUTH"; }
addrs_of() { ip -n "$1" -j -6 addr show dev eth0 | jq -r '.[0].addr_info[] | select(.family=="inet6") | .local'; }

# Only the building takes the lab lock; 9>&-: radvd must not inherit it.
exec 9>/tmp/v6scout-lab.lock
flock 9
echo "soak: building lab $RUNID ($HOSTS hosts)" >&2
bash tests/lab/lab.sh create "$RUNID" --hosts "$HOSTS" --hosts-b 0 --manifest "$WORK/manifest.json" >/dev/null 9>&-
flock -u 9
exec 9>&-

SCAN_MAC=$(jq -r '.scanner.interfaces[] | select(.name=="eth0") | .mac' "$WORK/manifest.json")
mapfile -t HOSTNS < <(jq -r '.hosts[] | select(.role=="host" and .link=="a") | .namespace' "$WORK/manifest.json")
: >"$TRUTH"
while read -r mac addrs; do
	truth up "$mac"
	for a in ${addrs//,/ }; do truth add "$mac" "$a"; done
done < <(jq -r '.hosts[] | select(.link=="a") | "\(.mac) \(.addresses | join(","))"' "$WORK/manifest.json")
mac_of() { ip -n "$1" -j link show dev eth0 | jq -r '.[0].address'; }

# Hosts with a rotating global address (as privacy addresses rotate): every fourth one.
ROTATING=() ROT_AT=()
for ((i = 1; i < ${#HOSTNS[@]}; i += 4)); do
	ns=${HOSTNS[i]}
	ROTATING+=("$ns") ROT_AT+=(0)
	a=2001:db8:1::a$((i + 1)):0
	ip -n "$ns" addr add "$a/64" dev eth0 nodad
	truth add "$(mac_of "$ns")" "$a"
done

# The forger: on the link, IPv6 off, so it is no device of the truth.
ip netns add "$FORGER" && MADE_NS+=("$FORGER")
ip netns exec "$FORGER" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$FORGER" link add eth0 address 02:5e:ed:00:00:99 type veth peer name h99 netns "$SWA"
ip -n "$SWA" link set h99 master br0 up
ip -n "$FORGER" link set eth0 up

# Waits (at most 10 s) until a namespace's eth0 has its link-local, not tentative.
wait_ll() {
	for _ in $(seq 100); do
		ip -n "$1" -6 addr show dev eth0 scope link -tentative | grep -q inet6 && return 0
		sleep 0.1
	done
	return 1
}

visitor_join() { # N (1-3)
	local n=$1 ns=v6t-$RUNID-h9$1 mac=3c:22:fb:90:00:0$1 a
	ip netns add "$ns" && MADE_NS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.use_tempaddr=0 net.ipv6.conf.default.use_tempaddr=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	ip -n "$ns" link set lo up
	# A namespace is destroyed in the background: a visitor that just left may still have
	# its switch port.
	ip -n "$SWA" link del "h9$n" 2>/dev/null || true
	ip -n "$ns" link add eth0 address "$mac" type veth peer name "h9$n" netns "$SWA"
	ip -n "$SWA" link set "h9$n" master br0 up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" addr add "2001:db8:1::9$n:1/64" dev eth0 nodad
	wait_ll "$ns" || echo "soak: visitor $n: no link-local after 10 s" >&2
	truth up "$mac"
	for a in $(addrs_of "$ns"); do truth add "$mac" "$a"; done
	VISITORS+=("$ns")
}

visitor_leave() { # NAMESPACE
	local ns=$1 v=() x
	truth down "$(mac_of "$ns")"
	ip -n "$ns" -6 neigh flush all >/dev/null 2>&1 || true
	# Its switch port goes now, not when the kernel gets round to the namespace.
	ip -n "$SWA" link del "${ns##*-}" 2>/dev/null || true
	ip netns del "$ns"
	for x in "${MADE_NS[@]}"; do [[ $x == "$ns" ]] || v+=("$x"); done
	MADE_NS=("${v[@]}")
	v=()
	for x in "${VISITORS[@]}"; do [[ $x == "$ns" ]] || v+=("$x"); done
	VISITORS=("${v[@]}")
}

radvd_start() {
	ip netns exec "$RTR" radvd -n -C "$LABDIR/radvd.conf" -p "$LABDIR/radvd.pid" -m logfile \
		-l "$LABDIR/radvd.log" </dev/null >>"$LABDIR/radvd.out" 2>&1 &
	RPID=$!
}
radvd_stop() { stop_pid "$RPID"; RPID=""; stop_pid "$(cat "$LABDIR/radvd.pid" 2>/dev/null || true)"; }

# The watch, and the scraper beside it in the scanner namespace.
truth watch -
env -u SUDO_UID -u SUDO_GID -u V6SCOUT_INVENTORY ip netns exec "$SCAN" "$BIN" watch -i eth0 \
	--interval "${INTERVAL}s" --jsonl --metrics "127.0.0.1:$PORT" --inventory "$INV" \
	>"$EVENTS" 2>"$WORK/watch.err" &
WPID=$!
for _ in $(seq 300); do
	ip netns exec "$SCAN" curl -sf --max-time 2 "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
		grep -q '^v6scout_scans_total [1-9]' && break
	kill -0 "$WPID" 2>/dev/null || { cat "$WORK/watch.err" >&2; echo "soak: watch exited" >&2; exit 1; }
	sleep 0.2
done
# shellcheck disable=SC2016 # expanded by the inner shell
ip netns exec "$SCAN" bash -c 'while :; do
	t=$(date +%s%3N)
	r=$(curl -s -o /dev/null --max-time 10 -w "%{http_code} %{time_total}" "$1" || true)
	echo "$t ${r:-000 10}"
	sleep 5
done' scraper "http://127.0.0.1:$PORT/metrics" >"$WORK/scrapes" 2>/dev/null &
SPID=$!

echo "minute,epoch,rss_kib,fds,threads,inventory_bytes,scrape_max_ms,scrapes,scrape_failures,expected,present,missing,wrong_mac,events,load1" >"$CSV"
sample() { # MINUTE
	local e rss thr fds inv sc pr
	e=$(date +%s)
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$WPID/status")
	thr=$(awk '/^Threads:/ {print $2}' "/proc/$WPID/status")
	fds=$(find "/proc/$WPID/fd" -mindepth 1 -maxdepth 1 | wc -l)
	inv=$(($(stat -c %s "$INV" 2>/dev/null || echo 0) + $(stat -c %s "$INV-wal" 2>/dev/null || echo 0)))
	sc=$(awk -v from=$(((e - 60) * 1000)) '$1 >= from {n++; if ($2 != 200) f++; ms = $3 * 1000; if (ms > m) m = ms}
		END {printf "%.1f,%d,%d", m, n, f}' "$WORK/scrapes")
	pr=$(python3 bench/soak.py presence --truth "$TRUTH" --events "$EVENTS" --interval "$INTERVAL" --at "$e" | tr ' ' ,)
	echo "$1,$e,$rss,$fds,$thr,$inv,$sc,$pr,$(wc -l <"$EVENTS"),$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$CSV"
}

# Churn: one action per CHURN_SECS, chosen at random (seeded).
DOWN=() DOWN_UNTIL=() VISIT_UNTIL=()
churn() {
	local r=$((RANDOM % 10)) i ns n k a
	if ((r < 4 && ${#DOWN[@]} < 3)); then
		ns=${HOSTNS[RANDOM % ${#HOSTNS[@]}]}
		for i in "${DOWN[@]}"; do [[ $i == "$ns" ]] && return 0; done
		truth down "$(mac_of "$ns")"
		ip -n "$SWA" link set "${ns##*-}" down
		DOWN+=("$ns") DOWN_UNTIL+=($((SECONDS + 30 + RANDOM % 121)))
		echo "$(date +%T) churn: ${ns##*-} leaves" >&2
	elif ((r < 7)); then
		k=$((RANDOM % ${#ROTATING[@]})) ns=${ROTATING[k]}
		n=$(((ROT_AT[k] + 1) % 4))
		i=$(((k * 4 + 1) + 1))
		ip -n "$ns" addr del "2001:db8:1::a$i:${ROT_AT[k]}/64" dev eth0 2>/dev/null || true
		a=2001:db8:1::a$i:$n
		ip -n "$ns" addr add "$a/64" dev eth0 nodad
		truth add "$(mac_of "$ns")" "$a"
		ROT_AT[k]=$n
		echo "$(date +%T) churn: ${ns##*-} now has $a" >&2
	elif ((r < 9 && ${#VISITORS[@]} < 3)); then
		for n in 1 2 3; do
			[[ " ${VISITORS[*]} " == *" v6t-$RUNID-h9$n "* ]] || break
		done
		visitor_join "$n"
		VISIT_UNTIL+=("v6t-$RUNID-h9$n $((SECONDS + 60 + RANDOM % 121))")
		echo "$(date +%T) churn: visitor h9$n joins" >&2
	fi
}
due_returns() {
	local j keep=() until=() v
	for j in "${!DOWN[@]}"; do
		if ((SECONDS >= DOWN_UNTIL[j])); then
			ip -n "$SWA" link set "${DOWN[j]##*-}" up
			truth up "$(mac_of "${DOWN[j]}")"
			echo "$(date +%T) churn: ${DOWN[j]##*-} is back" >&2
		else
			keep+=("${DOWN[j]}") until+=("${DOWN_UNTIL[j]}")
		fi
	done
	DOWN=("${keep[@]}") DOWN_UNTIL=("${until[@]}")
	keep=()
	for v in "${VISIT_UNTIL[@]}"; do
		if ((SECONDS >= ${v#* })); then
			visitor_leave "${v%% *}"
			echo "$(date +%T) churn: visitor $(basename "${v%% *}" | sed 's/.*-//') leaves" >&2
		else
			keep+=("$v")
		fi
	done
	VISIT_UNTIL=("${keep[@]}")
}

echo "soak: watch pid $WPID, $MINUTES minutes; CSV $CSV" >&2
SECONDS=0
next_min=1 next_churn=$CHURN_SECS next_flood=$((FLOOD_AT * 60)) next_router=$((ROUTER_AT * 60))
router_back=-1 flood_n=0 status=0
while ((SECONDS < MINUTES * 60)); do
	sleep 1
	if ! kill -0 "$WPID" 2>/dev/null; then
		echo "soak: FAIL: the watch exited at $((SECONDS / 60)) min" >&2 && cat "$WORK/watch.err" >&2
		status=1 && break
	fi
	due_returns
	((SECONDS % 5 == 0)) && { ip -n "$SCAN" -6 neigh flush to fe80::5eed:0:0:0/80 dev eth0 >/dev/null 2>&1 || true; }
	if ((SECONDS >= next_churn)); then churn; next_churn=$((next_churn + CHURN_SECS)); fi
	if ((FLOOD_EVERY > 0 && SECONDS >= next_flood)); then
		flood_n=$((flood_n + 1))
		echo "$(date +%T) flood $flood_n: $FLOOD_SECS s at $FLOOD_RATE frames/s" >&2
		stop_pid "$FPID"
		ip netns exec "$FORGER" python3 bench/soak.py forge --dst-mac "$SCAN_MAC" --seconds "$FLOOD_SECS" \
			--rate "$FLOOD_RATE" --seed "$((SEED + flood_n))" 2>>"$WORK/forge.log" &
		FPID=$!
		next_flood=$((next_flood + FLOOD_EVERY * 60))
	fi
	if ((ROUTER_EVERY > 0 && SECONDS >= next_router)); then
		echo "$(date +%T) router: radvd stopped" >&2
		radvd_stop
		router_back=$((SECONDS + 10)) next_router=$((next_router + ROUTER_EVERY * 60))
	fi
	if ((router_back >= 0 && SECONDS >= router_back)); then
		radvd_start && router_back=-1 && echo "$(date +%T) router: radvd restarted" >&2
	fi
	if ((SECONDS >= next_min * 60)); then sample "$next_min"; next_min=$((next_min + 1)); fi
done

stop_pid "$SPID" && SPID=""
stop_pid "$FPID" && FPID=""
stop_pid "$WPID" && WPID=""
echo "soak: watch: $(tail -n1 "$WORK/watch.err")" >&2
echo "soak: $(wc -l <"$EVENTS") events; $(tr '\n' ';' <"$WORK/forge.log" 2>/dev/null || true)" >&2
python3 bench/soak.py check --truth "$TRUTH" --events "$EVENTS" --interval "$INTERVAL" --csv "$CSV" \
	--inventory "$INV" || status=1
echo "soak: CSV $CSV" >&2
exit "$status"
