#!/usr/bin/env bash
# Records the mDNS and ARP seeds of the fuzz corpus from real Linux peers, in two throwaway
# namespaces (v6t-cap<pid>-a, -b) joined by a veth pair; removes them on exit. Needs root,
# avahi-daemon and python3. The ICMPv6 and MLD seeds were captured the same way (see
# src/probe/packet_tests.rs). Usage: sudo tests/corpus/capture.sh
set -euo pipefail
cd "$(dirname "$0")"
A="v6t-cap$$-a" B="v6t-cap$$-b" TMP=$(mktemp -d)
cleanup() {
	ip netns pids "$B" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$A"
ip netns add "$B"
ip -n "$A" link add eth0 address 02:00:00:ca:00:01 type veth peer name eth0 netns "$B"
ip -n "$B" link set eth0 address b8:27:eb:ca:00:02
for ns in "$A" "$B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.eth0.accept_dad=0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done
ip -n "$A" addr add 192.0.2.1/24 dev eth0
ip -n "$B" addr add 192.0.2.2/24 dev eth0

# avahi in B answers reverse PTR queries for its link-local address.
mkdir -p "$TMP/run/avahi-daemon"
printf '[server]\nhost-name=corpus-pi\nuse-ipv4=no\nuse-ipv6=yes\nallow-interfaces=eth0\nenable-dbus=no\n[wide-area]\nenable-wide-area=no\n[publish]\npublish-hinfo=no\npublish-workstation=no\n' >"$TMP/avahi.conf"
ip netns exec "$B" unshare -m sh -c "mount --bind $TMP/run /run && exec avahi-daemon -f $TMP/avahi.conf \
	--no-drop-root --no-chroot --no-rlimits --no-proc-title" >"$TMP/avahi.log" 2>&1 &
for _ in $(seq 100); do grep -q 'Server startup complete' "$TMP/avahi.log" && break; sleep 0.1; done
grep -q 'Server startup complete' "$TMP/avahi.log" || { cat "$TMP/avahi.log" >&2; exit 1; }
B_LL=$(ip -n "$B" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1)

ip netns exec "$A" python3 - "$B_LL" <<'EOF'
import ipaddress, socket, struct, sys, time

b_ll = sys.argv[1]
# ARP: the reply to a broadcast request, as an AF_PACKET socket sees it (Ethernet frame).
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind(("eth0", 0))
mac = s.getsockname()[4]
req = b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) \
    + mac + socket.inet_aton("192.0.2.1") + b"\x00" * 6 + socket.inet_aton("192.0.2.2")
s.settimeout(2)
s.send(req)
while True:
    f = s.recv(2048)
    if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02":
        open("arp/linux_reply.bin", "wb").write(f)
        break

# mDNS: the PTR query v6scout sends (src/names/dns.rs ptr_query), answered by avahi.
labels = [f"{n:x}" for byte in reversed(ipaddress.IPv6Address(b_ll).packed)
          for n in (byte & 0xf, byte >> 4)] + ["ip6", "arpa"]
q = struct.pack("!HHHHHH", 0x7a7a, 0, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in labels) + b"\x00" + struct.pack("!HH", 12, 0x8001)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.settimeout(3)
u.sendto(q, ("ff02::fb", 5353, 0, socket.if_nametoindex("eth0")))
data, _ = u.recvfrom(9000)
open("mdns/avahi_ptr_answer.bin", "wb").write(data)
EOF
ls -l arp mdns
