#!/usr/bin/env bash
# Discovery at scale: one link of N emulated hosts (the `farm` lab helper, tests/helpers/farm.rs)
# scanned by v6scout and, when installed, scan6 (ipv6toolkit) and alive6 (thc-ipv6).
#
#   sudo bench/farm.sh [--hosts "1000 3000"] [--profiles SPEC]... [--runs 3] [--seed 28]
#                      [--tools "v6scout scan6 alive6"] [--rps] [--bin PATH] [--keep-raw DIR]
#                      [-- V6SCOUT_FLAGS...]
#   (also: sudo bench/run.sh --farm N [--profiles SPEC]... [--runs R])
#
# --profiles (repeatable; default "linux=100" and the mixed set below) is the farm's mix,
# e.g. linux=60,windows=20,dozing=10,silent=10 (profiles: linux windows lwip smoltcp bsd
# dozing wifi late silent, see tests/helpers/farm.rs). For each size and mix it builds two
# namespaces under the machine-wide lab lock, v6t-bench<pid>f<n>-farm-scan (eth0, IPv6 on,
# 2001:db8:f::1/64) and v6t-bench<pid>f<n>-farm-hosts (farm0, kernel IPv6 off, the farm
# there), then per run each tool once, cold: before each tool the scanner's neighbour
# entries are flushed (all, and NOARP ones) and the farm's hosts forget the scanner
# (SIGUSR1, which also hands over the farm's counters of the previous tool's run).
# Tools, in the scanner namespace:
#   v6scout  v6scout --json -i eth0 [V6SCOUT_FLAGS]   (release build)
#   scan6    scan6 -i eth0 -L -e -P all
#   alive6   atk6-alive6 -l -p -e dst eth0             (no MACs: pairs n/a)
# Everything is destroyed on every exit path, the neighbour entries flushed first (the
# table is the machine's). Columns: see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
# Benchmarks never write the real home: the scans run without an inventory.
export V6SCOUT_INVENTORY=off

MIXED="linux=40,windows=20,lwip=5,smoltcp=5,bsd=5,wifi=10,late=5,dozing=5,silent=5"
SIZES="1000 3000" MIXES=() RUNS=3 RPS=0 SEED=28 TOOLS="v6scout scan6 alive6" BIN="" KEEP_RAW="" EXTRA=()
while (($#)); do
	case $1 in
	--hosts) SIZES=$2 && shift 2 ;;
	--profiles) MIXES+=("$2") && shift 2 ;;
	--runs) RUNS=$2 && shift 2 ;;
	--seed) SEED=$2 && shift 2 ;;
	--rps) RPS=1 && shift ;;
	--tools) TOOLS=$2 && shift 2 ;;
	--bin) BIN=$2 && shift 2 ;;
	--keep-raw) KEEP_RAW=$2 && shift 2 ;;
	--) shift && EXTRA=("$@") && break ;;
	-h | --help) sed -n '2,23p' "$0" && exit 0 ;;
	*) echo "farm.sh: unknown option $1 (see --help)" >&2 && exit 2 ;;
	esac
done
((${#MIXES[@]})) || MIXES=("linux=100" "$MIXED")
[[ $(id -u) == 0 ]] || { echo "farm.sh: needs root (it builds network namespaces)" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "farm.sh: --runs must be a positive number" >&2; exit 2; }
tests/deps.sh
[[ -x /usr/bin/time ]] || { echo "farm.sh: GNU time missing (tests/deps.sh)" >&2; exit 2; }
tools=()
for t in $TOOLS; do
	case $t in
	v6scout) tools+=(v6scout) ;;
	scan6) command -v scan6 >/dev/null && tools+=(scan6) || echo "farm.sh: scan6 not installed (ipv6toolkit): left out" >&2 ;;
	alive6) command -v atk6-alive6 >/dev/null && tools+=(alive6) || echo "farm.sh: atk6-alive6 not installed (thc-ipv6): left out" >&2 ;;
	*) echo "farm.sh: unknown tool $t" >&2 && exit 2 ;;
	esac
done
if [[ -z $BIN ]]; then
	cargo build --release --locked --quiet
	BIN=$PWD/target/release/v6scout
fi
BIN=$(realpath "$BIN")
# The farm is a test helper: its own build with the feature, so the product binary above
# is exactly what `cargo build --release` makes.
cargo build --release --locked --quiet --features lab-helpers --bin farm
FARM=$PWD/target/release/farm

RAW=$(mktemp -d /tmp/v6scout-farm.XXXXXX)
SCAN="" HOSTS_NS="" FARM_PID="" PEEK_PID=""
flush_neigh() {
	ip -n "$SCAN" -6 neigh flush all >/dev/null 2>&1 || true
	ip -n "$SCAN" -6 neigh flush nud noarp >/dev/null 2>&1 || true
}
teardown() {
	if [[ -n $FARM_PID ]]; then
		kill -TERM "$FARM_PID" 2>/dev/null || true
		wait "$FARM_PID" 2>/dev/null || true
	fi
	if [[ -n $PEEK_PID ]]; then
		kill -TERM "$PEEK_PID" 2>/dev/null || true
		wait "$PEEK_PID" 2>/dev/null || true
	fi
	[[ -n $SCAN ]] && flush_neigh
	for ns in $SCAN $HOSTS_NS; do ip netns del "$ns" 2>/dev/null || true; done
	SCAN="" HOSTS_NS="" FARM_PID="" PEEK_PID=""
}
cleanup() {
	teardown
	if [[ -n $KEEP_RAW ]]; then mkdir -p "$KEEP_RAW" && cp -r "$RAW"/. "$KEEP_RAW"/; fi
	rm -rf -- "$RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# One lab at a time on the machine: lab tests take the same lock (tests/common/mod.rs).
exec 9>/tmp/v6scout-lab.lock
flock 9

wait_for() { # SECONDS COMMAND... : runs COMMAND every 20 ms until it succeeds
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.02
	done
}
link_ready() {
	local s f a
	s=$(ip -n "$SCAN" -o link show dev eth0) f=$(ip -n "$HOSTS_NS" -o link show dev farm0)
	a=$(ip -n "$SCAN" -6 addr show dev eth0)
	[[ $s == *LOWER_UP* && $s != *"qdisc noop"* && $f == *LOWER_UP* && $f != *"qdisc noop"* &&
		$a == *fe80::* && $a != *tentative* ]]
}
build_farm() { # ID SIZE MIX -> the farm running, truth in $RAW/$ID.truth
	local id=$1 size=$2 mix=$3
	SCAN=v6t-$id-farm-scan HOSTS_NS=v6t-$id-farm-hosts
	for ns in $SCAN $HOSTS_NS; do ip netns add "$ns" && ip -n "$ns" link set lo up; done
	ip netns exec "$SCAN" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip netns exec "$HOSTS_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$SCAN" link add eth0 type veth peer name farm0 netns "$HOSTS_NS"
	ip netns exec "$HOSTS_NS" sysctl -qw net.ipv6.conf.farm0.disable_ipv6=1
	ip -n "$SCAN" addr add 2001:db8:f::1/64 dev eth0 nodad
	ip -n "$SCAN" link set eth0 up
	ip -n "$HOSTS_NS" link set farm0 up
	if ((RPS)); then # the scanner's receive processing spread over every CPU, as lab.sh --rps
		ip netns exec "$SCAN" sh -c "echo $(printf %x $(((1 << $(nproc)) - 1))) > /sys/class/net/eth0/queues/rx-0/rps_cpus"
	fi
	wait_for 10 link_ready || { echo "farm.sh: the veth pair never became usable" >&2; return 1; }
	# A process that stays in the scanner namespace: its /proc/PID/net/raw6 is the
	# scanner's, read while a tool runs (a raw socket's drops vanish with the socket).
	ip netns exec "$SCAN" sleep infinity 9>&- &
	PEEK_PID=$!
	wait_for 5 peek_in_scanner
	# `ip netns exec` execs the farm: $! is the farm's PID.
	ip netns exec "$HOSTS_NS" "$FARM" --dev farm0 --hosts "$size" --seed "$SEED" --profiles "$mix" \
		--prefix 2001:db8:f::/64 --truth "$RAW/$id.truth" --stats "$RAW/$id.stats" \
		>"$RAW/$id.farm.out" 2>"$RAW/$id.farm.err" 9>&- &
	FARM_PID=$!
	wait_for 60 grep -qs '^farm ready' "$RAW/$id.farm.out" || {
		echo "farm.sh: the farm never got ready: $(cat "$RAW/$id.farm.err")" >&2
		return 1
	}
}
peek_in_scanner() { [[ $(readlink "/proc/$PEEK_PID/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }
generation() { jq -r '.generation // 0' "$STATS" 2>/dev/null || echo 0; }
new_generation() { [[ $(generation) != "$1" ]]; }
cold() { # STATS_COPY: flush the scanner, make the farm forget, keep its counters of the run
	local g
	flush_neigh
	g=$(generation)
	kill -USR1 "$FARM_PID"
	wait_for 10 new_generation "$g" || { echo "farm.sh: the farm never took SIGUSR1" >&2; return 1; }
	cp "$STATS" "$1"
}
peek_raw6() { # samples the scanner's raw sockets' drops until killed; prints the sum of maxima
	local f=$1
	: >"$f"
	while :; do
		awk 'NR > 1 {print $10, $NF}' "/proc/$PEEK_PID/net/raw6" >>"$f" 2>/dev/null || true
		sleep 0.02
	done
}
raw6_drops() { awk '{if ($2 > m[$1]) m[$1] = $2} END {s = 0; for (k in m) s += m[k]; print s}' "$1"; }

normalise() { # TOOL OUT -> {address: mac} ("" without one), the scanner's own addresses left out
	case $1 in
	v6scout) jq -c '[.interfaces[] | .prefixes[].hosts[] | select(.self != true)
		| {key: .address, value: (.mac // "")}] | from_entries' "$2" ;;
	scan6) awk '$2 == "@" && NF == 3 {print $1, tolower($3)} NF == 1 && $1 ~ /:/ {print $1, ""}' "$2" |
		jq -R -s -c '[split("\n")[] | select(length > 0) | split(" ") | {key: .[0], value: (.[1] // "")}]
		  | reduce .[] as $e ({}; if .[$e.key] == null or .[$e.key] == "" then .[$e.key] = $e.value else . end)' ;;
	alive6) grep -oE '^Alive: [0-9a-f:]+' "$2" | awk '{print $2}' |
		jq -R -s -c '[split("\n")[] | select(length > 0) | {key: ., value: ""}] | from_entries' ;;
	esac | jq -c --argjson own "$OWN" 'with_entries(select(.key as $k | $own | index($k) | not))'
}

# Found {address: mac} against the truth. Prints: hosts found reachable reachable_found
# silent silent_found addresses pairs listed false. A host is found when any address is
# listed; silent: ignores multicast echo; reachable: a multicast probe reaches it (not
# dozing, not silent); pairs: addresses listed with their own MAC; false: listed addresses
# no host has, or listed with another MAC.
score() { # TRUTH FOUND
	jq -r -n --slurpfile t "$1" --slurpfile f "$2" '
	  $f[0] as $found
	  | (reduce $t[] as $h ({}; reduce $h.addresses[] as $a (.; .[$a] = $h.mac))) as $own
	  | [$t[] | . as $h | {silent, findable, n: (.addresses | length),
	       f: ([.addresses[] | select($found[.] != null)] | length),
	       m: ([.addresses[] | select($found[.] == $h.mac)] | length)}] as $h
	  | [($h | length), ([$h[] | select(.f > 0)] | length),
	     ([$h[] | select(.findable)] | length), ([$h[] | select(.findable and .f > 0)] | length),
	     ([$h[] | select(.silent)] | length), ([$h[] | select(.silent and .f > 0)] | length),
	     ([$h[].n] | add), ([$h[].m] | add), ($found | length),
	     ([$found | to_entries[] | select($own[.key] == null or (.value != "" and .value != $own[.key]))] | length)]
	  | @tsv'
}

command_of() { # TOOL -> the command line
	case $1 in
	v6scout) echo "$BIN --json -i eth0 ${EXTRA[*]}" ;;
	scan6) echo "scan6 -i eth0 -L -e -P all" ;;
	alive6) echo "atk6-alive6 -l -p -e dst eth0" ;;
	esac
}

run_tool() { # ID TOOL R -> one line of $RESULTS
	local id=$1 tool=$2 r=$3 base=$RAW/$1-$2-$3 cmd t0 t1 sampler drops neigh code=0 errs=-
	read -ra cmd <<<"$(command_of "$tool")"
	cold "$base.before.json"
	peek_raw6 "$base.raw6" &
	sampler=$!
	t0=$(date +%s%N)
	ip netns exec "$SCAN" /usr/bin/time -f %M -o "$base.time" "${cmd[@]}" >"$base.out" 2>"$base.err" 9>&- || code=$?
	t1=$(date +%s%N)
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
	drops=$(raw6_drops "$base.raw6")
	neigh=$(ip -n "$SCAN" -6 neigh show | wc -l)
	cold "$base.farm.json"
	[[ $tool == v6scout ]] && errs=$(jq -r '.stats.send_errors // "-"' "$base.out" 2>/dev/null || echo -)
	normalise "$tool" "$base.out" >"$base.found.json" 2>/dev/null || echo '{}' >"$base.found.json"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$SIZE" "$MIX_NAME" "$tool" "$r" \
		"$(((t1 - t0) / 1000000))" "$(tail -n1 "$base.time" 2>/dev/null || echo 0)" \
		"$(score "$RAW/$id.truth" "$base.found.json")" "$drops" "$neigh" "$errs" \
		"$(jq -r '[.rx_frames, .tx_frames, .late, .max_late_us, .kernel_drops, .unresolved, (.tx_fps | floor)] | @tsv' "$base.farm.json")" \
		"$code" >>"$RESULTS"
}

RESULTS=$RAW/results.tsv
: >"$RESULTS"
n=0
for SIZE in $SIZES; do
	for mix in "${MIXES[@]}"; do
		n=$((n + 1))
		id=bench$$f$n
		MIX_NAME=$mix
		[[ $mix == "$MIXED" ]] && MIX_NAME=mixed
		echo "== farm of $SIZE hosts ($MIX_NAME): building" >&2
		build_farm "$id" "$SIZE" "$mix"
		STATS=$RAW/$id.stats
		OWN=$(ip -n "$SCAN" -6 -j addr show dev eth0 | jq -c '[.[].addr_info[].local]')
		for ((r = 1; r <= RUNS; r++)); do
			for tool in "${tools[@]}"; do
				echo "   run $r: $tool" >&2
				run_tool "$id" "$tool" "$r"
			done
		done
		teardown
	done
done

echo
echo "farm bench · v6scout $("$BIN" --version 2>/dev/null | awk '{print $2}') · $(nproc) CPUs · kernel $(uname -r) · load $(cut -d' ' -f1-3 /proc/loadavg) · $(date -u +%Y-%m-%dT%H:%MZ) · $RUNS cold runs per row, seed $SEED"
echo "mixed = $MIXED"
echo "found columns: the worst run; wall, RSS: median; drops, neigh, errors, farm columns: the worst run"
# Per size, mix and tool: the runs summarised.
awk -F'\t' '
  function pct(a, b) { return b ? sprintf("%.1f", 100 * a / b) : "-" }
  {
    k = $1 "\t" $2 "\t" $3; if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
    runs[k]++; wall[k, runs[k]] = $5; rss[k, runs[k]] = $6
    hp = pct($8, $7); rp = pct($10, $9); sp = pct($12, $11); pp = pct($14, $13)
    if (!(k in hmin) || hp + 0 < hmin[k] + 0) hmin[k] = hp
    if (!(k in rmin) || rp + 0 < rmin[k] + 0) rmin[k] = rp
    if (!(k in smin) || sp + 0 < smin[k] + 0) smin[k] = sp
    if (!(k in pmin) || pp + 0 < pmin[k] + 0) pmin[k] = pp
    if ($16 > fmax[k]) fmax[k] = $16
    if ($17 > dmax[k]) dmax[k] = $17
    if ($18 > nmax[k]) nmax[k] = $18
    if ($19 != "-" && $19 + 0 >= emax[k] + 0) emax[k] = $19
    sent[k] += $20 / $7; got[k] += $21 / $7
    if ($22 > late[k]) late[k] = $22
    if ($23 > mlate[k]) mlate[k] = $23
    if ($24 > kd[k]) kd[k] = $24
    if ($25 > unres[k]) unres[k] = $25
    if (!(k in fps) || $26 < fps[k]) fps[k] = $26
    if ($27 != 0) fail[k]++
  }
  function median(arr, k, n,   i, j, v, t) {
    for (i = 1; i <= n; i++) v[i] = arr[k, i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    print "hosts\tprofiles\ttool\twall s\thosts %\treachable %\tsilent %\tpairs %\tfalse\tRSS MB\tprobes/host\tanswers/host\traw6 drops\tneigh\tsend err\tfarm late>5ms\tfarm max late ms\tfarm drops\tfarm unresolved\tfarm tx fps\texit≠0"
    for (i = 1; i <= nk; i++) {
      k = order[i]; n = runs[k]
      split(k, f, "\t")
      printf "%s\t%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%d\t%d\t%s\t%d\t%.1f\t%d\t%d\t%d\t%d\n", f[1], f[2], f[3],
        median(wall, k, n) / 1000, hmin[k], rmin[k], smin[k], (f[3] == "alive6" ? "n/a" : pmin[k]), fmax[k],
        median(rss, k, n) / 1024, sent[k] / n, got[k] / n, dmax[k], nmax[k], (k in emax ? emax[k] : "-"),
        late[k], mlate[k] / 1000, kd[k], unres[k], fps[k], fail[k]
    }
  }' "$RESULTS" | column -t -s $'\t'
