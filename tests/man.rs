//! man/v6scout.1 is generated from the clap definition and checked in; this test fails
//! when it is out of date. Regenerate with `V6SCOUT_BLESS=1 cargo test --test man`.
#![allow(clippy::unwrap_used)]

use clap::CommandFactory;
use std::io::Write;

const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
At least one host answered (\fBwatch\fR: stopped by Ctrl-C or SIGTERM).
.TP
\fB1\fR
No host answered.
.TP
\fB2\fR
An error: bad usage, an unknown interface, missing privileges.
.TP
\fB3\fR
\fBresolve\fR, \fBssh\fR, \fBconnect\fR, \fBwake\fR: several devices matched the query
(they are listed on stderr). \fBssh\fR otherwise exits with the status of \fBssh\fR(1).
.SH OUTPUT
On a terminal: tables per interface and prefix (ADDRESS, MAC, VENDOR, NAME, SEEN BY),
fitted to the terminal width by shortening the vendor and name columns.
Into a pipe: one address a line, columns
IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS IPV4 OPEN NAMES VENDOR (empty fields are \fB-\fR;
after an \fB--ipv4\fR sweep IPV4 is \fBnone\fR for a host without IPv4).
The summary line of plain output goes to stderr only when stderr is a terminal, or with
\fB-v\fR, so logs and pipelines get only the rows; a closed pipe ends v6scout quietly
with status 0.
\fB--by-host\fR prints one row per device per interface instead (MAC, vendor, name, the
scoped link-local address, its other addresses, IPv4, open ports, marks), sorted by
vendor then MAC or by \fB--sort\fR; plain columns
IFACE MAC LINK_LOCAL ADDRESSES IPV4 OPEN SERVICES MARKS NAMES VENDOR.
\fB--json\fR prints one document (schema version 1), \fB--jsonl\fR one JSON object a line
as hosts are confirmed, then a summary line; both are described in the README.
.SH NAMES
Each address found is looked up at once, while the probe window runs: a one-shot mDNS
PTR query to ff02::fb on its interface, and for global addresses the system resolver
(reverse DNS, /etc/hosts). The scan waits at most 150 ms after the last question.
Hosts that answer Node Information (FreeBSD, macOS) are also asked their name by a Node
Name query (RFC 4620) beside the Node Addresses one; \fB--no-names\fR sends neither kind.
\fBresolve\fR, \fBssh\fR and \fBconnect\fR also match every alias /etc/hosts gives an
address.
\fB--no-names\fR sends no query.
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
When set and not empty, the table is not coloured (unless \fB--color always\fR).
.TP
\fBCOLUMNS\fR
The terminal width the table fits in, instead of the terminal's own.
.SH PRIVILEGES
Raw ICMPv6 sockets, and the packet socket through which v6scout speaks Ethernet itself on
Ethernet interfaces (\fB--link\fR), need the CAP_NET_RAW capability; both are opened
before v6scout gives up every privilege. Run v6scout with \fBsudo\fR, or grant
the capability to the binary once:
.PP
.RS
sudo setcap cap_net_raw+ep "$(command -v v6scout)"
.RE
.SH EXAMPLES
Find every host on every link, with MAC and vendor:
.PP
.RS
sudo v6scout
.RE
.PP
Find the Raspberry Pi on eth0 and log in to it by its link-local address:
.PP
.RS
sudo v6scout -i eth0 | grep -i raspberry
.br
ssh pi@fe80::ba27:ebff:fe89:bc51%eth0
.RE
.PP
Find a Raspberry Pi by its name or vendor, anywhere on the links:
.PP
.RS
sudo v6scout --plain | grep -i -e raspberry -e '\.local'
.RE
.PP
Or let v6scout find it by its MAC and run ssh (\-v shows the command):
.PP
.RS
v6scout ssh \-v pi@b8:27:eb:89:bc:51
.RE
.PP
Wait up to two minutes for a rebooting device, then print its address:
.PP
.RS
v6scout resolve \-\-wait\-for 2m b8:27:eb:89:bc:51
.RE
.PP
Every address as JSON, for scripts:
.PP
.RS
sudo v6scout --json | jq -r '.interfaces[].prefixes[].hosts[] | [.scoped, .mac, .vendor] | @tsv'
.RE
.PP
Stream hosts as they are found:
.PP
.RS
sudo v6scout --jsonl --wait 3s | jq -r 'select(.type=="host") | .scoped'
.RE
.PP
Install bash completions:
.PP
.RS
v6scout completions bash | sudo tee /usr/share/bash-completion/completions/v6scout
.RE
.PP
Watch eth0, and log each host that appears (the event comes in V6SCOUT_* variables):
.PP
.RS
sudo v6scout watch -i eth0 --exec '[ "$V6SCOUT_EVENT" = appeared ] && logger "back: $V6SCOUT_VENDOR $V6SCOUT_SCOPED_ADDRESSES"'
.RE
.SH "FINDING ONE DEVICE"
\fBv6scout resolve\fR|\fBssh\fR|\fBconnect\fR take a QUERY: a full MAC in any common
notation (b8:27:eb:89:bc:51, B8\-27\-EB\-89\-BC\-51, b827.eb89.bc51), a MAC prefix of at least
the 3\-octet OUI (b8:27:eb, or b8:27:eb:8 for half an octet; b8:27 is rejected as too
short), a vendor substring (raspberry, any case), a host name (rpi.local, .local optional),
an IPv6 address (fe80::1, fe80::1%eth0) or prefix (2001:db8:1::/64). They scan, and
\fBresolve\fR prints the one matching device's address (link\-local with its %interface, or a
global/ULA one with \fB\-\-prefer global\fR); \fB\-\-all\fR prints one address per matching
device. \fBssh\fR [USER@]QUERY [\-\- SSH_ARGS...] execs \fBssh\fR(1) to it; \fBconnect\fR QUERY
PORT relays stdin/stdout to a TCP connection to it. \fB\-\-wait\-for\fR DURATION rescans until
the device appears. See \fBv6scout help resolve\fR.
.SH "SSH CONFIGURATION"
With this in \fI~/.ssh/config\fR, \fBssh pi\fR reaches the device wherever its address went:
.PP
.RS
.nf
Host pi
    User pi
    ProxyCommand v6scout connect b8:27:eb:89:bc:51 %p
.fi
.RE
.PP
\fB%\fR starts a token in \fBssh_config\fR(5) (\fB%p\fR is the port), so a literal \fB%\fR,
as in a scoped address, must be written \fB%%\fR:
\fBHostName fe80::ba27:ebff:fe89:bc51%%eth0\fR.
ssh runs the ProxyCommand as you: give the binary CAP_NET_RAW once (see PRIVILEGES) rather
than using sudo.
.SH "SEE ALSO"
\fBip-neighbour\fR(8), \fBping\fR(8), \fBssh\fR(1), \fBssh_config\fR(5), \fBavahi-daemon\fR(8)
"#;

fn render() -> Vec<u8> {
    let man = clap_mangen::Man::new(v6scout::cli::Cli::command());
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();
    man.render_subcommands_section(&mut out).unwrap();
    // The other commands' own descriptions and options (`scan`'s are the ones above).
    for sub in v6scout::cli::Cli::command().get_subcommands() {
        if sub.get_name() == "scan" {
            continue;
        }
        let name = sub.get_name().to_uppercase();
        let page = clap_mangen::Man::new(sub.clone());
        let mut text = Vec::new();
        page.render_description_section(&mut text).unwrap();
        page.render_options_section(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        let text = text
            .replacen(".SH DESCRIPTION", &format!(".SH \"{name} DESCRIPTION\""), 1)
            .replacen(".SH OPTIONS", &format!(".SH \"{name} OPTIONS\""), 1);
        out.write_all(text.as_bytes()).unwrap();
    }
    out.write_all(EXTRA.as_bytes()).unwrap();
    man.render_version_section(&mut out).unwrap();
    out
}

#[test]
fn man_page_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/man/v6scout.1");
    let want = render();
    if std::env::var_os("V6SCOUT_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read(path).unwrap_or_default();
    assert!(
        have == want,
        "man/v6scout.1 is out of date: run `V6SCOUT_BLESS=1 cargo test --test man` and commit it"
    );
}
