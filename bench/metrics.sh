#!/usr/bin/env bash
# What a scrape of `watch --metrics` costs on a lab link of N hosts (default 40): size of
# /metrics, curl's time per scrape (200 in a row, while the watch scans every second) and
# the watch's resident memory. Needs root and a built target/debug/v6scout; takes the
# machine-wide lab lock; the lab (namespaces v6t-<runid>-*) is destroyed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-40}
bin=${V6SCOUT_BIN:-target/debug/v6scout}
runid="${V6SCOUT_LAB_TAG:-bench}_m$$"
manifest=$(mktemp)
exec 9>/tmp/v6scout-lab.lock
flock 9
wpid=
cleanup() {
	[[ -n $wpid ]] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	bash tests/lab/lab.sh destroy "$runid"
	rm -f "$manifest"
}
trap cleanup EXIT
bash tests/lab/lab.sh create "$runid" --hosts "$hosts" --hosts-b 0 --manifest "$manifest" >/dev/null 9>&-
ns=$(jq -r .scanner.namespace "$manifest")
V6SCOUT_INVENTORY=off ip netns exec "$ns" "$bin" watch -i eth0 --no-names --interval 1s \
	--metrics 127.0.0.1:9469 >/dev/null 2>&1 &
wpid=$!
scrape() { ip netns exec "$ns" curl -sf --max-time 5 "$@" http://127.0.0.1:9469/metrics; }
for _ in $(seq 100); do
	scrape | grep -q '^v6scout_scans_total [3-9]' && break
	sleep 0.3
done
text=$(scrape)
echo "devices on the lab link: $(jq '[.hosts[] | select(.scanner_iface == "eth0")] | length' "$manifest"); $(grep '^v6scout_hosts{' <<<"$text")"
echo "/metrics: $(wc -c <<<"$text") bytes, $(grep -c '^v6scout_device_up{' <<<"$text") up series"
# One curl per scrape in the namespace: the time is curl's own (connect to last byte).
ip netns exec "$ns" bash -c 'for _ in $(seq 200); do
	curl -so /dev/null -w "%{time_total}\n" http://127.0.0.1:9469/metrics; done' |
	sort -n | awk '{t[NR]=$1} END {printf "scrape time: median %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)\n",
		t[int(NR/2)]*1000, t[int(NR*0.99)]*1000, t[NR]*1000, NR}'
echo "watch RSS: $(awk '/VmRSS/ {print $2, $3}' "/proc/$wpid/status")"
