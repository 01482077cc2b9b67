#!/usr/bin/env bash
# What `watch --mqtt` costs and how fast a device reaches the hub, on a lab link of N hosts
# (default 150): a mosquitto broker (password file, loopback only) in the scanner's
# namespace, a subscriber timing every message, `collect` recording into a temp inventory,
# and `watch -i eth0 --mqtt … --mqtt-ha --interval I` (default 5s).
#   sudo bench/mqtt.sh [HOSTS] [INTERVAL] [ROUNDS] [PLUGS]
# Prints the messages and bytes of the first round and of each later round, by kind, and
# for PLUGS (default 5) hosts plugged into the link one by one (each at a random point of
# a round), the time from their link coming up to the retained state at the broker and to
# the row in the hub's inventory (polled every 20 ms).
# Needs root, mosquitto and a built target/debug/v6scout (V6SCOUT_BIN to override); takes
# the machine-wide lab lock; everything it made (namespaces v6t-<runid>-*, the broker,
# the temp dir) goes on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"
hosts=${1:-150} interval=${2:-5s} rounds=${3:-6} plugs=${4:-5}
bin=$(realpath "${V6SCOUT_BIN:-target/debug/v6scout}")
runid="${V6SCOUT_LAB_TAG:-bench}_q$$"
dir=$(mktemp -d "/tmp/v6t-$runid-XXXX")
exec 9>/tmp/v6scout-lab.lock
flock 9
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	for k in $(seq "$plugs"); do ip netns del "v6t-$runid-p$k" 2>/dev/null || true; done
	bash tests/lab/lab.sh destroy "$runid"
	rm -rf "$dir"
}
trap cleanup EXIT
bash tests/lab/lab.sh create "$runid" --hosts "$hosts" --hosts-b 0 --manifest "$dir/manifest" >/dev/null 9>&-
ns=$(jq -r .scanner.namespace "$dir/manifest")
ip -n "$ns" link set lo up
pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
mosquitto_passwd -b -c "$dir/passwd" v6scout "$pw" 2>/dev/null
printf '%s\n' "$pw" >"$dir/pw"
printf 'user root\nlistener 1883 127.0.0.1\nallow_anonymous false\npassword_file %s\npersistence false\nmax_packet_size 65536\n' \
	"$dir/passwd" >"$dir/mosquitto.conf"
ip netns exec "$ns" mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ip netns exec "$ns" ss -ltn | grep -q 127.0.0.1:1883 && break; sleep 0.1; done
url=mqtt://v6scout@127.0.0.1
# %U: receive time (s.ns), %l: payload bytes, %t: topic.
ip netns exec "$ns" mosquitto_sub -h 127.0.0.1 -u v6scout -P "$pw" -q 1 -t 'v6scout/#' -t 'homeassistant/#' \
	-F '%U %l %t' >"$dir/sub" 2>/dev/null &
pids+=($!)
V6SCOUT_INVENTORY=off ip netns exec "$ns" "$bin" collect "$url" --mqtt-password-file "$dir/pw" \
	--inventory "$dir/hub.sqlite3" >"$dir/hub.out" 2>"$dir/hub.err" &
hubpid=$!
pids+=($hubpid)
sleep 0.5
start=$(date +%s.%N)
V6SCOUT_INVENTORY=off ip netns exec "$ns" "$bin" watch -i eth0 --jsonl --interval "$interval" --site bench \
	--mqtt "$url" --mqtt-password-file "$dir/pw" --mqtt-ha >"$dir/watch.jsonl" 2>"$dir/watch.err" &
pids+=($!)
secs=${interval%s}
sleep "$(echo "$secs * $rounds" | bc)"
# Rounds: the first from the start, the later ones each an interval long.
awk -v s="$start" -v i="$secs" -v n="$rounds" '
	function kind(t) { return t ~ /^homeassistant/ ? "ha-config" : t ~ /\/events$/ ? "event" : t ~ /\/status$/ ? "status" : "state" }
	{ r = int(($1 - s) / i); if (r >= n) next; k = kind($3); m[r, k]++; b[r, k] += $2; seen[k] = 1 }
	END {
		for (k in seen) {
			printf "first round  %-9s %5d messages %8d bytes (mean %d)\n", k, m[0, k], b[0, k], m[0, k] ? b[0, k] / m[0, k] : 0
			tm = 0; tb = 0; for (r = 1; r < n; r++) { tm += m[r, k]; tb += b[r, k] }
			printf "later rounds %-9s %7.1f messages %8.0f bytes per round (%d rounds)\n", k, tm / (n - 1), tb / (n - 1), n - 1
		}
	}' "$dir/sub" | sort
echo "devices published: $(grep -c '^[0-9.]* [1-9][0-9]* v6scout/bench/eth0/' "$dir/sub" | head -1) state messages in all; $(jq -r 'select(.type=="present") | .mac' "$dir/watch.jsonl" | wc -l) present"
sw="v6t-$runid-swa"
for k in $(seq "$plugs"); do
	mac=$(printf '02:00:5e:20:00:%02x' "$k") h="v6t-$runid-p$k"
	ip netns add "$h"
	ip netns exec "$h" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$h" link add eth0 address "$mac" type veth peer name "p$k" netns "$sw"
	ip -n "$sw" link set "p$k" master br0 up
	# At a random point of the round, not right after the last plug was published.
	sleep "$(awk -v k="$k" -v p=$$ -v i="$secs" 'BEGIN { srand(k * 7919 + p); print rand() * i }')"
	t0=$(date +%s.%N)
	ip -n "$h" link set eth0 up
	hub=""
	for _ in $(seq 600); do
		if ip netns exec "$ns" "$bin" history --json --inventory "$dir/hub.sqlite3" 2>/dev/null | grep -q "\"$mac\""; then
			hub=$(date +%s.%N)
			break
		fi
		sleep 0.02
	done
	sub=$(awk -v m="v6scout/bench/eth0/$mac" '$3 == m && $2 > 0 { print $1; exit }' "$dir/sub")
	awk -v t0="$t0" -v s="${sub:-0}" -v h="${hub:-0}" -v mac="$mac" 'BEGIN {
		printf "plug %s: link up -> retained state at the broker %s s, -> row at the hub %s s\n", mac,
			(s > 0 ? sprintf("%.2f", s - t0) : "never"), (h > 0 ? sprintf("%.2f", h - t0) : "never") }'
done
kill -TERM "$hubpid" && wait "$hubpid" || true
echo "hub: $(tr '\n' ' ' <"$dir/hub.out")"
grep -v '^v6scout: collecting' "$dir/hub.err" || true
