#!/usr/bin/env bash
# Discovery benchmark on namespace labs: completeness, wall time, peak memory,
# packets sent and time to first probe of real scans, at several link sizes.
#
#   sudo bench/run.sh [--sizes "10 50 150"] [--runs 5] [--hosts-b 3]
#                     [--mode NAME[=FLAGS]]... [--bin PATH] [--keep-raw DIR]
#                     [--resolve N] [--seed N] [--probe-runs N] [--scan6]
#                     [-- V6SCOUT_FLAGS...]
#   sudo bench/run.sh --farm N [--profiles SPEC]... [--runs R] [--bin PATH] [-- V6SCOUT_FLAGS...]
#
# --farm N: instead of the namespace labs, one link of N emulated hosts (bench/farm.sh:
# the farm lab helper, v6scout beside scan6 and alive6; --profiles as there, repeatable;
# N may be a quoted list of sizes).
# Modes (repeatable, default just "default"): each is a name and the v6scout flags it adds.
#   default        the default scan
#   mld            --mld                 (needs the MLD feature in the binary)
#   unpriv         runs as uid/gid 65534 with net.ipv4.ping_group_range opened in the scanner
#                  namespace (needs the unprivileged fallback in the binary)
#   NAME=FLAGS     any other combination, e.g. "rounds2=--rounds 2"
# Flags after "--" are added to every mode. A scan that fails is shown as failed (exit code).
# --resolve N: per size, `v6scout resolve MAC` of N link-A hosts (every other one silent,
# cold caches, no inventory unless --seed), wall median/max and how many printed one of
# the host's addresses. --seed N: every run of the size (scans, first-probe run,
# resolves) uses a temporary inventory that one warm-up scan filled with the lab and
# that then got N more devices nobody has (two link-local addresses each, seen after the
# lab's; the seeder is the ignored unit test inventory::tests::measure::seed_from_env): a
# large inventory, as after months of visitors, and resolve looks for a device it
# remembers. --probe-runs N: time to first probe as the median of N strace runs (default
# 1). --scan6: per size, RUNS cold runs of `scan6 -i eth0 -L` (ipv6toolkit, the
# fastest complete peer) in the same lab: wall median and addresses listed (worst run).
#
# For each size it builds its own lab (tests/lab/lab.sh, run id bench<pid><n>) under the
# machine-wide lab lock, flushes every lab namespace's neighbour cache before each measured
# run (cold caches, as on a real link), and destroys the lab on every exit path.
# Wall time and peak RSS come from GNU time around the process inside the scanner namespace
# (wall includes GNU time's own fork/exec, so it slightly overestimates); --probe-runs runs per
# size and mode under `strace -f -ttt --seccomp-bpf -e trace=execve,sendto,sendmsg` gives the
# time from execve to the first probe handed to the kernel (veth delivers it synchronously):
# an ICMPv6 socket's send, or a multicast frame (33:33:…) from the packet socket.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
# Benchmarks never write the real home: no inventory unless a mode names one (--inventory).
export V6SCOUT_INVENTORY=off

SIZES="10 50 150" RUNS=5 HOSTS_B=3 BIN="" KEEP_RAW="" MODES=() EXTRA=() RESOLVE=0 SCAN6=0
SEED=0 PROBE_RUNS=1 FARM="" FARM_ARGS=()
while (($#)); do
	case $1 in
	--sizes) SIZES=$2 && shift 2 ;;
	--runs) RUNS=$2 && FARM_ARGS+=(--runs "$2") && shift 2 ;;
	--farm) FARM=$2 && shift 2 ;;
	--profiles) FARM_ARGS+=(--profiles "$2") && shift 2 ;;
	--hosts-b) HOSTS_B=$2 && shift 2 ;;
	--mode) MODES+=("$2") && shift 2 ;;
	--bin) BIN=$2 && FARM_ARGS+=(--bin "$2") && shift 2 ;;
	--keep-raw) KEEP_RAW=$2 && shift 2 ;;
	--resolve) RESOLVE=$2 && shift 2 ;;
	--seed) SEED=$2 && shift 2 ;;
	--probe-runs) PROBE_RUNS=$2 && shift 2 ;;
	--scan6) SCAN6=1 && shift ;;
	--) shift && EXTRA=("$@") && break ;;
	-h | --help) sed -n '2,38p' "$0" && exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2 && exit 2 ;;
	esac
done
if [[ -n $FARM ]]; then
	exec bench/farm.sh --hosts "$FARM" "${FARM_ARGS[@]}" -- "${EXTRA[@]}"
fi
((${#MODES[@]})) || MODES=(default)
[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (it builds network namespaces)" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive number" >&2; exit 2; }
[[ $SEED =~ ^[0-9]+$ ]] || { echo "run.sh: --seed must be a number" >&2; exit 2; }
[[ $PROBE_RUNS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --probe-runs must be a positive number" >&2; exit 2; }
tests/deps.sh
# --scan6 without scan6 would silently leave out the comparison it was asked for.
((SCAN6)) && ! command -v scan6 >/dev/null && { echo "run.sh: --scan6: scan6 missing (apt install ipv6toolkit)" >&2; exit 2; }
for c in strace flock jq; do command -v "$c" >/dev/null || { echo "run.sh: $c missing (tests/deps.sh)" >&2; exit 2; }; done
[[ -x /usr/bin/time ]] || { echo "run.sh: GNU time missing (apt-get install time)" >&2; exit 2; }
if [[ -z $BIN ]]; then
	cargo build --release --locked --quiet
	BIN=$PWD/target/release/v6scout
fi
BIN=$(realpath "$BIN")

flags_of() { # MODE -> its v6scout flags
	case $1 in
	default | unpriv) echo "" ;;
	mld) echo "--mld" ;;
	*=*) echo "${1#*=}" ;;
	*) echo "run.sh: unknown mode $1 (use NAME=FLAGS)" >&2 && return 1 ;;
	esac
}

RAW=$(mktemp -d /tmp/v6scout-bench.XXXXXX)
RUNID=""
cleanup() {
	[[ -n $RUNID ]] && tests/lab/lab.sh destroy "$RUNID" || true
	if [[ -n $KEEP_RAW ]]; then mkdir -p "$KEEP_RAW" && cp -r "$RAW"/. "$KEEP_RAW"/; fi
	rm -rf -- "$RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# One lab at a time on the machine: lab tests take the same lock (tests/common/mod.rs).
exec 9>/tmp/v6scout-lab.lock
flock 9

# Every present address found? Prints: hosts_present hosts_found addrs_present addrs_found
# silent_present silent_found macs_right extra probes_sent. A host counts as found when any
# of its addresses is listed; macs_right counts found hosts listed with their own MAC;
# extra counts listed addresses the lab does not have (phantoms, stale entries).
score() { # MANIFEST JSON
	jq -r -n --slurpfile m "$1" --slurpfile r "$2" '
	  ($r[0].interfaces | map(.name as $n | .prefixes[].hosts[] | {k: ($n + " " + .address), mac})
	     | map({(.k): (.mac // "")}) | add // {}) as $found
	  | ($m[0].hosts | map(.scanner_iface as $i | .mac as $mac
	     | {silent, n: (.addresses | length),
	        f: ([.addresses[] | select($found[$i + " " + .] != null)] | length),
	        m: ([.addresses[] | select($found[$i + " " + .] == $mac)] | length)})) as $h
	  | ([$m[0].hosts[] | .scanner_iface as $i | .addresses[] | $i + " " + .]) as $present
	  | [($h | length), ([$h[] | select(.f > 0)] | length),
	     ([$h[].n] | add), ([$h[].f] | add),
	     ([$h[] | select(.silent)] | length), ([$h[] | select(.silent and .f > 0)] | length),
	     ([$h[] | select(.f > 0 and .m == .f)] | length),
	     ([$found | keys[] | select(. as $k | $present | index($k) | not)] | length),
	     $r[0].stats.probes_sent] | @tsv'
}

missed() { # MANIFEST JSON -> one line per address not found: namespace address silent
	jq -r -n --slurpfile m "$1" --slurpfile r "$2" '
	  ($r[0].interfaces | map(.name as $n | .prefixes[].hosts[] | {(($n) + " " + .address): 1}) | add // {}) as $f
	  | $m[0].hosts[] | .scanner_iface as $i | .namespace as $ns | .silent as $s
	  | .addresses[] | select($f[$i + " " + .] == null) | "\($ns) \(.) silent=\($s)"'
}

stats() { # numbers on stdin -> "median min max"
	sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "- - -"; exit}
	  m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%s %s %s\n", m, v[1], v[NR]}'
}

flush_neigh() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep -E "^v6t-$RUNID-(swa|swb|scan|rtr|h[0-9]+|b[0-9]+)\$"); do
		ip -n "$ns" neigh flush all >/dev/null 2>&1 || true
	done
}

# Kernel drop counters of this lab, for finding why a host was missed. Prints four sums:
# hosts' Icmp6OutErrors (a reply the kernel failed to send: per-CPU ICMPv6 socket busy,
# no route/neighbour), hosts' Icmp6OutRateLimitHost (per-destination ICMPv6 rate limit; on
# Linux 6.18 it also counts each Parameter Problem a host cannot route back — a host with no
# global/ULA address probed from our global/ULA source — so a steady non-zero is expected),
# the scanner's Icmp6InErrors + Ip6InDiscards, and the machine's softnet backlog drops
# (/proc/net/softnet_stat column 2: netdev_max_backlog overflow, all namespaces).
drop_counters() {
	ip -all netns exec awk '/^(Icmp6OutErrors|Icmp6OutRateLimitHost|Icmp6InErrors|Ip6InDiscards) / {print FILENAME, $1, $2}' \
		/proc/net/snmp6 2>/dev/null |
		awk -v scan="v6t-$RUNID-scan" -v pat="^v6t-$RUNID-(rtr|h[0-9]+|b[0-9]+)$" '
		  /^netns: / {ns = $2; next}
		  ns ~ pat && $2 == "Icmp6OutErrors" {oe += $3}
		  ns ~ pat && $2 == "Icmp6OutRateLimitHost" {rl += $3}
		  ns == scan && ($2 == "Icmp6InErrors" || $2 == "Ip6InDiscards") {ie += $3}
		  END {printf "%d %d %d", oe, rl, ie}'
	local d s=0
	while read -r _ d _; do s=$((s + 16#$d)); done </proc/net/softnet_stat
	echo " $s"
}

priv_of() { # MODE -> command prefix dropping privileges for it (after netns, time, strace)
	if [[ ${1%%=*} == unpriv ]]; then
		echo "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
	fi
}

RESULTS=$RAW/results.tsv EXTRAS=$RAW/extras.tsv
: >"$RESULTS" && : >"$RAW/missed.txt" && : >"$EXTRAS"
n=0
for size in $SIZES; do
	n=$((n + 1))
	RUNID="bench$$n$n"
	man=$RAW/manifest-$size.json
	echo "== lab of $size hosts (+$HOSTS_B on link B): building" >&2
	tests/lab/lab.sh create "$RUNID" --hosts "$size" --hosts-b "$HOSTS_B" --manifest "$man" 9>&-
	ip netns exec "v6t-$RUNID-scan" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	INV=()
	if ((SEED > 0)); then
		inv=$RAW/inventory-$size.sqlite3
		flush_neigh
		ip netns exec "v6t-$RUNID-scan" "$BIN" --json --inventory "$inv" "${EXTRA[@]}" >/dev/null 2>&1 || true
		V6SCOUT_SEED_INVENTORY=$inv V6SCOUT_SEED_DEVICES=$SEED cargo test --locked --features lab-helpers --lib --quiet \
			inventory::tests::measure::seed_from_env -- --ignored --exact --nocapture 2>&1 | grep -F seeded >&2
		INV=(--inventory "$inv")
	fi
	for mode in "${MODES[@]}"; do
		name=${mode%%=*}
		read -ra flags <<<"$(flags_of "$mode")"
		read -ra priv <<<"$(priv_of "$mode")"
		ns="v6t-$RUNID-scan"
		walls=() rss=() rows=() fails=0 code=0 drops=(0 0 0 0)
		for ((r = 1; r <= RUNS; r++)); do
			out=$RAW/$size-$name-$r.json tf=$RAW/$size-$name-$r.time
			flush_neigh
			read -ra c0 < <(drop_counters)
			t0=$(date +%s%N)
			code=0
			ip netns exec "$ns" /usr/bin/time -f "%M" -o "$tf" "${priv[@]}" "$BIN" --json "${flags[@]}" "${INV[@]}" "${EXTRA[@]}" \
				>"$out" 2>"$RAW/$size-$name-$r.err" || code=$?
			t1=$(date +%s%N)
			read -ra c1 < <(drop_counters)
			for i in 0 1 2 3; do drops[i]=$((${drops[i]:-0} + c1[i] - c0[i])); done
			if ((code > 1)) || ! jq -e .version "$out" >/dev/null 2>&1; then
				fails=$((fails + 1)) && continue
			fi
			walls+=("$(((t1 - t0) / 1000000))")
			rss+=("$(tail -n1 "$tf")")
			rows+=("$(score "$man" "$out")")
			missed "$man" "$out" | sed "s/^/$size $name run $r: missed /" >>"$RAW/missed.txt"
		done
		# Time to first probe: PROBE_RUNS more cold runs under strace (not among the timed
		# runs), the median.
		fps=()
		for ((p = 1; p <= PROBE_RUNS; p++)); do
			flush_neigh
			st=$RAW/$size-$name-$p.strace
			ip netns exec "$ns" strace -f -ttt --seccomp-bpf -e trace=execve,sendto,sendmsg -o "$st" \
				"${priv[@]}" "$BIN" --json "${flags[@]}" "${INV[@]}" "${EXTRA[@]}" >/dev/null 2>&1 || true
			fp=$(awk -v bin="$BIN" 'index($0, "execve(\"" bin "\"") && !e {e=$2} (/(sendto|sendmsg)\(.*AF_INET6/ || /sendto\([0-9]+, "33\\0\\0/) && !/= -1/ && !s {s=$2}
				END {if (e && s) printf "%.1f", (s-e)*1000}' "$st" 2>/dev/null || true)
			[[ -n $fp ]] && fps+=("$fp")
		done
		ttfp=-
		((${#fps[@]})) && read -r ttfp _ < <(printf '%s\n' "${fps[@]}" | stats)
		if ((${#rows[@]} == 0)); then
			printf '%s\t%s\t%s\n' "$size" "$name" \
				"failed:exit=$code: $(head -n1 "$RAW/$size-$name-$RUNS.err" | cut -c1-90)" >>"$RESULTS"
			continue
		fi
		# Completeness: the worst run (fewest addresses found) is the one that matters.
		worst=$(printf '%s\n' "${rows[@]}" | sort -t$'\t' -k4,4n | head -n1)
		all_ok=$(printf '%s\n' "${rows[@]}" | awk -F'\t' '$4==$3 && $6==$5 {k++} END {print k+0}')
		read -r wmed wmin wmax < <(printf '%s\n' "${walls[@]}" | stats)
		read -r rmed _ rmax < <(printf '%s\n' "${rss[@]}" | stats)
		printf '%s\t%s\t%s\t%s/%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$name" "$worst" \
			"$all_ok" "${#rows[@]}" "$wmed" "$wmin" "$wmax" "$rmed" "$rmax" "$ttfp" "$fails" "${drops[*]}" >>"$RESULTS"
	done
	ns="v6t-$RUNID-scan"
	if ((RESOLVE > 0)); then
		# N hosts of link A spread over the lab, silent and answering ones alternately.
		mapfile -t targets < <(jq -r --argjson n "$RESOLVE" '[.hosts[] | select(.scanner_iface == "eth0" and .role == "host")]
		  | ([.[] | select(.silent)] | .[:(($n + 1) / 2 | floor)]) + ([.[] | select(.silent | not)] | .[:($n / 2 | floor)])
		  | .[] | "\(.mac) \(.addresses | join(","))"' "$man")
		rwalls=() rok=0
		for t in "${targets[@]}"; do
			read -r mac addrs <<<"$t"
			flush_neigh
			t0=$(date +%s%N)
			got=$(ip netns exec "$ns" "$BIN" resolve "$mac" "${INV[@]}" "${EXTRA[@]}" 2>/dev/null) || true
			t1=$(date +%s%N)
			rwalls+=("$(((t1 - t0) / 1000000))")
			[[ ",$addrs," == *",${got%%\%*},"* ]] && rok=$((rok + 1))
		done
		read -r rmed _ rmax < <(printf '%s\n' "${rwalls[@]}" | stats)
		printf '%s\tresolve MAC\t%s/%s right\t%s ms median, %s ms max\n' "$size" "$rok" "${#targets[@]}" "$rmed" "$rmax" >>"$EXTRAS"
	fi
	if ((SCAN6)) && command -v scan6 >/dev/null; then
		swalls=() sfound=()
		for ((r = 1; r <= RUNS; r++)); do
			flush_neigh
			t0=$(date +%s%N)
			ip netns exec "$ns" scan6 -i eth0 -L >"$RAW/$size-scan6-$r.out" 2>&1 || true
			t1=$(date +%s%N)
			swalls+=("$(((t1 - t0) / 1000000))")
			sfound+=("$(grep -cE '^[0-9a-f:]+$' "$RAW/$size-scan6-$r.out" || true)")
		done
		read -r smed _ smax < <(printf '%s\n' "${swalls[@]}" | stats)
		worst=$(printf '%s\n' "${sfound[@]}" | sort -n | head -n1)
		present=$(jq '[.hosts[] | select(.scanner_iface == "eth0") | .addresses[]] | length' "$man")
		printf '%s\tscan6 -L\t%s/%s eth0 addresses (worst)\t%s ms median, %s ms max\n' "$size" "$worst" "$present" "$smed" "$smax" >>"$EXTRAS"
	fi
	tests/lab/lab.sh destroy "$RUNID"
	RUNID=""
done

echo
echo "v6scout $("$BIN" --version 2>/dev/null | awk '{print $2}') · $(nproc) CPUs · kernel $(uname -r) · load $(cut -d' ' -f1-3 /proc/loadavg) · $(date -u +%Y-%m-%dT%H:%MZ) · $RUNS runs per row"
echo "found = worst run (fewest addresses); complete = runs that found every address and silent host"
echo "drops (sum over the timed runs): hosts Icmp6OutErrors / hosts Icmp6OutRateLimitHost (mostly unroutable answers to global/ULA-source probes: expected) / scanner Icmp6InErrors+Ip6InDiscards / machine softnet backlog drops"
{
	printf 'hosts\tmode\thosts found\taddrs found\tsilent found\tright MAC\tphantoms\tprobes\tcomplete\twall ms med (min–max)\tpeak RSS KiB med (max)\tfirst probe ms\tfailed\tdrops\n'
	while IFS=$'\t' read -r size name hp hf ap af sp sf mr ex pr ok wmed wmin wmax rmed rmax ttfp fails drops; do
		if [[ $hp == failed:* ]]; then
			printf '%s\t%s\t%s\n' "$size" "$name" "$hp"
			continue
		fi
		printf '%s\t%s\t%s/%s\t%s/%s\t%s/%s\t%s\t%s\t%s\t%s\t%s (%s–%s)\t%s (%s)\t%s\t%s\t%s\n' \
			"$size" "$name" "$hf" "$hp" "$af" "$ap" "$sf" "$sp" "$mr" "$ex" "$pr" "$ok" \
			"$wmed" "$wmin" "$wmax" "$rmed" "$rmax" "$ttfp" "$fails" "${drops// //}"
	done <"$RESULTS"
} | column -t -s $'\t'
if [[ -s $EXTRAS ]]; then
	echo
	{ printf 'hosts\twhat\tresult\twall\n' && cat "$EXTRAS"; } | column -t -s $'\t'
fi
if [[ -s $RAW/missed.txt ]]; then
	echo "missed addresses:"
	cat "$RAW/missed.txt"
fi
