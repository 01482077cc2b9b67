#!/usr/bin/env bash
# v6scout network-namespace lab.
#
#   lab.sh create RUNID [--hosts N] [--hosts-b M] [--manifest FILE]
#                       [--snooping|--no-snooping] [--rps|--no-rps] [--multi] [--ipv4]
#                       [--lossy] [--dozing N] [--cached N]
#   lab.sh cold RUNID       # cold neighbour caches again, the scanner's planted entries restored
#   lab.sh destroy RUNID
#   lab.sh check [--lossy]  # prerequisites; prints the reason and exits 1 if unusable
#   V6T_LAB_KEEP=1 lab.sh create …   keeps a half-built lab on failure, for debugging
#
# Everything lives in namespaces named v6t-RUNID-ROLE (ROLE: swa swb scan rtr hNN bNN);
# the root namespace is never touched. Link A: bridge br0 in v6t-RUNID-swa joining the
# scanner's eth0, the router (radvd) and N hosts. Link B: bridge in v6t-RUNID-swb joining
# the scanner's eth1 and M link-local-only hosts. See tests/common/mod.rs for the manifest.
#
# --lossy models Wi-Fi on link A (lossy_rules below): a third of its hosts lose incoming
# multicast at random (P 0.30-0.50: sent once, at the basic rate, never retried) and 5 % of
# incoming unicast (retried, so rarely lost); --dozing N of those (default 3) are phones in
# doze, which also drop multicast echo requests and every multicast packet with a hop-by-hop
# or destination-options header; --cached N of the dozing ones (default 2) are in the
# scanner's neighbour cache as STALE with their real MAC, as after an earlier conversation.
# Only incoming packets are dropped, by ip6tables-legacy inside the host's own namespace.
set -euo pipefail

PREFIX_A=2001:db8:1
PREFIX_R=2001:db8:99
PREFIX_U=fd00:1
NET4=192.0.2 # --ipv4: documentation range only
PREFIX_S=2001:db8:5 # --multi: advertised with the autonomous flag (SLAAC + temporary addresses)
SCAN_MAC_A=02:00:5e:10:00:01
SCAN_MAC_B=02:00:5e:10:00:02
RTR_MAC=00:24:a5:f1:07:ca
V4ONLY_MAC=00:00:48:5a:00:99 # --ipv4: an Epson printer with IPv6 off
BRIDGE_MAC=02:00:00:00:00:01 # link-local fe80::ff:fe00:1 sorts below the scanner's
STALE_LL=fe80::dead:beef STALE_LL_MAC=02:de:ad:be:ef:01
STALE_GL=$PREFIX_A::dead STALE_GL_MAC=02:de:ad:be:ef:02
# Real OUIs: Raspberry Pi x4, Apple, Intel, Ubiquiti, VMware.
VENDORS=(b8:27:eb dc:a6:32 2c:cf:67 e4:5f:01 3c:22:fb 00:1b:21 f0:9f:c2 00:0c:29)
PRIVATE=(4a 02 06 8e 1a) # locally administered first octets
NEEDED=(ip bridge radvd jq ping sysctl)
NEEDED_LOSSY=(ip6tables-legacy ip6tables-legacy-restore)
UNICAST_LOSS=0.05

die() { echo "lab.sh: $*" >&2; exit 1; }
check_runid() { [[ $1 =~ ^[A-Za-z0-9_]{1,48}$ ]] || die "bad RUNID '$1' (use [A-Za-z0-9_], max 48)"; }
tmpdir() { echo "/tmp/v6t-$1-lab"; }
hostname_of() { printf '%s%02d' "$1" "$2"; } # h01, b07, h123

# Namespaces of exactly this run, by exact role pattern (never a prefix match).
lab_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' |
		grep -E "^v6t-$1-(swa|swb|scan|rtr|v4|h[0-9]+|b[0-9]+)\$" || true
}

# --lossy: the ip6tables ruleset of a host, for ip6tables-legacy-restore. MULTICAST_P is the
# multicast loss ("" for none), DOZE 1 adds the doze filter. NS/NA, RA and MLD reports carry
# no extension header, so the doze filter passes them (a dozing Android phone still answers
# Neighbour Solicitations to its solicited-node group); MLD queries have a hop-by-hop header
# and are dropped. Only INPUT on eth0: the host's own replies always leave.
lossy_rules() { # MULTICAST_P DOZE
	echo "*filter"
	echo ":INPUT ACCEPT [0:0]"
	if [[ $2 == 1 ]]; then
		echo "-A INPUT -i eth0 -m pkttype --pkt-type multicast -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j DROP"
		# One rule per header: with --soft, ipv6header matches a packet that has *every*
		# listed header, so "hop-by-hop,dst" would let a destination-options-only packet in.
		echo "-A INPUT -i eth0 -m pkttype --pkt-type multicast -m ipv6header --header hop-by-hop --soft -j DROP"
		echo "-A INPUT -i eth0 -m pkttype --pkt-type multicast -m ipv6header --header dst --soft -j DROP"
	fi
	if [[ -n $1 ]]; then
		echo "-A INPUT -i eth0 -m pkttype --pkt-type multicast -m statistic --mode random --probability $1 -j DROP"
		echo "-A INPUT -i eth0 -m pkttype --pkt-type host -m statistic --mode random --probability $UNICAST_LOSS -j DROP"
	fi
	echo "COMMIT"
}

# --lossy: is link-A host index K (0-based) Wi-Fi-like, and which one (0-based ordinal)?
# A third of the hosts, spread over the address mixes (k%3) and the silent ones (k%4==3),
# never h01 (the readiness and sanity-ping host).
lossy_ordinal() { # K -> ordinal on stdout, status 1 if not lossy
	local k=$1 j=0 x
	(((k + k / 3) % 3 == 1)) || return 1
	for ((x = 0; x < k; x++)); do (((x + x / 3) % 3 == 1)) && j=$((j + 1)); done
	echo "$j"
}

destroy() {
	local runid=$1 ns pids=() dir
	check_runid "$runid"
	# A Ctrl-C reaches the whole process group: finish destroying rather than leak half a lab.
	trap '' INT TERM HUP
	mapfile -t nss < <(lab_namespaces "$runid")
	for ns in "${nss[@]}"; do
		mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null || true)
	done
	if ((${#pids[@]})); then
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "${pids[@]}" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "${pids[@]}" 2>/dev/null || true
	fi
	for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null & done
	wait
	dir=$(tmpdir "$runid")
	[[ -d $dir ]] && rm -rf -- "$dir"
	return 0
}

check() { # [create options]: with --lossy, --dozing or --cached also what --lossy needs
	local c missing=() lossy=0
	for c in "$@"; do [[ $c == --lossy || $c == --dozing || $c == --cached ]] && lossy=1; done
	[[ $(id -u) == 0 ]] || { echo "not root"; return 1; }
	for c in "${NEEDED[@]}"; do command -v "$c" >/dev/null || missing+=("$c"); done
	((${#missing[@]} == 0)) || { echo "missing commands: ${missing[*]} (apt-get install iproute2 radvd jq iputils-ping procps)"; return 1; }
	local ns="v6t-chk$$-scan"
	ip netns add "$ns" 2>/dev/null || { echo "ip netns add failed (no network namespace support?)"; return 1; }
	if ((lossy)); then
		missing=()
		for c in "${NEEDED_LOSSY[@]}"; do command -v "$c" >/dev/null || missing+=("$c"); done
		if ((${#missing[@]})); then
			ip netns del "$ns"
			echo "missing commands: ${missing[*]} (--lossy; apt-get install iptables)"
			return 1
		fi
		# The matches --lossy uses, tried in the throw-away namespace (never the root one).
		if ! lossy_rules 0.5 1 | ip netns exec "$ns" ip6tables-legacy-restore -w 2>/dev/null; then
			ip netns del "$ns"
			echo "ip6tables-legacy cannot load the --lossy rules (statistic, pkttype, ipv6header, icmp6 matches)"
			return 1
		fi
	fi
	ip netns del "$ns"
}

# MAC bytes -> modified EUI-64 interface identifier ("ba27:ebff:fe00:105").
eui64() {
	local -a b
	IFS=: read -ra b <<<"$1"
	printf '%x:%x:%x:%x' $(((0x${b[0]} ^ 2) << 8 | 0x${b[1]})) $((0x${b[2]} << 8 | 0xff)) \
		$((0xfe << 8 | 0x${b[3]})) $((0x${b[4]} << 8 | 0x${b[5]}))
}
# Deterministic "random" interface identifier for host index $1.
randiid() {
	local x=$(($1 * 2654435761 + 40503)) y=$(($1 * 1103515245 + 12345))
	printf '%x:%x:%x:%x' $(((x >> 8) & 0xfdff)) $(((x >> 24) & 0xffff)) $(((y >> 4) & 0xffff)) $(((y >> 20) & 0xffff))
}
mac_for() { # LINK(a|b) INDEX
	local k=$(($2 - 1)) b4=0x5a first
	[[ $1 == b ]] && b4=0xb0
	if ((k % 5 == 1 || k % 5 == 4)); then
		first="${PRIVATE[k % ${#PRIVATE[@]}]}:$(printf '%02x' $((k * 37 & 0xff)))"
		printf '%s:%02x:%02x:%02x:%02x' "$first" "$b4" $(($2 >> 8 & 0xff)) $(($2 & 0xff)) $((k & 0xff))
	else
		printf '%s:%02x:%02x:%02x' "${VENDORS[k % ${#VENDORS[@]}]}" "$b4" $(($2 >> 8 & 0xff)) $(($2 & 0xff))
	fi
}

# Common namespace setup: lo up, DAD off, no temporary addresses, no RAs; extra sysctls in $@.
ns_init() {
	local ns=$1
	shift
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.use_tempaddr=0 net.ipv6.conf.default.use_tempaddr=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 "$@" >/dev/null
	ip -n "$ns" link set lo up
}

# Veth "eth0"-like IFACE in NS with MAC, peer PORT on bridge br0 of switch SW; per-iface sysctls.
attach() { # NS IFACE MAC SW PORT [extra per-iface sysctl assignments]
	local ns=$1 ifc=$2 mac=$3 sw=$4 port=$5
	shift 5
	ip -n "$ns" link add "$ifc" address "$mac" type veth peer name "$port" netns "$sw"
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_dad=0" "net.ipv6.conf.$ifc.use_tempaddr=0" "$@" >/dev/null
	ip -n "$sw" link set "$port" master br0 up
	if [[ $RPS != 0 ]]; then
		ip netns exec "$ns" sh -c "echo $RPS > /sys/class/net/$ifc/queues/rx-0/rps_cpus"
	fi
	ip -n "$ns" link set "$ifc" up
}

# Host I on link L: sets up namespace and writes $DIR/L.I.meta
# ("ns link mac silent multicast_loss|- dozing cached").
setup_host() { # L I
	local l=$1 i=$2 k=$(($2 - 1)) name ns mac silent=0 ra=0 extra=() iid
	local ploss=- doze=0 cached=0 j
	name=$(hostname_of "$([[ $l == a ]] && echo h || echo b)" "$i")
	ns="v6t-$RUNID-$name"
	mac=$(mac_for "$l" "$i")
	if [[ $l == a ]]; then ((k % 4 == 3)) && silent=1; else ((k % 3 == 1)) && silent=1; fi
	# --multi: every third host of link A (k%3==2) takes SLAAC and temporary addresses from
	# the router's autonomous prefix; half of those also a manual ::1X, and every other
	# one of them ignores all echo (multicast and unicast).
	local slaac=0
	[[ $MULTI == 1 && $l == a ]] && ((k % 3 == 2)) && slaac=1
	((slaac && k % 6 == 5)) && silent=1 && extra+=(net.ipv6.icmp.echo_ignore_all=1)
	((silent)) && extra+=(net.ipv6.icmp.echo_ignore_multicast=1)
	ns_init "$ns" "${extra[@]}"
	# --lossy: the filters go in before the link is up, so no packet arrives unfiltered.
	if [[ $LOSSY == 1 && $l == a ]] && j=$(lossy_ordinal "$k"); then
		ploss=0.$((30 + 5 * (j % 5)))
		if ((j % 2 == 1 && (j - 1) / 2 < NDOZE)); then
			doze=1
			(((j - 1) / 2 < NCACHED)) && cached=1
		fi
		lossy_rules "$ploss" "$doze" | ip netns exec "$ns" ip6tables-legacy-restore -w
	fi
	[[ $l == a && $k == 0 ]] && ra=1 # h01 listens to the router (readiness check)
	if ((slaac)); then
		attach "$ns" eth0 "$mac" "v6t-$RUNID-sw$l" "$name" net.ipv6.conf.eth0.accept_ra=1 \
			net.ipv6.conf.eth0.autoconf=1 net.ipv6.conf.eth0.use_tempaddr=2 net.ipv6.conf.eth0.addr_gen_mode=0
		((k % 6 == 2)) && ip -n "$ns" addr add "$PREFIX_A::$(printf '%x' $((0x10 + i)))/64" dev eth0 nodad
		echo "$ns" >"$DIR/a.$i.slaac"
	else
		attach "$ns" eth0 "$mac" "v6t-$RUNID-sw$l" "$name" "net.ipv6.conf.eth0.accept_ra=$ra"
	fi
	if [[ $l == a ]]; then
		if ((k % 3 == 0)); then # a third get a global address, some also a ULA
			case $(((k / 3) % 4)) in
			0) iid=$(eui64 "$mac") && ip -n "$ns" addr add "$PREFIX_A:0:$iid/64" dev eth0 nodad &&
				ip -n "$ns" addr add "$PREFIX_U:0:0:$iid/64" dev eth0 nodad ;;
			1) ip -n "$ns" addr add "$PREFIX_A:0:$(randiid "$i")/64" dev eth0 nodad ;;
			2) ip -n "$ns" addr add "$PREFIX_A:0:$(eui64 "$mac")/64" dev eth0 nodad ;;
			3) ip -n "$ns" addr add "$PREFIX_A:0:$(randiid "$i")/64" dev eth0 nodad &&
				ip -n "$ns" addr add "$PREFIX_U:0:0:$(randiid $((i + 1000)))/64" dev eth0 nodad ;;
			esac
		elif ((k % 12 == 1)); then # only a prefix the scanner has no address in (from RA)
			iid=$(eui64 "$mac")
			((k % 24 == 13)) && iid=$(randiid "$i")
			ip -n "$ns" addr add "$PREFIX_R:0:$iid/64" dev eth0 nodad
			ip -n "$ns" route add "$PREFIX_A::/64" dev eth0
		fi
	fi
	# --ipv4: three of every four hosts on link A get 192.0.2.(10+i); the rest have none.
	if [[ $IPV4 == 1 && $l == a ]] && ((k % 4 != 1)); then
		ip -n "$ns" addr add "$NET4.$((10 + i))/24" dev eth0
	fi
	echo "$ns $l $mac $silent $ploss $doze $cached" >"$DIR/$l.$i.meta"
}

# --lossy: how many dozing hosts NHOSTS link-A hosts can have (every other lossy one).
max_dozing() {
	local k j n=0
	for ((k = 0; k < NHOSTS; k++)); do
		j=$(lossy_ordinal "$k") && ((j % 2 == 1)) && n=$((n + 1))
	done
	echo "$n"
}

# The scanner's planted neighbour entries, one "IFACE ADDRESS MAC" a line, in $DIR/scanner.neigh:
# two for addresses nobody has, and with --cached every address of the cached dozing hosts.
write_scanner_neigh() {
	local f ns l mac silent ploss doze cached a
	{
		echo "eth0 $STALE_LL $STALE_LL_MAC"
		echo "eth0 $STALE_GL $STALE_GL_MAC"
		for f in "$DIR"/a.*.meta; do
			[[ -e $f ]] || continue
			read -r ns l mac silent ploss doze cached <"$f"
			[[ $cached == 1 ]] || continue
			for a in $(addrs_json "$ns" eth0 | jq -r '.[]'); do echo "eth0 $a $mac"; done
		done
	} >"$DIR/scanner.neigh"
}

# Cold caches for a scan, as on a real link: every lab namespace's neighbour cache flushed,
# then the scanner's planted entries ($DIR/scanner.neigh) put back as STALE.
cold() { # RUNID
	local runid=$1 ns dev a mac dir
	check_runid "$runid"
	dir=$(tmpdir "$runid")
	[[ -r $dir/scanner.neigh ]] || die "lab $runid: no $dir/scanner.neigh (not a running lab?)"
	for ns in $(lab_namespaces "$runid"); do ip -n "$ns" neigh flush all >/dev/null 2>&1 || true; done
	while read -r dev a mac; do
		ip -n "v6t-$runid-scan" neigh replace "$a" dev "$dev" lladdr "$mac" nud stale
	done <"$dir/scanner.neigh"
}

# Run "setup_host L I" for all hosts, at most $JOBS at a time; fail if any failed.
setup_all_hosts() {
	local -a specs=() pids=()
	local i s p rc=0
	for ((i = 1; i <= NHOSTS; i++)); do specs+=("a $i"); done
	for ((i = 1; i <= NHOSTS_B; i++)); do specs+=("b $i"); done
	for s in "${specs[@]}"; do
		# shellcheck disable=SC2086
		(setup_host $s) 2>"$DIR/setup.${s/ /.}.err" &
		pids+=($!)
		if ((${#pids[@]} >= JOBS)); then
			wait "${pids[0]}" || rc=1
			pids=("${pids[@]:1}")
		fi
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	if ((rc)); then cat "$DIR"/setup.*.err >&2; die "host setup failed"; fi
}

setup_switch() { # L
	local sw="v6t-$RUNID-sw$1"
	ns_init "$sw"
	if [[ $SNOOP == 1 ]]; then
		# Managed-switch behaviour (design §5): MLD snooping with the bridge as querier.
		# The querier is enabled later (enable_queriers), once br0 has its link-local.
		ip -n "$sw" link add br0 address "$BRIDGE_MAC" type bridge mcast_snooping 1 \
			mcast_mld_version 2 mcast_startup_query_interval 100 mcast_query_response_interval 100
		# --lossy: dozing hosts drop MLD queries (hop-by-hop header) and lossy ones lose some,
		# so after the default membership interval (260 s) the bridge would forget their
		# groups and stop forwarding NS to them: results would depend on the lab's age. Keep
		# memberships for an hour, as if the phone had reported just before dozing off.
		if [[ $LOSSY == 1 ]]; then
			ip -n "$sw" link set br0 type bridge mcast_membership_interval 360000
		fi
	else
		ip -n "$sw" link add br0 address "$BRIDGE_MAC" type bridge mcast_snooping 0
		ip netns exec "$sw" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1 >/dev/null
	fi
	ip -n "$sw" link set br0 up
}

setup_scanner_and_router() {
	local scan="v6t-$RUNID-scan" rtr="v6t-$RUNID-rtr"
	ns_init "$scan"
	attach "$scan" eth0 "$SCAN_MAC_A" "v6t-$RUNID-swa" scan
	attach "$scan" eth1 "$SCAN_MAC_B" "v6t-$RUNID-swb" scan
	ip -n "$scan" addr add "$PREFIX_A::100/64" dev eth0 nodad
	ip -n "$scan" addr add "$PREFIX_U::100/64" dev eth0 nodad
	if [[ $IPV4 == 1 ]]; then
		ip -n "$scan" addr add "$NET4.100/24" dev eth0
		# A host that lost IPv6 and answers only ARP: IPv6 disabled before its link exists.
		ns_init "v6t-$RUNID-v4" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip -n "v6t-$RUNID-v4" link add eth0 address "$V4ONLY_MAC" type veth peer name v4 netns "v6t-$RUNID-swa"
		ip -n "v6t-$RUNID-swa" link set v4 master br0 up
		ip -n "v6t-$RUNID-v4" addr add "$NET4.200/24" dev eth0
		ip -n "v6t-$RUNID-v4" link set eth0 up
	fi
	if [[ $SNOOP == 1 ]]; then
		ip netns exec "v6t-$RUNID-swa" bridge link set dev scan mcast_router 2
		ip netns exec "v6t-$RUNID-swb" bridge link set dev scan mcast_router 2
	fi
	ns_init "$rtr" net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
	attach "$rtr" eth0 "$RTR_MAC" "v6t-$RUNID-swa" rtr
	ip -n "$rtr" addr add "$PREFIX_A::1/64" dev eth0 nodad
	# tests/health.rs checks every option of this advertisement in v6scout's output.
	cat >"$DIR/radvd.conf" <<-EOF
		interface eth0 {
		    AdvSendAdvert on;
		    MinRtrAdvInterval 3;
		    MaxRtrAdvInterval 4;
		    AdvDefaultLifetime 1800;
		    AdvLinkMTU 1500;
		    prefix $PREFIX_A::/64 { AdvOnLink on; AdvAutonomous off; };
		    prefix $PREFIX_R::/64 { AdvOnLink on; AdvAutonomous off; };
		    route 2001:db8:100::/48 { AdvRoutePreference high; AdvRouteLifetime 1800; };
		    RDNSS $PREFIX_A::53 { AdvRDNSSLifetime 1200; };
		    DNSSL lab.example { AdvDNSSLLifetime 1200; };
		$( ((MULTI)) && echo "    prefix $PREFIX_S::/64 { AdvOnLink on; AdvAutonomous on; };")
		};
	EOF
	ip netns exec "$rtr" radvd -n -C "$DIR/radvd.conf" -p "$DIR/radvd.pid" -m logfile -l "$DIR/radvd.log" \
		</dev/null >>"$DIR/radvd.out" 2>&1 &
}

all_lab_ns() { lab_namespaces "$RUNID"; }

# Snooping bridges flood all multicast until their querier is established: for the query
# response interval after mcast_querier is set, and for a whole query interval (125 s) if
# the startup queries fail because br0 has no link-local yet. So enable it only now.
enable_queriers() {
	local sw
	for sw in "v6t-$RUNID-swa" "v6t-$RUNID-swb"; do
		for _ in $(seq 50); do
			ip -n "$sw" -6 addr show dev br0 scope link -tentative | grep -q inet6 && break
			sleep 0.1
		done
		ip -n "$sw" link set br0 type bridge mcast_querier 1
	done
	QUERIER_SINCE=$(date +%s%N)
}

# ...and it is established one query response interval (1 s) after that.
wait_queriers() {
	local left=$((QUERIER_SINCE / 1000000 + 1500 - $(date +%s%N) / 1000000))
	((left <= 0)) || sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
}

# Wait until links are up, no address is tentative and every interface has its link-local.
wait_addresses() {
	local ns n
	for _ in $(seq 50); do
		n=0
		for ns in $(all_lab_ns); do
			# Carrier changes go through linkwatch (up to 1 s late); until then a device's
			# qdisc is noop and drops everything.
			ip -n "$ns" -o link | grep -qE 'qdisc noop|NO-CARRIER' && n=$((n + 1))
			[[ $ns == *-sw[ab] || $ns == *-v4 ]] && continue
			ip -n "$ns" -6 addr show tentative | grep -q inet6 && n=$((n + 1))
			ip -n "$ns" -6 addr show dev eth0 scope link | grep -q inet6 || n=$((n + 1))
		done
		((n == 0)) && return 0
		sleep 0.1
	done
	die "addresses still tentative/missing"
}

# With snooping: wait until each port's bridge mdb has every group its host joined.
wait_mdb() {
	local sw port ns want have missing
	for _ in $(seq 100); do
		missing=0
		for sw in swa swb; do
			have=$(ip netns exec "v6t-$RUNID-$sw" bridge -j mdb show | jq -r '.[].mdb[] | "\(.port) \(.grp)"')
			for ns in $(all_lab_ns); do
				port=${ns##*-}
				[[ $port == sw* || $port == scan ]] && continue
				[[ $sw == swa && $port == b* ]] && continue
				[[ $sw == swb && $port != b* ]] && continue
				want=$(ip -n "$ns" -j maddr show dev eth0 | jq -r '.[].maddr[] | select(.family=="inet6") | .address' |
					grep -v -E '^ff0[12]::1$' || true)
				for g in $want; do grep -qxF "$port $g" <<<"$have" || missing=$((missing + 1)); done
			done
		done
		((missing == 0)) && return 0
		sleep 0.2
	done
	die "bridge mdb incomplete ($missing groups missing)"
}

# --multi: wait until each SLAAC host has its public (EUI-64) and temporary address.
wait_slaac() {
	local f ns n
	for _ in $(seq 150); do
		n=0
		for f in "$DIR"/a.*.slaac; do
			[[ -e $f ]] || continue
			ns=$(<"$f")
			[[ $(ip -n "$ns" -6 addr show dev eth0 scope global | grep -c "inet6 $PREFIX_S:") -ge 2 ]] || n=$((n + 1))
			ip -n "$ns" -6 addr show tentative | grep -q inet6 && n=$((n + 1))
		done
		((n == 0)) && return 0
		sleep 0.1
	done
	die "SLAAC/temporary addresses missing on $n hosts"
}

wait_radvd() {
	local rtr_pid
	for _ in $(seq 50); do
		rtr_pid=$(cat "$DIR/radvd.pid" 2>/dev/null || true)
		if [[ -n $rtr_pid ]] && kill -0 "$rtr_pid" 2>/dev/null; then
			if ((NHOSTS == 0)); then sleep 0.5 && return 0; fi
			ip -n "v6t-$RUNID-h01" -6 route show proto ra | grep -q . && return 0
		fi
		sleep 0.1
	done
	cat "$DIR/radvd.log" "$DIR/radvd.out" >&2 2>/dev/null || true
	die "radvd did not start or no RA seen"
}

sanity_ping() { # IFACE ADDRESS
	ip netns exec "v6t-$RUNID-scan" ping -6 -n -q -c1 -W1 "$2%$1" >/dev/null ||
		die "sanity ping $2%$1 from scanner failed"
}

addrs_json() { # NS IFACE -> JSON array of addresses
	ip -n "$1" -j -6 addr show dev "$2" | jq -c '[.[0].addr_info[] | select(.family=="inet6") | .local]'
}
addrs4_json() { # NS IFACE -> JSON array of IPv4 addresses
	ip -n "$1" -j -4 addr show dev "$2" | jq -c '[.[0].addr_info[]? | select(.family=="inet") | .local]'
}

write_manifest() {
	local f ns l mac silent ploss doze cached scan="v6t-$RUNID-scan" iface
	{
		for f in "$DIR"/*.meta; do
			read -r ns l mac silent ploss doze cached <"$f"
			iface=eth0 && [[ $l == b ]] && iface=eth1
			jq -nc --arg ns "$ns" --arg l "$l" --arg i "$iface" --arg mac "$mac" --argjson s "$silent" \
				--argjson a "$(addrs_json "$ns" eth0)" --argjson v4 "$(addrs4_json "$ns" eth0)" \
				--arg pm "$ploss" --argjson pu "$UNICAST_LOSS" --argjson d "$doze" --argjson c "$cached" \
				'{namespace:$ns, role:"host", link:$l, scanner_iface:$i, mac:$mac, silent:($s==1), router:false, addresses:$a, ipv4:$v4,
				  loss:(if $pm == "-" then null else {multicast:($pm|tonumber), unicast:$pu} end), dozing:($d==1), cached:($c==1)}'
		done
		jq -nc --arg ns "v6t-$RUNID-rtr" --arg mac "$RTR_MAC" --argjson a "$(addrs_json "v6t-$RUNID-rtr" eth0)" \
			'{namespace:$ns, role:"router", link:"a", scanner_iface:"eth0", mac:$mac, silent:false, router:true, addresses:$a}'
		if [[ $SNOOP == 1 ]]; then # the querier bridge has a link-local and answers like a host
			for l in a b; do
				iface=eth0 && [[ $l == b ]] && iface=eth1
				jq -nc --arg ns "v6t-$RUNID-sw$l" --arg l "$l" --arg i "$iface" --arg mac "$BRIDGE_MAC" \
					--argjson a "$(addrs_json "v6t-$RUNID-sw$l" br0)" \
					'{namespace:$ns, role:"switch", link:$l, scanner_iface:$i, mac:$mac, silent:false, router:false, addresses:$a}'
			done
		fi
	} | jq -s --arg runid "$RUNID" --arg scan "$scan" --argjson snoop "$SNOOP" --argjson multi "$MULTI" --argjson lossy "$LOSSY" \
		--argjson ipv4 "$IPV4" --arg v4m "$V4ONLY_MAC" --arg v4a "$NET4.200" \
		--argjson a0 "$(addrs_json "$scan" eth0)" --argjson a1 "$(addrs_json "$scan" eth1)" \
		--arg m0 "$SCAN_MAC_A" --arg m1 "$SCAN_MAC_B" \
		--arg sl "$STALE_LL" --arg slm "$STALE_LL_MAC" --arg sg "$STALE_GL" --arg sgm "$STALE_GL_MAC" \
		'{version:1, runid:$runid, snooping:($snoop==1), lossy:($lossy==1),
		  scanner:{namespace:$scan, interfaces:[{name:"eth0", link:"a", mac:$m0, addresses:$a0},
		                                        {name:"eth1", link:"b", mac:$m1, addresses:$a1}]},
		  ra_prefixes:(["2001:db8:1::/64","2001:db8:99::/64"] + (if $multi == 1 then ["2001:db8:5::/64"] else [] end)),
		  stale:[{scanner_iface:"eth0", address:$sl, mac:$slm}, {scanner_iface:"eth0", address:$sg, mac:$sgm}],
		  ipv4_only:(if $ipv4 == 1 then [{namespace:($scan|sub("-scan$";"-v4")), scanner_iface:"eth0", mac:$v4m, ipv4:[$v4a]}] else [] end),
		  hosts:(. | sort_by(.link, .namespace))}' >"$MANIFEST"
}

create() {
	RUNID=$1
	shift
	check_runid "$RUNID"
	NHOSTS=22 NHOSTS_B=3 MANIFEST="" SNOOP=auto RPS=auto MULTI=0 IPV4=0 LOSSY=0 NDOZE=3 NCACHED=2
	while (($#)); do
		case $1 in
		--hosts) NHOSTS=$2 && shift 2 ;;
		--hosts-b) NHOSTS_B=$2 && shift 2 ;;
		--manifest) MANIFEST=$2 && shift 2 ;;
		--snooping) SNOOP=1 && shift ;;
		--no-snooping) SNOOP=0 && shift ;;
		--rps) RPS=1 && shift ;;
		--no-rps) RPS=0 && shift ;;
		--multi) MULTI=1 && shift ;;
		--ipv4) IPV4=1 && shift ;;
		--lossy) LOSSY=1 && shift ;;
		--dozing) LOSSY=1 NDOZE=$2 && shift 2 ;;
		--cached) LOSSY=1 NCACHED=$2 && shift 2 ;;
		*) die "unknown option $1" ;;
		esac
	done
	[[ $NHOSTS =~ ^[0-9]+$ && $NHOSTS_B =~ ^[0-9]+$ ]] || die "host counts must be numbers"
	if ((LOSSY)); then
		[[ $NDOZE =~ ^[0-9]+$ && $NCACHED =~ ^[0-9]+$ ]] || die "--dozing/--cached must be numbers"
		((NCACHED <= NDOZE)) || die "--cached $NCACHED exceeds --dozing $NDOZE"
		local most
		most=$(max_dozing)
		((NDOZE <= most)) || die "--dozing $NDOZE: $NHOSTS hosts allow at most $most dozing hosts"
		local why
		why=$(check --lossy) || die "--lossy: $why"
	fi
	[[ $SNOOP == auto ]] && SNOOP=$((NHOSTS >= 40 ? 1 : 0))
	[[ $RPS == auto ]] && RPS=$((NHOSTS >= 100 ? 1 : 0))
	if [[ $RPS == 1 ]]; then # spread host receive processing over all CPUs (design §5)
		local n
		n=$(nproc)
		RPS=$(printf '%x' $(((1 << (n > 31 ? 31 : n)) - 1)))
	fi
	[[ -z $(lab_namespaces "$RUNID") ]] || die "lab $RUNID already exists"
	DIR=$(tmpdir "$RUNID")
	mkdir -p "$DIR"
	JOBS=$(($(nproc) * 2 + 2))
	LAB_OK=0
	trap '[[ $LAB_OK == 1 || -n ${V6T_LAB_KEEP:-} ]] || destroy "$RUNID"' EXIT # V6T_LAB_KEEP=1: debug
	trap 'exit 130' INT TERM

	local pa pb
	setup_switch a &
	pa=$!
	setup_switch b &
	pb=$!
	wait "$pa" && wait "$pb"
	setup_scanner_and_router
	[[ $SNOOP == 1 ]] && enable_queriers
	setup_all_hosts
	wait_addresses
	if [[ $SNOOP == 1 ]]; then
		wait_mdb
		wait_queriers
	fi
	wait_radvd
	((MULTI)) && wait_slaac
	((NHOSTS > 0)) && sanity_ping eth0 "$(ip -n "v6t-$RUNID-h01" -j -6 addr show dev eth0 scope link | jq -r '[.[0].addr_info[] | select(.family=="inet6") | .local][0]')"
	((NHOSTS_B > 0)) && sanity_ping eth1 "$(ip -n "v6t-$RUNID-b01" -j -6 addr show dev eth0 scope link | jq -r '[.[0].addr_info[] | select(.family=="inet6") | .local][0]')"
	# Cold caches for the scan, then the scanner's stale entries: for addresses nobody has
	# and (--cached) for the cached dozing hosts.
	write_scanner_neigh
	cold "$RUNID"
	[[ -n $MANIFEST ]] && write_manifest
	LAB_OK=1
}

case ${1:-} in
create) (($# >= 2)) || die "usage: lab.sh create RUNID [options]"; shift; create "$@" ;;
destroy) (($# == 2)) || die "usage: lab.sh destroy RUNID"; destroy "$2" ;;
cold) (($# == 2)) || die "usage: lab.sh cold RUNID"; cold "$2" ;;
check) shift; check "$@" ;;
*) die "usage: lab.sh create RUNID [--hosts N] [--hosts-b M] [--manifest FILE] [--snooping] [--rps] [--multi] [--ipv4] [--lossy] [--dozing N] [--cached N] | cold RUNID | destroy RUNID | check [--lossy]" ;;
esac
