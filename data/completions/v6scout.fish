# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_v6scout_global_optspecs
    string join \n i/interface= L/link-local w/wait= rounds= no-early-end mld unprivileged link= no-ndp-cache no-names max-hosts= max-memory= 4/ipv4 ipv4-max-hosts= ipv4-rate= ports= services json jsonl plain table color= no-header by-host sort= v/verbose include-self include-stale inventory= no-inventory recall= prune-after= h/help V/version
end

function __fish_v6scout_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_v6scout_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_v6scout_using_subcommand
    set -l cmd (__fish_v6scout_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c v6scout -n "__fish_v6scout_needs_command" -s i -l interface -d 'Scan only this interface (repeatable). Default: every interface that is up, multicast-capable, not loopback, and has an IPv6 link-local address' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -s w -l wait -d 'Total probe window per interface (e.g. 1s, 500ms, 2.5)' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l rounds -d 'Probe rounds inside the window' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l link -d 'How a privileged scan talks to the link: `ether` sends and receives Ethernet frames itself (a packet socket and a memory-mapped ring: the scan adds nothing to the kernel\'s neighbour table, and answers the neighbour solicitations for its own addresses), `raw` goes through the kernel\'s raw ICMPv6 sockets, `auto` is ether on Ethernet interfaces and raw elsewhere. For comparing the two, or falling back' -r -f -a "auto\t'Ethernet frames on Ethernet interfaces, raw ICMPv6 sockets elsewhere'
ether\t'Ethernet frames only'
raw\t'Raw ICMPv6 sockets only'"
complete -c v6scout -n "__fish_v6scout_needs_command" -l max-hosts -d 'Flood protection for what nobody asked for, per interface (watch: also the most devices it tracks): at most N/8 (at least 8) addresses known only from their Router Advertisements, and as many only heard announcing themselves; more are dropped and counted. Hosts answering our probes are bounded by --max-memory instead' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l max-memory -d 'Memory for the hosts that answer our probes, per interface, in MiB (an address costs at most 4 KiB: the default keeps 65,536). When it is reached, every host keeps one address before any host gets a second, and a warning says how many were dropped' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l ipv4-max-hosts -d 'Largest IPv4 subnet swept, in host addresses (a /22 by default); larger ones are skipped with a warning unless raised' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l ipv4-rate -d 'ARP requests per second per interface during the sweep' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l ports -d 'Check these TCP ports on every host (e.g. 22,80) with a plain connect to its link-local address; adds at most a quarter second' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l color -d 'Colour the table: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always (even with NO_COLOR; piped output is plain unless --table is given too)'
never\t'Never'"
complete -c v6scout -n "__fish_v6scout_needs_command" -l sort -d 'With --by-host: the order of the devices on each interface' -r -f -a "vendor\t'By vendor, then MAC'
address\t'By address (link-local first)'
mac\t'By MAC'
name\t'By name; devices without one last'
last-seen\t'Confirmed now first, stale cache entries last'"
complete -c v6scout -n "__fish_v6scout_needs_command" -l inventory -d 'The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo, the invoking user\'s' -r -F
complete -c v6scout -n "__fish_v6scout_needs_command" -l recall -d 'Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h)' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -l prune-after -d 'Forget devices not seen for this long' -r
complete -c v6scout -n "__fish_v6scout_needs_command" -s L -l link-local -d 'Only link-local: probe from link-local sources and list only link-local addresses'
complete -c v6scout -n "__fish_v6scout_needs_command" -l no-early-end -d 'Keep the whole --wait window and its fixed round schedule. By default the window ends once every round is out and the link has been quiet for a period long against the longest silence an answer came after (about 0.1 s on a wired link; longer as soon as a dozing station answers late)'
complete -c v6scout -n "__fish_v6scout_needs_command" -l mld -d 'Also send an MLD query: every host reports its multicast groups, which reveal every address it has (stable, temporary, other prefixes), and hosts that ignore all echo. Opt-in: the query reaches every listener and snooping switch on the link'
complete -c v6scout -n "__fish_v6scout_needs_command" -l unprivileged -d 'Scan without privileges even when raw sockets are allowed: echo over ICMPv6 ping sockets only (the default fallback without CAP_NET_RAW). Misses hosts that ignore multicast echo, NA-confirmed MACs and routers'
complete -c v6scout -n "__fish_v6scout_needs_command" -l no-ndp-cache -d 'Do not read the kernel\'s neighbour cache (MACs then come only from the probes)'
complete -c v6scout -n "__fish_v6scout_needs_command" -l no-names -d 'Do not look up host names (mDNS reverse queries to ff02::fb, Node Information Node Name queries, reverse DNS)'
complete -c v6scout -n "__fish_v6scout_needs_command" -s 4 -l ipv4 -d 'Also sweep each interface\'s IPv4 subnet with ARP (paced, inside the probe window) to learn every host\'s IPv4 address by MAC; without it only recently confirmed ARP entries are used'
complete -c v6scout -n "__fish_v6scout_needs_command" -l services -d 'Check whether ssh answers (same as --ports 22)'
complete -c v6scout -n "__fish_v6scout_needs_command" -l json -d 'Print one JSON document (schema version 1, see README)'
complete -c v6scout -n "__fish_v6scout_needs_command" -l jsonl -d 'Print JSON Lines: one line per address as soon as it is confirmed, then a summary line (see README); for `v6scout --jsonl | jq`'
complete -c v6scout -n "__fish_v6scout_needs_command" -l plain -d 'Print one address a line in stable columns (default when stdout is not a terminal)'
complete -c v6scout -n "__fish_v6scout_needs_command" -l table -d 'Print tables (default when stdout is a terminal)'
complete -c v6scout -n "__fish_v6scout_needs_command" -l no-header -d 'With --plain: leave out the column header line'
complete -c v6scout -n "__fish_v6scout_needs_command" -l by-host -d 'One row per device per interface instead of one per address: MAC, vendor, name, the scoped link-local address (what ssh needs), then its other addresses, IPv4, open ports and marks. Table and plain output only'
complete -c v6scout -n "__fish_v6scout_needs_command" -s v -l verbose -d 'Print the summary line ("12 hosts on 2 interfaces in 0.92 s") on stderr even when stderr is not a terminal; without -v it goes there only for a person watching'
complete -c v6scout -n "__fish_v6scout_needs_command" -l include-self -d 'Also list this machine\'s own addresses, marked `self`'
complete -c v6scout -n "__fish_v6scout_needs_command" -l include-stale -d 'Also list neighbour-cache entries that nothing confirmed during the scan, marked `stale`'
complete -c v6scout -n "__fish_v6scout_needs_command" -l no-inventory -d 'Neither read nor write the inventory (as V6SCOUT_INVENTORY=off)'
complete -c v6scout -n "__fish_v6scout_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_needs_command" -s V -l version -d 'Print version'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "scan" -d 'Scan the links and list every host (the default command)'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "resolve" -d 'Find one device by MAC, MAC prefix, vendor, name or address and print its address'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "ssh" -d 'Find one device like `resolve`, then run `ssh` to its address'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "connect" -d 'Find one device like `resolve`, then relay stdin and stdout to a TCP connection to it: an ssh ProxyCommand'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "wake" -d 'Wake a sleeping device: a Wake-on-LAN magic packet to the MAC the inventory remembers, on the interface it was last seen on'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "watch" -d 'Rescan continuously; print hosts as they appear, go, or change address or MAC'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "history" -d 'List the devices seen before (the inventory), newest first, with every address'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "label" -d 'Give a remembered device a name of your own, or take it away (--remove)'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "collect" -d 'The hub: record every site\'s devices from an MQTT broker into this inventory'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "completions" -d 'Print a shell completion script (e.g. `v6scout completions bash > /etc/bash_completion.d/v6scout`)'
complete -c v6scout -n "__fish_v6scout_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -s i -l interface -d 'Scan only this interface (repeatable). Default: every interface that is up, multicast-capable, not loopback, and has an IPv6 link-local address' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -s w -l wait -d 'Total probe window per interface (e.g. 1s, 500ms, 2.5)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l rounds -d 'Probe rounds inside the window' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l link -d 'How a privileged scan talks to the link: `ether` sends and receives Ethernet frames itself (a packet socket and a memory-mapped ring: the scan adds nothing to the kernel\'s neighbour table, and answers the neighbour solicitations for its own addresses), `raw` goes through the kernel\'s raw ICMPv6 sockets, `auto` is ether on Ethernet interfaces and raw elsewhere. For comparing the two, or falling back' -r -f -a "auto\t'Ethernet frames on Ethernet interfaces, raw ICMPv6 sockets elsewhere'
ether\t'Ethernet frames only'
raw\t'Raw ICMPv6 sockets only'"
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l max-hosts -d 'Flood protection for what nobody asked for, per interface (watch: also the most devices it tracks): at most N/8 (at least 8) addresses known only from their Router Advertisements, and as many only heard announcing themselves; more are dropped and counted. Hosts answering our probes are bounded by --max-memory instead' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l max-memory -d 'Memory for the hosts that answer our probes, per interface, in MiB (an address costs at most 4 KiB: the default keeps 65,536). When it is reached, every host keeps one address before any host gets a second, and a warning says how many were dropped' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l ipv4-max-hosts -d 'Largest IPv4 subnet swept, in host addresses (a /22 by default); larger ones are skipped with a warning unless raised' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l ipv4-rate -d 'ARP requests per second per interface during the sweep' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l ports -d 'Check these TCP ports on every host (e.g. 22,80) with a plain connect to its link-local address; adds at most a quarter second' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l color -d 'Colour the table: auto (only on a terminal, never with NO_COLOR), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always (even with NO_COLOR; piped output is plain unless --table is given too)'
never\t'Never'"
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l sort -d 'With --by-host: the order of the devices on each interface' -r -f -a "vendor\t'By vendor, then MAC'
address\t'By address (link-local first)'
mac\t'By MAC'
name\t'By name; devices without one last'
last-seen\t'Confirmed now first, stale cache entries last'"
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l inventory -d 'The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo, the invoking user\'s' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l recall -d 'Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l prune-after -d 'Forget devices not seen for this long' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -s L -l link-local -d 'Only link-local: probe from link-local sources and list only link-local addresses'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l no-early-end -d 'Keep the whole --wait window and its fixed round schedule. By default the window ends once every round is out and the link has been quiet for a period long against the longest silence an answer came after (about 0.1 s on a wired link; longer as soon as a dozing station answers late)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l mld -d 'Also send an MLD query: every host reports its multicast groups, which reveal every address it has (stable, temporary, other prefixes), and hosts that ignore all echo. Opt-in: the query reaches every listener and snooping switch on the link'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l unprivileged -d 'Scan without privileges even when raw sockets are allowed: echo over ICMPv6 ping sockets only (the default fallback without CAP_NET_RAW). Misses hosts that ignore multicast echo, NA-confirmed MACs and routers'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l no-ndp-cache -d 'Do not read the kernel\'s neighbour cache (MACs then come only from the probes)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l no-names -d 'Do not look up host names (mDNS reverse queries to ff02::fb, Node Information Node Name queries, reverse DNS)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -s 4 -l ipv4 -d 'Also sweep each interface\'s IPv4 subnet with ARP (paced, inside the probe window) to learn every host\'s IPv4 address by MAC; without it only recently confirmed ARP entries are used'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l services -d 'Check whether ssh answers (same as --ports 22)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l json -d 'Print one JSON document (schema version 1, see README)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l jsonl -d 'Print JSON Lines: one line per address as soon as it is confirmed, then a summary line (see README); for `v6scout --jsonl | jq`'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l plain -d 'Print one address a line in stable columns (default when stdout is not a terminal)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l table -d 'Print tables (default when stdout is a terminal)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l no-header -d 'With --plain: leave out the column header line'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l by-host -d 'One row per device per interface instead of one per address: MAC, vendor, name, the scoped link-local address (what ssh needs), then its other addresses, IPv4, open ports and marks. Table and plain output only'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -s v -l verbose -d 'Print the summary line ("12 hosts on 2 interfaces in 0.92 s") on stderr even when stderr is not a terminal; without -v it goes there only for a person watching'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l include-self -d 'Also list this machine\'s own addresses, marked `self`'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l include-stale -d 'Also list neighbour-cache entries that nothing confirmed during the scan, marked `stale`'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -l no-inventory -d 'Neither read nor write the inventory (as V6SCOUT_INVENTORY=off)'
complete -c v6scout -n "__fish_v6scout_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -s i -l interface -d 'Scan only this interface (repeatable). Default: every usable interface' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l prefer -d 'Which of the device\'s addresses to use; the other kinds are the fallback. With several addresses, the first (in this order) where port 22 (connect: PORT) accepts a TCP connection wins' -r -f -a "link-local\t'The link-local address with its %interface (works without any router)'
global\t'A global address, else a ULA'"
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l wait-for -d 'Keep rescanning until the device appears (it is rebooting), for at most this long (e.g. 30s, 2m). A progress line goes to stderr' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -s w -l wait -d 'Probe window of each scan (e.g. 1s, 500ms)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l inventory -d 'The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo, the invoking user\'s' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l recall -d 'Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l prune-after -d 'Forget devices not seen for this long' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l all -d 'Print the address of every matching device (one a line) instead of failing with exit status 3 when several match'
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l no-early-end -d 'Keep the whole --wait window of every scan (see `v6scout scan --no-early-end`); by default a search ends as soon as the device has answered'
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l mld -d 'Also send an MLD query (as in the scan): finds addresses the device never answers from — a manual or stable SLAAC address given as QUERY — and devices that ignore all echo'
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -l no-inventory -d 'Neither read nor write the inventory (as V6SCOUT_INVENTORY=off)'
complete -c v6scout -n "__fish_v6scout_using_subcommand resolve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -s i -l interface -d 'Scan only this interface (repeatable). Default: every usable interface' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l prefer -d 'Which of the device\'s addresses to use; the other kinds are the fallback. With several addresses, the first (in this order) where port 22 (connect: PORT) accepts a TCP connection wins' -r -f -a "link-local\t'The link-local address with its %interface (works without any router)'
global\t'A global address, else a ULA'"
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l wait-for -d 'Keep rescanning until the device appears (it is rebooting), for at most this long (e.g. 30s, 2m). A progress line goes to stderr' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -s w -l wait -d 'Probe window of each scan (e.g. 1s, 500ms)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l inventory -d 'The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo, the invoking user\'s' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l recall -d 'Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l prune-after -d 'Forget devices not seen for this long' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -s v -l verbose -d 'Print the ssh command line on stderr before running it'
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l wake -d 'Wake the device first, as `v6scout wake` does (a Wake-on-LAN magic packet to the MAC the inventory remembers), then wait for it to answer (--wait-for, 2m by default) and log in'
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l no-early-end -d 'Keep the whole --wait window of every scan (see `v6scout scan --no-early-end`); by default a search ends as soon as the device has answered'
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l mld -d 'Also send an MLD query (as in the scan): finds addresses the device never answers from — a manual or stable SLAAC address given as QUERY — and devices that ignore all echo'
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -l no-inventory -d 'Neither read nor write the inventory (as V6SCOUT_INVENTORY=off)'
complete -c v6scout -n "__fish_v6scout_using_subcommand ssh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -s i -l interface -d 'Scan only this interface (repeatable). Default: every usable interface' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l prefer -d 'Which of the device\'s addresses to use; the other kinds are the fallback. With several addresses, the first (in this order) where port 22 (connect: PORT) accepts a TCP connection wins' -r -f -a "link-local\t'The link-local address with its %interface (works without any router)'
global\t'A global address, else a ULA'"
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l wait-for -d 'Keep rescanning until the device appears (it is rebooting), for at most this long (e.g. 30s, 2m). A progress line goes to stderr' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -s w -l wait -d 'Probe window of each scan (e.g. 1s, 500ms)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l inventory -d 'The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo, the invoking user\'s' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l recall -d 'Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l prune-after -d 'Forget devices not seen for this long' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l no-early-end -d 'Keep the whole --wait window of every scan (see `v6scout scan --no-early-end`); by default a search ends as soon as the device has answered'
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l mld -d 'Also send an MLD query (as in the scan): finds addresses the device never answers from — a manual or stable SLAAC address given as QUERY — and devices that ignore all echo'
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -l no-inventory -d 'Neither read nor write the inventory (as V6SCOUT_INVENTORY=off)'
complete -c v6scout -n "__fish_v6scout_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l prefer -d 'Which of the device\'s addresses to use; the other kinds are the fallback. With several addresses, the first (in this order) where port 22 (connect: PORT) accepts a TCP connection wins' -r -f -a "link-local\t'The link-local address with its %interface (works without any router)'
global\t'A global address, else a ULA'"
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l wait-for -d 'Keep rescanning until the device appears (it is rebooting), for at most this long (e.g. 30s, 2m). A progress line goes to stderr' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -s w -l wait -d 'Probe window of each scan (e.g. 1s, 500ms)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l inventory -d 'The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo, the invoking user\'s' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l recall -d 'Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l prune-after -d 'Forget devices not seen for this long' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -s i -l interface -d 'Only a device the inventory saw on this interface (repeatable). The wake and the search after it use the interface the device was last seen on' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l no-early-end -d 'Keep the whole --wait window of every scan (see `v6scout scan --no-early-end`); by default a search ends as soon as the device has answered'
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l mld -d 'Also send an MLD query (as in the scan): finds addresses the device never answers from — a manual or stable SLAAC address given as QUERY — and devices that ignore all echo'
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -l no-inventory -d 'Neither read nor write the inventory (as V6SCOUT_INVENTORY=off)'
complete -c v6scout -n "__fish_v6scout_using_subcommand wake" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -s i -l interface -d 'Scan only this interface (repeatable). Default: every interface that is up, multicast-capable, not loopback, and has an IPv6 link-local address' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -s w -l wait -d 'Total probe window per interface (e.g. 1s, 500ms, 2.5)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l rounds -d 'Probe rounds inside the window' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l link -d 'How a privileged scan talks to the link: `ether` sends and receives Ethernet frames itself (a packet socket and a memory-mapped ring: the scan adds nothing to the kernel\'s neighbour table, and answers the neighbour solicitations for its own addresses), `raw` goes through the kernel\'s raw ICMPv6 sockets, `auto` is ether on Ethernet interfaces and raw elsewhere. For comparing the two, or falling back' -r -f -a "auto\t'Ethernet frames on Ethernet interfaces, raw ICMPv6 sockets elsewhere'
ether\t'Ethernet frames only'
raw\t'Raw ICMPv6 sockets only'"
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l max-hosts -d 'Flood protection for what nobody asked for, per interface (watch: also the most devices it tracks): at most N/8 (at least 8) addresses known only from their Router Advertisements, and as many only heard announcing themselves; more are dropped and counted. Hosts answering our probes are bounded by --max-memory instead' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l max-memory -d 'Memory for the hosts that answer our probes, per interface, in MiB (an address costs at most 4 KiB: the default keeps 65,536). When it is reached, every host keeps one address before any host gets a second, and a warning says how many were dropped' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l interval -d 'Time from the start of one scan to the start of the next' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l exec -d 'Run `sh -c CMD` for each event, with the event in V6SCOUT_* environment variables (never on the command line). Commands run in the background; their output goes to stderr' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l gone-after -d 'A host (or an address of a present host) is gone after this many scans in a row without it' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l forget-after -d 'Forget a gone host after this many more scans (until then a returning host is marked as such, and a new MAC on one of its addresses is flagged)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l metrics -d 'Serve Prometheus metrics on ADDR:PORT (e.g. `[::1]:9469`, `127.0.0.1:9469`): `GET /metrics`, updated after every scan. A wildcard address (`[::]`, `0.0.0.0`) needs --metrics-public' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l notify -d 'POST each chosen event (--notify-on) to URL, repeatable: http(s)://… gets the event\'s JSON line (a webhook; --notify-format ntfy for an ntfy server), ntfy://HOST/TOPIC (ntfy+http:// without TLS) an ntfy message. Sent from a thread of its own with retries; a slow receiver never delays a scan' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l notify-format -d 'What --notify sends to http:// and https:// URLs' -r -f -a "webhook\t'The event\'s JSON line, as --jsonl prints it'
ntfy\t'An ntfy message: a short text with a title, tags and a priority'"
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l notify-on -d 'Which events to notify, a comma list: new, appeared, gone, gone-known (devices with a label), unknown (devices without one that appear or go), present, address, alert (link-health alerts, mac-changed), router, interface, all' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l notify-timeout -d 'How long one try may take, connecting included (3 tries at most)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l mqtt -d 'Publish to an MQTT broker, mqtt://[USER[:PASSWORD]@]HOST[:PORT] or mqtts://… (TLS, checked against the system\'s CAs): every device\'s state retained on v6scout/SITE/IFACE/MAC, every event on v6scout/SITE/events, `online` on v6scout/SITE/status (`offline` as the last will). From a thread of its own: a broker that is down or slow never delays a scan' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l mqtt-password-file -d 'Read the broker\'s password from FILE (its first line) rather than from the URL, where other users could see it in the process list' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l site -d 'The site\'s name in the topics (letters, digits, \'-\', \'_\'; default: the host name)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l mqtt-refresh -d 'Publish a present device\'s state again after this long even when nothing changed (so a hub\'s "last seen" stays fresh)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l inventory -d 'The device inventory (SQLite). Default: $V6SCOUT_INVENTORY, else $XDG_STATE_HOME/v6scout/inventory.sqlite3 (~/.local/state/v6scout/…); under sudo, the invoking user\'s' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l recall -d 'Solicit again the addresses the inventory saw within this long (e.g. 30d, 12h)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l prune-after -d 'Forget devices not seen for this long' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -s L -l link-local -d 'Only link-local: probe from link-local sources and list only link-local addresses'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l no-early-end -d 'Keep the whole --wait window and its fixed round schedule. By default the window ends once every round is out and the link has been quiet for a period long against the longest silence an answer came after (about 0.1 s on a wired link; longer as soon as a dozing station answers late)'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l mld -d 'Also send an MLD query: every host reports its multicast groups, which reveal every address it has (stable, temporary, other prefixes), and hosts that ignore all echo. Opt-in: the query reaches every listener and snooping switch on the link'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l unprivileged -d 'Scan without privileges even when raw sockets are allowed: echo over ICMPv6 ping sockets only (the default fallback without CAP_NET_RAW). Misses hosts that ignore multicast echo, NA-confirmed MACs and routers'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l no-ndp-cache -d 'Do not read the kernel\'s neighbour cache (MACs then come only from the probes)'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l no-names -d 'Do not look up host names (mDNS reverse queries to ff02::fb, Node Information Node Name queries, reverse DNS)'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l jsonl -d 'Print one JSON object a line per event (see README), flushed at once'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l metrics-public -d 'Allow --metrics on a wildcard address: every network the machine is on can then read the device list'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l mqtt-ha -d 'Also publish Home Assistant MQTT discovery: a device_tracker per device, `home` while it is present, its MAC in the device\'s connections'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -l no-inventory -d 'Neither read nor write the inventory (as V6SCOUT_INVENTORY=off)'
complete -c v6scout -n "__fish_v6scout_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand history" -l since -d 'Only devices seen within this long (e.g. 7d, 2h)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand history" -l site -d 'Only devices of this site, as a hub collecting several sites recorded them from that site\'s watcher (its name exactly)' -r
complete -c v6scout -n "__fish_v6scout_using_subcommand history" -l inventory -d 'The device inventory to read (default as for the scan)' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand history" -l json -d 'Print one JSON document (history schema version 1, see README)'
complete -c v6scout -n "__fish_v6scout_using_subcommand history" -l plain -d 'Print one address a line in stable columns (default when stdout is not a terminal)'
complete -c v6scout -n "__fish_v6scout_using_subcommand history" -l check -d 'Only check the file (SQLite\'s integrity check): exit 0 when it is sound'
complete -c v6scout -n "__fish_v6scout_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand label" -l inventory -d 'The device inventory (default as for the scan)' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand label" -l remove -d 'Take the device\'s label away instead'
complete -c v6scout -n "__fish_v6scout_using_subcommand label" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand collect" -l mqtt-password-file -d 'Read the broker\'s password from FILE (its first line) rather than from the URL' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand collect" -l inventory -d 'The inventory to record into (default as for the scan)' -r -F
complete -c v6scout -n "__fish_v6scout_using_subcommand collect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c v6scout -n "__fish_v6scout_using_subcommand completions" -s h -l help -d 'Print help'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "scan" -d 'Scan the links and list every host (the default command)'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "resolve" -d 'Find one device by MAC, MAC prefix, vendor, name or address and print its address'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "ssh" -d 'Find one device like `resolve`, then run `ssh` to its address'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "connect" -d 'Find one device like `resolve`, then relay stdin and stdout to a TCP connection to it: an ssh ProxyCommand'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "wake" -d 'Wake a sleeping device: a Wake-on-LAN magic packet to the MAC the inventory remembers, on the interface it was last seen on'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "watch" -d 'Rescan continuously; print hosts as they appear, go, or change address or MAC'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "history" -d 'List the devices seen before (the inventory), newest first, with every address'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "label" -d 'Give a remembered device a name of your own, or take it away (--remove)'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "collect" -d 'The hub: record every site\'s devices from an MQTT broker into this inventory'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "completions" -d 'Print a shell completion script (e.g. `v6scout completions bash > /etc/bash_completion.d/v6scout`)'
complete -c v6scout -n "__fish_v6scout_using_subcommand help; and not __fish_seen_subcommand_from scan resolve ssh connect wake watch history label collect completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
