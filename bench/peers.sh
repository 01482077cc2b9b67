#!/usr/bin/env bash
# v6scout beside its peers on a lossy link: the same lossy namespace lab
# (tests/lab/lab.sh create --lossy) scanned by v6scout, scan6 (ipv6toolkit) and nmap.
#
#   sudo bench/peers.sh [--hosts 60] [--dozing 5] [--cached 3] [--runs 5]
#                       [--tools "v6scout v6scout-fixed scan6 nmap"] [--bin PATH] [--keep-raw DIR]
#                       [-- V6SCOUT_FLAGS...]
#
# The lab: HOSTS hosts on link A plus the router, a third of the hosts Wi-Fi-like (30-50 %
# random loss of incoming multicast, 5 % of unicast), DOZING of those phones in doze (drop
# multicast echo and every multicast packet with a hop-by-hop or destination-options
# header), CACHED of the dozing ones in the scanner's neighbour cache as STALE. MLD snooping
# as lab.sh decides (on from 40 hosts: without it, flooding every multicast to 60 veths on a
# small machine overflows the kernel's backlog and every tool misses wired hosts too; the
# bridge then keeps memberships for an hour, see lab.sh). See bench/README.md.
#
# Each run is cold (every neighbour cache flushed, the cached dozing hosts' STALE entries put
# back: lab.sh cold) and runs every tool once, one after the other, inside the scanner
# namespace on eth0:
#   v6scout  v6scout --json -i eth0 [V6SCOUT_FLAGS]            (the default scan)
#   v6scout-fixed  the same with --no-early-end (the whole --wait window, fixed rounds)
#   scan6    scan6 -i eth0 -L -e -v      (echo and unrecognised-option probes to ff02::1 from
#            each local address, then each found interface ID in every local prefix; -e
#            prints each address's link-layer address)
#   nmap     nmap -6 -n -sn -e eth0 --script targets-ipv6-multicast-echo,
#            targets-ipv6-multicast-invalid-dst,targets-ipv6-multicast-mld    (the link-local
#            discovery scripts that report IP and MAC; targets-ipv6-multicast-slaac is left
#            out: it sends a forged Router Advertisement, and lab hosts ignore RAs)
# Every result is scored against the lab manifest. Per tool: each column's worst run, and the
# median wall time (from before `ip netns exec` to its exit).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin"
# Benchmarks never write the real home: the scans run without an inventory.
export V6SCOUT_INVENTORY=off

HOSTS=60 DOZING=5 CACHED=3 RUNS=5 TOOLS="v6scout v6scout-fixed scan6 nmap" BIN="" KEEP_RAW="" EXTRA=()
while (($#)); do
	case $1 in
	--hosts) HOSTS=$2 && shift 2 ;;
	--dozing) DOZING=$2 && shift 2 ;;
	--cached) CACHED=$2 && shift 2 ;;
	--runs) RUNS=$2 && shift 2 ;;
	--tools) TOOLS=$2 && shift 2 ;;
	--bin) BIN=$2 && shift 2 ;;
	--keep-raw) KEEP_RAW=$2 && shift 2 ;;
	--) shift && EXTRA=("$@") && break ;;
	-h | --help) sed -n '2,30p' "$0" && exit 0 ;;
	*) echo "peers.sh: unknown option $1 (see --help)" >&2 && exit 2 ;;
	esac
done
[[ $(id -u) == 0 ]] || { echo "peers.sh: needs root (it builds network namespaces)" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "peers.sh: --runs must be a positive number" >&2; exit 2; }
for t in $TOOLS; do
	[[ $t == v6scout || $t == v6scout-fixed || $t == scan6 || $t == nmap ]] || { echo "peers.sh: unknown tool $t" >&2; exit 2; }
done

# Dependencies: the lab's (tests/deps.sh, ip6tables-legacy included), then the peers.
tests/deps.sh
peer_pkgs=()
[[ " $TOOLS " == *" scan6 "* ]] && ! command -v scan6 >/dev/null && peer_pkgs+=(ipv6toolkit)
[[ " $TOOLS " == *" nmap "* ]] && ! command -v nmap >/dev/null && peer_pkgs+=(nmap)
if ((${#peer_pkgs[@]})); then
	echo "installing: ${peer_pkgs[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# As tests/deps.sh: no package may start a service in the root namespace while installing.
	policy=/usr/sbin/policy-rc.d own_policy=0
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${peer_pkgs[@]}" >/dev/null || {
		[[ $own_policy == 1 ]] && rm -f "$policy"
		echo "peers.sh: apt-get install ${peer_pkgs[*]} failed" >&2
		exit 2
	}
	[[ $own_policy == 1 ]] && rm -f "$policy"
fi
if [[ " $TOOLS " == *" v6scout"* ]]; then
	if [[ -z $BIN ]]; then
		cargo build --release --locked --quiet
		BIN=$PWD/target/release/v6scout
	fi
	BIN=$(realpath "$BIN")
fi

RAW=$(mktemp -d /tmp/v6scout-peers.XXXXXX)
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

# A tool's output -> JSON object {address: mac} (mac lower-case with colons, "" if none).
normalise() { # TOOL FILE
	case $1 in
	v6scout | v6scout-fixed)
		jq -c '[.interfaces[] | .prefixes[].hosts[] | {key: .address, value: (.mac // "")}] | from_entries' "$2" ;;
	scan6) # "fe80::1 @ 00:24:a5:f1:07:ca" under "Link-local addresses:" / "Global addresses:"
		awk '$2 == "@" && NF == 3 {print $1, tolower($3)} NF == 1 && $1 ~ /:/ {print $1, ""}' "$2" |
			jq -R -s -c '[split("\n")[] | select(length > 0) | split(" ") | {key: .[0], value: (.[1] // "")}]
			  | reduce .[] as $e ({}; if .[$e.key] == null or .[$e.key] == "" then .[$e.key] = $e.value else . end)' ;;
	nmap) # "|   IP: fe80::1   MAC: 0024a5f107ca  IFACE: eth0"
		grep -oE 'IP: [0-9a-fA-F:.]+ +MAC: [0-9a-fA-F]{12}' "$2" |
			awk '{m = tolower($4); printf "%s %s:%s:%s:%s:%s:%s\n", tolower($2), substr(m,1,2), substr(m,3,2), substr(m,5,2), substr(m,7,2), substr(m,9,2), substr(m,11,2)}' |
			jq -R -s -c '[split("\n")[] | select(length > 0) | split(" ") | {key: .[0], value: .[1]}] | from_entries' ;;
	esac
}

# Found {address: mac} against the manifest's eth0 devices. Prints, tab-separated:
# devices found, lossy found, dozing found, cached found, addresses listed, addresses with
# the right MAC, devices complete (every address with its MAC), phantoms (listed addresses
# the lab's devices do not have; the scanner's own count too).
score() { # MANIFEST FOUND_JSON
	jq -r -n --slurpfile m "$1" --slurpfile f "$2" '
	  $f[0] as $found
	  | [$m[0].hosts[] | select(.scanner_iface == "eth0")] as $hs
	  | ([$hs[].addresses[] | {key: ., value: 1}] | from_entries) as $present
	  | [$hs[] | .mac as $mac | {loss: (.loss != null), dozing: (.dozing // false), cached: (.cached // false),
	       n: (.addresses | length),
	       l: ([.addresses[] | select($found[.] != null)] | length),
	       r: ([.addresses[] | select($found[.] == $mac)] | length)}] as $s
	  | [([$s[] | select(.l > 0)] | length), ([$s[] | select(.loss and .l > 0)] | length),
	     ([$s[] | select(.dozing and .l > 0)] | length), ([$s[] | select(.cached and .l > 0)] | length),
	     ([$s[].l] | add), ([$s[].r] | add), ([$s[] | select(.r == .n)] | length),
	     ([$found | keys[] | select($present[.] == null)] | length)] | @tsv'
}

present() { # MANIFEST -> devices lossy dozing cached addresses (on eth0)
	jq -r '[.hosts[] | select(.scanner_iface == "eth0")] as $hs
	  | [($hs | length), ([$hs[] | select(.loss != null)] | length), ([$hs[] | select(.dozing)] | length),
	     ([$hs[] | select(.cached)] | length), ([$hs[].addresses[]] | length)] | @tsv' "$1"
}

missed() { # MANIFEST FOUND_JSON -> one line per address not listed with its MAC
	jq -r -n --slurpfile m "$1" --slurpfile f "$2" '
	  $f[0] as $found | $m[0].hosts[] | select(.scanner_iface == "eth0") | . as $h
	  | ([(if .loss then "lossy \(.loss.multicast * 100 | round) %" else empty end),
	      (if .dozing then "dozing" else empty end), (if .cached then "cached" else empty end),
	      (if .silent then "silent" else empty end), (if .router then "router" else empty end)]
	     | join(",")) as $what
	  | .addresses[] | select($found[.] != $h.mac)
	  | "\($h.namespace | sub("^v6t-[^-]+-"; "")) \(.) [\($what)] " +
	    (if $found[.] == null then "not listed" elif $found[.] == "" then "no MAC" else "MAC \($found[.])" end)'
}

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "-"; exit} print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

run_tool() { # TOOL OUT ERR
	local ns="v6t-$RUNID-scan"
	case $1 in
	v6scout) ip netns exec "$ns" "$BIN" --json -i eth0 "${EXTRA[@]}" >"$2" 2>"$3" ;;
	v6scout-fixed) ip netns exec "$ns" "$BIN" --json -i eth0 --no-early-end "${EXTRA[@]}" >"$2" 2>"$3" ;;
	scan6) ip netns exec "$ns" scan6 -i eth0 -L -e -v >"$2" 2>"$3" ;;
	nmap) ip netns exec "$ns" nmap -6 -n -sn -e eth0 \
		--script targets-ipv6-multicast-echo,targets-ipv6-multicast-invalid-dst,targets-ipv6-multicast-mld >"$2" 2>"$3" ;;
	esac
}

version_of() {
	case $1 in
	v6scout | v6scout-fixed) "$BIN" --version 2>/dev/null | awk '{print $2}' ;;
	scan6) dpkg-query -W -f '${Version}' ipv6toolkit 2>/dev/null || echo "?" ;;
	nmap) nmap --version 2>/dev/null | awk 'NR==1 {print $3}' ;;
	esac
}

RUNID="peers$$"
man=$RAW/manifest.json
started=$(date +%s)
echo "== lossy lab of $HOSTS hosts ($DOZING dozing, $CACHED cached): building" >&2
tests/lab/lab.sh create "$RUNID" --hosts "$HOSTS" --hosts-b 0 \
	--lossy --dozing "$DOZING" --cached "$CACHED" --manifest "$man" 9>&-
: >"$RAW/missed.txt" && : >"$RAW/scores.tsv"
for ((r = 1; r <= RUNS; r++)); do
	for tool in $TOOLS; do
		out=$RAW/$tool-$r.out
		tests/lab/lab.sh cold "$RUNID"
		code=0
		t0=$(date +%s%N)
		run_tool "$tool" "$out" "$RAW/$tool-$r.err" || code=$?
		t1=$(date +%s%N)
		if ! normalise "$tool" "$out" >"$RAW/$tool-$r.found.json" 2>>"$RAW/$tool-$r.err" ||
			! jq -e 'type == "object"' "$RAW/$tool-$r.found.json" >/dev/null 2>&1; then
			echo '{}' >"$RAW/$tool-$r.found.json"
			((code == 0)) && code=99
		fi
		printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$r" "$code" "$(((t1 - t0) / 1000000))" \
			"$(score "$man" "$RAW/$tool-$r.found.json")" >>"$RAW/scores.tsv"
		missed "$man" "$RAW/$tool-$r.found.json" | sed "s/^/$tool run $r: /" >>"$RAW/missed.txt"
		echo "   run $r $tool: exit $code, $(((t1 - t0) / 1000000)) ms" >&2
	done
done
tests/lab/lab.sh destroy "$RUNID"
RUNID=""

read -r p_dev p_lossy p_doze p_cached p_addr < <(present "$man")
echo
echo "lossy lab: $HOSTS hosts + router on one link; $p_lossy Wi-Fi-like (multicast loss 30-50 %, unicast 5 %), $p_doze of them dozing, $p_cached of those cached as STALE; $RUNS cold runs per tool"
echo "$(nproc) CPUs · kernel $(uname -r) · load $(cut -d' ' -f1-3 /proc/loadavg) · $(date -u +%Y-%m-%dT%H:%MZ) · $(($(date +%s) - started)) s in all"
echo "found columns: each its worst run of $RUNS; complete = devices with every address listed with its own MAC"
{
	printf 'tool\tversion\tdevices found\tlossy found\tdozing found\tcached found\taddrs listed\taddrs right MAC\tdevices complete\tphantoms (max)\twall ms median (min-max)\tfailed runs\n'
	for tool in $TOOLS; do
		rows=$(awk -F'\t' -v t="$tool" '$1 == t' "$RAW/scores.tsv")
		minof() { cut -f"$1" <<<"$rows" | sort -n | head -n1; }
		maxof() { cut -f"$1" <<<"$rows" | sort -n | tail -n1; }
		fails=$(awk -F'\t' '$3 != 0 && !($3 == 1 && $1 ~ /^v6scout/) {k++} END {print k+0}' <<<"$rows")
		walls=$(cut -f4 <<<"$rows")
		printf '%s\t%s\t%s/%s\t%s/%s\t%s/%s\t%s/%s\t%s/%s\t%s/%s\t%s/%s\t%s\t%s (%s-%s)\t%s\n' \
			"$tool" "$(version_of "$tool")" "$(minof 5)" "$p_dev" "$(minof 6)" "$p_lossy" "$(minof 7)" "$p_doze" \
			"$(minof 8)" "$p_cached" "$(minof 9)" "$p_addr" "$(minof 10)" "$p_addr" "$(minof 11)" "$p_dev" \
			"$(maxof 12)" "$(median <<<"$walls")" "$(sort -n <<<"$walls" | head -n1)" "$(sort -n <<<"$walls" | tail -n1)" "$fails"
	done
} | column -t -s $'\t'
echo
echo "per run (tool run exit wall_ms devices lossy dozing cached listed right_mac complete phantoms):"
column -t "$RAW/scores.tsv"
if [[ -s $RAW/missed.txt ]]; then
	echo "not listed with the right MAC (by run):"
	cat "$RAW/missed.txt"
fi
