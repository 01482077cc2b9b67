#!/usr/bin/env bash
# Installs what the lab tests and the demo need on Debian/Ubuntu, only what is missing.
# (Root needed; does nothing when everything is present.)
set -euo pipefail
declare -A pkg_for=(
	[ip]=iproute2 [bridge]=iproute2 [radvd]=radvd [jq]=jq [ping]=iputils-ping
	[sysctl]=procps [setpriv]=util-linux [flock]=util-linux [ss]=iproute2
	[avahi-daemon]=avahi-daemon [unshare]=util-linux
	[sshd]=openssh-server [ssh]=openssh-client [ssh-keygen]=openssh-client
	[strace]=strace # bench/run.sh
	[python3]=python3 # bench/farm_fps.sh forges its probe frame
	[prometheus]=prometheus [promtool]=prometheus [curl]=curl # tests/metrics.rs
	[ip6tables-legacy]=iptables # lab.sh create --lossy (packet loss and doze filters in host namespaces)
	# tests/deb.rs, tests/deb_service.rs: the Debian package (cargo-deb's dependency list
	# comes from dpkg-shlibdeps) and its unit (systemd-analyze verify reads the man page).
	[dpkg-deb]=dpkg [dpkg-shlibdeps]=dpkg-dev [systemd-analyze]=systemd [man]=man-db
	[openssl]=openssl [socat]=socat # tests/notify.rs: a test CA, and TLS in front of a test receiver
	# tests/common/broker.rs: a real MQTT broker in a lab namespace, and its clients.
	[mosquitto]=mosquitto [mosquitto_passwd]=mosquitto
	[mosquitto_sub]=mosquitto-clients [mosquitto_pub]=mosquitto-clients
)
# tests/stacks.rs (tests/common/smol.rs) also makes tap devices with `ip tuntap` (iproute2,
# above) and needs the kernel's tun driver, which no package installs: checked at the end.
missing=()
for cmd in "${!pkg_for[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 ||
		missing+=("${pkg_for[$cmd]}")
done
[[ -x /usr/bin/time ]] || missing+=(time) # GNU time for bench/run.sh (`time` is also a shell keyword)
if ((${#missing[@]})); then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	echo "installing: ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Packages such as avahi-daemon, openssh-server and mosquitto start their service on
	# install; in the root namespace avahi would announce itself on the real network and
	# mosquitto would listen on port 1883. Tests run them in lab namespaces only, so forbid
	# starting any service while installing (invoke-rc.d and deb-systemd-invoke obey this).
	policy=/usr/sbin/policy-rc.d
	own_policy=0
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
	fi
	trap '[[ $own_policy == 1 ]] && rm -f "$policy"' EXIT
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# cargo-deb builds the package tests/deb.rs checks. 3.8.0 declares rust-version 1.85, as
# we do; a release build of it takes about a minute and a half of the two cores.
if ! cargo deb --version >/dev/null 2>&1; then
	if command -v cargo >/dev/null 2>&1; then
		echo "installing: cargo-deb" >&2
		cargo install --quiet --locked cargo-deb --version 3.8.0
	else
		echo "deps.sh: warning: no cargo on PATH, so no cargo-deb; tests/deb.rs needs it" >&2
	fi
fi
if [[ ! -c /dev/net/tun ]]; then
	# A warning only: the other tests do not need it, and tests/stacks.rs says so itself.
	echo "deps.sh: warning: /dev/net/tun missing; the smoltcp lab hosts (tests/stacks.rs) need the tun driver" >&2
fi
