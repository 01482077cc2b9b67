#!/usr/bin/env python3
"""Regenerate data/oui.tsv, the OUI vendor table that build.rs compiles into v6scout.

Output: a `#` comment header (snapshot date, where each part came from, licences),
then one line per IEEE assignment, `HEXPREFIX<TAB>Organization`, sorted by prefix:
6 hex digits for MA-L (24 bits), 7 for MA-M (28 bits), 9 for MA-S and IAB (36 bits).
Names are kept exactly as registered (full UTF-8); only surrounding whitespace is
trimmed, and a tab or line break inside a name (none today) becomes one space.

Sources (pick one way):

1. The IEEE registry itself (needs internet; the default when no input is given):
     https://standards-oui.ieee.org/oui/oui.csv        MA-L
     https://standards-oui.ieee.org/oui28/mam.csv      MA-M
     https://standards-oui.ieee.org/oui36/oui36.csv    MA-S
     https://standards-oui.ieee.org/iab/iab.csv        IAB (closed registry, frozen)
   python3 data/update-oui.py

2. Local copies of those files (IEEE .csv, or the IEEE .txt layout; detected by content):
   python3 data/update-oui.py --ma-l oui.csv --ma-m mam.csv --ma-s oui36.csv --iab iab.csv

3. A registry snapshot packaged for npm: `oui-data` (BSD-2-Clause; MA-L, MA-M and MA-S,
   no IAB). PATH is the packed .tgz, the unpacked package dir or its index.json. The IAB
   part then comes from `--iab`, which also accepts a netaddr wheel (PyPI `netaddr`,
   BSD-3-Clause; it ships the IEEE iab.txt unmodified). How today's file was built:
     npm pack oui-data@2.1.9
     pip download --no-deps netaddr==1.3.0
     python3 data/update-oui.py --oui-data oui-data-2.1.9.tgz \\
         --iab netaddr-1.3.0-py3-none-any.whl --date 2026-08-26 \\
         --note "snapshot = publish date of oui-data 2.1.9 (2026-08-26T15:07Z)" \\
         --note "IAB registry closed to new assignments, so netaddr's copy is complete"

--date sets the snapshot date written to the header (default: today, UTC). The output is
deterministic: the same inputs and date give the same bytes. Stdlib only.
"""

import argparse
import csv
import datetime
import io
import json
import os
import re
import sys
import tarfile
import urllib.request
import zipfile

IEEE = {
    "MA-L": "https://standards-oui.ieee.org/oui/oui.csv",
    "MA-M": "https://standards-oui.ieee.org/oui28/mam.csv",
    "MA-S": "https://standards-oui.ieee.org/oui36/oui36.csv",
    "IAB": "https://standards-oui.ieee.org/iab/iab.csv",
}
DIGITS = {"MA-L": 6, "MA-M": 7, "MA-S": 9, "IAB": 9}
HEX = re.compile(r"^[0-9A-F]+$")


def die(msg):
    sys.exit(f"update-oui: {msg}")


def clean_name(name):
    return re.sub(r"[\t\r\n]+", " ", name).strip()


def parse_csv(text, kind):
    """IEEE registry CSV: Registry,Assignment,Organization Name,Organization Address."""
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        out.append((row["Assignment"].strip().upper(), row["Organization Name"]))
    return out


# IEEE .txt layout: "XX-XX-XX   (hex)   Name" then, for MA-M / MA-S / IAB,
# "XXXXXX-XXXXXX   (base 16)   Name" giving the sub-range of the 24-bit block.
TXT_HEX = re.compile(r"^([0-9A-Fa-f]{2})-([0-9A-Fa-f]{2})-([0-9A-Fa-f]{2})\s+\(hex\)\s*(.*)$")
TXT_B16 = re.compile(r"^([0-9A-Fa-f]{6})(?:-([0-9A-Fa-f]{6}))?\s+\(base 16\)")


def parse_txt(text, kind):
    out, pending = [], None
    for line in text.splitlines():
        m = TXT_HEX.match(line)
        if m:
            pending = ("".join(m.group(1, 2, 3)).upper(), m.group(4))
            continue
        m = TXT_B16.match(line)
        if m and pending:
            base, name = pending
            pending = None
            extra = DIGITS[kind] - 6
            if extra:
                lo = m.group(1).upper()
                if not m.group(2) or lo[extra:] != "0" * (6 - extra):
                    die(f"{kind}: unexpected range line {line!r}")
                base += lo[:extra]
            out.append((base, name))
    return out


def parse_registry(text, kind):
    text = text.lstrip("\ufeff")
    rows = parse_csv(text, kind) if text.startswith("Registry,") else parse_txt(text, kind)
    if not rows:
        die(f"{kind}: no assignments found")
    return rows


def read_iab_source(path):
    """Text of an IEEE IAB file, or of netaddr/eui/iab.txt inside a netaddr wheel."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
            fields = dict(
                line.split(": ", 1) for line in z.read(meta).decode().splitlines()
                if ": " in line and not line.startswith(" ")
            )
            lic = fields.get("License-Expression") or fields.get("License", "?")
            if lic == "BSD License":
                lic = "BSD-3-Clause"  # netaddr's LICENSE.rst is the 3-clause text
            desc = f"PyPI {fields['Name']} {fields['Version']} ({lic}), netaddr/eui/iab.txt"
            return z.read("netaddr/eui/iab.txt").decode("utf-8"), desc
    return read_text(path), f"file {os.path.basename(path)}"


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_oui_data(path):
    """(rows by kind, description) from the npm oui-data package (.tgz, dir or index.json)."""
    pkg = None
    if os.path.isdir(path):
        index = read_text(os.path.join(path, "index.json"))
        pj = os.path.join(path, "package.json")
        pkg = json.loads(read_text(pj)) if os.path.exists(pj) else None
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            index = t.extractfile("package/index.json").read().decode("utf-8")
            pkg = json.loads(t.extractfile("package/package.json").read().decode("utf-8"))
    else:
        index = read_text(path)
    rows = {"MA-L": [], "MA-M": [], "MA-S": []}
    kinds = {6: "MA-L", 7: "MA-M", 9: "MA-S"}
    for prefix, value in json.loads(index).items():
        kind = kinds.get(len(prefix))
        if kind is None:
            die(f"oui-data: unexpected key {prefix!r}")
        # Value: organization name, then the address lines.
        rows[kind].append((prefix.upper(), value.split("\n", 1)[0]))
    desc = "npm oui-data"
    if pkg:
        desc = f"npm {pkg['name']} {pkg['version']} ({pkg.get('license', '?')})"
    return rows, desc


def fetch(url):
    req = urllib.request.Request(url, headers={"User-Agent": "v6scout-update-oui/1"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read().decode("utf-8")


def merge(parts):
    """parts: list of (kind, rows). Returns sorted [(prefix, name)], checked."""
    table = {}
    for kind, rows in parts:
        for prefix, name in rows:
            if len(prefix) != DIGITS[kind] or not HEX.match(prefix):
                die(f"{kind}: bad prefix {prefix!r}")
            name = clean_name(name)
            if not name:
                die(f"{kind}: empty organization for {prefix}")
            if prefix in table and table[prefix] != name:
                die(f"{prefix} assigned twice: {table[prefix]!r} and {name!r}")
            table[prefix] = name
    return sorted(table.items())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--ma-l", metavar="FILE", help="IEEE MA-L oui.csv (or oui.txt)")
    ap.add_argument("--ma-m", metavar="FILE", help="IEEE MA-M mam.csv (or mam.txt)")
    ap.add_argument("--ma-s", metavar="FILE", help="IEEE MA-S oui36.csv (or oui36.txt)")
    ap.add_argument("--iab", metavar="FILE", help="IEEE iab.csv / iab.txt, or a netaddr wheel")
    ap.add_argument("--oui-data", metavar="PATH", help="npm oui-data .tgz, dir or index.json")
    ap.add_argument("--date", help="snapshot date for the header (YYYY-MM-DD; default today)")
    ap.add_argument("--note", action="append", default=[], help="extra header line (repeatable)")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("-o", "--output", default=os.path.join(here, "oui.tsv"),
                    help="output file, '-' for stdout (default: oui.tsv beside this script)")
    a = ap.parse_args()

    date = a.date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        die("--date must be YYYY-MM-DD")
    parts, sources = [], []
    local = {"MA-L": a.ma_l, "MA-M": a.ma_m, "MA-S": a.ma_s}
    if a.oui_data:
        if any(local.values()):
            die("--oui-data replaces --ma-l/--ma-m/--ma-s; give one or the other")
        rows, desc = load_oui_data(a.oui_data)
        parts += rows.items()
        sources.append(f"MA-L, MA-M, MA-S: {desc}")
    elif any(local.values()):
        for kind, path in local.items():
            if not path:
                die(f"missing {kind} file (give --ma-l, --ma-m and --ma-s together)")
            parts.append((kind, parse_registry(read_text(path), kind)))
            sources.append(f"{kind}: file {os.path.basename(path)}")
    if a.iab:
        text, desc = read_iab_source(a.iab)
        parts.append(("IAB", parse_registry(text, "IAB")))
        sources.append(f"IAB: {desc}")
    if not parts:
        for kind, url in IEEE.items():
            print(f"fetching {url}", file=sys.stderr)
            parts.append((kind, parse_registry(fetch(url), kind)))
            sources.append(f"{kind}: {url}")
    elif not a.iab:
        die("no IAB source: add --iab (IEEE iab.csv, or a netaddr wheel)")

    table = merge(parts)
    counts = {}
    for kind, rows in parts:
        counts[kind] = counts.get(kind, 0) + len({p for p, _ in rows})
    lines = [
        "# v6scout OUI table: IEEE Registration Authority MAC assignments.",
        "# Generated by data/update-oui.py; edit that, not this file.",
        f"# snapshot: {date}",
    ]
    lines += [f"# source: {s}" for s in sources]
    lines += [f"# note: {n}" for n in a.note]
    lines += [
        "# IEEE registry data; package licences as named above.",
        "# counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f", total {len(table)}",
        "# format: HEXPREFIX<TAB>Organization (6/7/9 hex digits = MA-L/MA-M/MA-S or IAB)",
    ]
    lines += [f"{p}\t{n}" for p, n in table]
    out = "\n".join(lines) + "\n"
    if a.output == "-":
        sys.stdout.write(out)
    else:
        with open(a.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(out)
        print(f"wrote {a.output}: {len(table)} entries ({counts})", file=sys.stderr)


if __name__ == "__main__":
    main()
