#!/usr/bin/env python3
"""Helpers of bench/soak.sh: the forged-NDP flood and the checks against the lab's truth.

  soak.py forge --dst-mac MAC --seconds S [--rate N] [--seed N] [--iface eth0]
      Run inside a lab namespace (ip netns exec): sends unsolicited Router Advertisements
      (from a pool of RA_POOL sources per flood) and Neighbour Advertisements (a random
      source, target and MAC each; every fourth with the Router flag), all with hop limit
      255 and addressed to ff02::1 but framed to DST_MAC only, for S seconds at N frames/s.
      Every forged address is in FORGED_PREFIX, so the caller can flush exactly the
      neighbour entries the flood caused.
  soak.py presence --truth F --events F --interval S --at EPOCH
      One line "expected present missing wrong_mac" for the per-minute CSV.
  soak.py check --truth F --events F --interval S --csv F --minutes N
      The final table and verdict; exit 1 when a threshold is crossed.

The truth file (written by soak.sh) has one event a line, "EPOCH_MS KIND MAC [ADDRESS]":
KIND up/down (a device joins or leaves the link), add/del (an address), watch (the watch's
start; MAC "-"). Only devices named there are real.
"""

import argparse
import json
import random
import socket
import statistics
import struct
import sys
import time
from datetime import datetime

FORGED_PREFIX = "fe80::5eed:0:0:0/80"
RA_POOL = 64
# The slack on top of one watch interval: a veth's carrier comes up through linkwatch
# (up to 1 s) and a scan's events are stamped with the scan's start.
SLACK_S = 2.0


def checksum(src, dst, msg):
    data = src + dst + struct.pack("!I3xB", len(msg), 58) + msg
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(smac, dmac, src, dst, msg):
    msg = msg[:2] + struct.pack("!H", checksum(src, dst, msg)) + msg[4:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(msg), 58, 255) + src + dst
    return dmac + smac + b"\x86\xdd" + ip6 + msg


def forged_addr(rng):
    base = socket.inet_pton(socket.AF_INET6, FORGED_PREFIX.split("/")[0])
    return base[:10] + rng.randbytes(6)


def rand_mac(rng):
    b = bytearray(rng.randbytes(6))
    b[0] = (b[0] & 0xFC) | 0x02
    return bytes(b)


def forge(a):
    rng = random.Random(a.seed)
    dmac = bytes.fromhex(a.dst_mac.replace(":", ""))
    all_nodes = socket.inet_pton(socket.AF_INET6, "ff02::1")
    routers = [(forged_addr(rng), rand_mac(rng)) for _ in range(RA_POOL)]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((a.iface, 0))
    sent = n = 0
    start = time.monotonic()
    while time.monotonic() - start < a.seconds:
        for _ in range(max(1, a.rate // 100)):
            if n % 2 == 0:
                src, mac = routers[(n // 2) % RA_POOL]
                prefix = bytes.fromhex("20010db8f%03x0000" % rng.randrange(4096)) + bytes(8)
                ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
                ra += struct.pack("!BB6s", 1, 1, mac)
                ra += struct.pack("!BBBBIII16s", 3, 4, 64, 0x80, 86400, 14400, 0, prefix)
                f = frame(mac, dmac, src, all_nodes, ra)
            else:
                src, mac = forged_addr(rng), rand_mac(rng)
                flags = 0x60000000 | (0x80000000 if n % 8 == 1 else 0)
                na = struct.pack("!BBHI16s", 136, 0, 0, flags, src) + struct.pack("!BB6s", 2, 1, mac)
                f = frame(mac, dmac, src, all_nodes, na)
            n += 1
            try:
                s.send(f)
                sent += 1
            except OSError:
                pass
        time.sleep(0.01)
    print(f"forged {sent} frames in {time.monotonic() - start:.1f} s", file=sys.stderr)


def read_truth(path):
    """(watch start, {mac: [(t, up)]}, {address: mac})."""
    start, ups, owner = None, {}, {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 3:
                continue
            t, kind, mac = int(p[0]) / 1000, p[1], p[2].lower()
            if kind == "watch":
                start = t
            elif kind in ("up", "down"):
                ups.setdefault(mac, []).append((t, kind == "up"))
            elif kind in ("add", "del"):
                owner[p[3]] = mac
    return start, ups, owner


def epoch(rfc3339):
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def read_events(path):
    evs = []
    with open(path) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue  # a line cut by the kill at the end
            if "time" in e:
                e["t"] = epoch(e["time"])
                evs.append(e)
    return evs


def presence(evs, until):
    """{mac: [(t, present)]} from the watch's events stamped up to `until`."""
    seen = {}
    for e in evs:
        if e["t"] > until or not e.get("mac"):
            continue
        kind = e["type"]
        if kind in ("present", "appeared"):
            seen.setdefault(e["mac"].lower(), []).append((e["t"], True))
        elif kind == "gone":
            seen.setdefault(e["mac"].lower(), []).append((e["t"], False))
    return seen


def state_at(timeline, t):
    s = False
    for when, v in timeline:
        if when > t:
            break
        s = v
    return s


def up_since(timeline, t):
    """When the device's current up period began, if it is up at t."""
    since = None
    for when, up in timeline:
        if when > t:
            break
        since = when if up else None
    return since


def wrong_macs(evs, owner, until):
    bad = []
    for e in evs:
        if e["t"] > until:
            continue
        addrs = list(e.get("addresses") or [])
        if e.get("address"):
            addrs.append(e["address"])
        mac = (e.get("mac") or "").lower()
        for a in addrs:
            want = owner.get(a)
            if want and mac and mac != want and not e["type"].startswith(("rogue", "duplicate", "anycast", "proxy")):
                bad.append(f"{e['time']} {e['type']}: {a} listed with {mac}, it is {want}'s")
        if e["type"] == "mac-changed" and owner.get(e.get("address")):
            bad.append(f"{e['time']} mac-changed on {e['address']} ({e.get('previous_mac')} -> {mac})")
    return bad


def presence_cmd(a):
    start, ups, owner = read_truth(a.truth)
    evs = read_events(a.events)
    # Only scans that have surely reported: the ones started an interval ago or earlier.
    at = a.at - a.interval
    seen = presence(evs, at)
    expected = present = missing = 0
    for mac, tl in ups.items():
        since = up_since(tl, a.at)
        if since is None or max(since, start or since) > at - a.interval - SLACK_S:
            continue
        expected += 1
        if state_at(seen.get(mac, []), at):
            present += 1
        else:
            missing += 1
    print(expected, present, missing, len(wrong_macs(evs, owner, a.at)))


def misses(ups, seen, start, end, interval):
    """Every time a real device was missing for more than one interval after it came up."""
    out = []
    for mac, tl in ups.items():
        w = seen.get(mac, [])
        periods, since = [], None
        for t, up in tl + [(end, False)]:
            if up and since is None:
                since = t
            elif not up and since is not None:
                periods.append((max(since, start), t))
                since = None
        for u, d in periods:
            due = u + interval + SLACK_S
            if d <= due:
                continue
            if not state_at(w, due):
                first = next((t for t, p in w if p and t > due), None)
                late = f"appeared {first - u:.0f} s after it came up" if first and first < d else "never appeared"
                out.append(f"{mac}: up at +{u - start:.0f} s, {late}")
            for t, p in w:
                # A gone at t means the scans at t - interval and t missed it; both started
                # after it was up, so it was missing for a whole interval.
                if not p and due <= t < d:
                    out.append(f"{mac}: gone at +{t - start:.0f} s while up since +{u - start:.0f} s")
    return out


def quarters(v):
    n = len(v)
    q2 = v[n // 4 : max(n // 2, n // 4 + 1)]
    q4 = v[(3 * n) // 4 :] or v[-1:]
    return statistics.median(q2), statistics.median(q4)


# column: (label, unit divisor, relative margin, absolute margin, ceiling), in CSV units.
LIMITS = {
    "rss_kib": ("RSS (MiB)", 1024, 0.25, 2048, 64 * 1024),
    "fds": ("open descriptors", 1, 0.0, 4, 128),
    "threads": ("threads", 1, 0.0, 4, 64),
    "inventory_bytes": ("inventory + WAL (KiB)", 1024, 0.5, 1024 * 1024, 64 * 1024 * 1024),
    "scrape_max_ms": ("scrape latency, max of the minute (ms)", 1, 1.0, 50, 2000),
}


def inventory_counts(path, ups):
    """(devices, devices that are no real device, addresses) in the inventory file."""
    import sqlite3

    try:
        c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        macs = [bytes(m).hex(":") for (m,) in c.execute("SELECT mac FROM device")]
        addrs = c.execute("SELECT count(*) FROM address").fetchone()[0]
        return len(macs), sum(1 for m in macs if m not in ups), addrs
    except sqlite3.Error as e:
        return f"? ({e})", "?", "?"


def check(a):
    start, ups, owner = read_truth(a.truth)
    evs = read_events(a.events)
    with open(a.csv) as f:
        header = f.readline().strip().split(",")
        rows = [dict(zip(header, l.strip().split(","))) for l in f if l.strip()]
    fails = []
    print(f"\nsoak: {len(rows)} minutes, watch interval {a.interval:g} s, {len(evs)} events\n")
    print("| metric | start | end | max | 2nd-quarter median | last-quarter median | limit (growth / ceiling) | |")
    print("|---|---|---|---|---|---|---|---|")
    for col, (label, div, rel, ab, ceil) in LIMITS.items():
        v = [float(r[col]) for r in rows if r.get(col) not in (None, "", "-")]
        if not v:
            fails.append(f"{label}: no samples")
            continue
        q2, q4 = quarters(v)
        grow = q2 * (1 + rel) + ab
        ok = q4 <= grow and max(v) <= ceil
        if q4 > grow:
            fails.append(f"{label} grows: last quarter's median {q4 / div:g} > {grow / div:g}")
        if max(v) > ceil:
            fails.append(f"{label}: max {max(v) / div:g} above the ceiling {ceil / div:g}")
        f = lambda x: f"{x / div:.1f}" if div > 1 else f"{x:g}"
        print(f"| {label} | {f(v[0])} | {f(v[-1])} | {f(max(v))} | {f(q2)} | {f(q4)} "
              f"| {f(grow)} / {f(ceil)} | {'ok' if ok else 'FAIL'} |")
    failed_scrapes = sum(int(r.get("scrape_failures") or 0) for r in rows)
    if failed_scrapes:
        fails.append(f"{failed_scrapes} scrapes of /metrics failed")
    end = max(int(r["epoch"]) for r in rows) if rows else time.time()
    miss = misses(ups, presence(evs, end), start, end, a.interval)
    bad = wrong_macs(evs, owner, end)
    fails += [f"missing: {m}" for m in miss] + [f"wrong MAC: {b}" for b in bad]
    flooded = sum(1 for e in evs if e.get("mac") and e["mac"].lower() not in ups and e["type"] in ("appeared", "present"))
    print(f"\nreal devices: {len(ups)}, up periods checked against the events; "
          f"forged devices reported appearing: {flooded}; failed scrapes: {failed_scrapes}")
    print(f"missing beyond one interval: {len(miss)}; wrong MAC: {len(bad)}")
    if a.inventory:
        inv = inventory_counts(a.inventory, ups)
        print(f"inventory: {inv[0]} devices ({inv[1]} of them not real), {inv[2]} addresses")
    for m in fails:
        print(f"FAIL {m}")
    print("verdict:", "FAIL" if fails else "PASS")
    return 1 if fails else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("forge")
    f.add_argument("--dst-mac", required=True)
    f.add_argument("--seconds", type=float, default=20)
    f.add_argument("--rate", type=int, default=1000)
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--iface", default="eth0")
    for name in ("presence", "check"):
        c = sub.add_parser(name)
        c.add_argument("--truth", required=True)
        c.add_argument("--events", required=True)
        c.add_argument("--interval", type=float, required=True)
        c.add_argument("--at", type=float, default=time.time())
        c.add_argument("--csv")
        c.add_argument("--inventory")
    a = p.parse_args()
    if a.cmd == "forge":
        forge(a)
    elif a.cmd == "presence":
        presence_cmd(a)
    else:
        sys.exit(check(a))


if __name__ == "__main__":
    main()
