//! man/v6scout.1 is generated from the clap definition and checked in; this test fails
//! when it is out of date. Regenerate with `V6SCOUT_BLESS=1 cargo test --test man`.
#![allow(clippy::unwrap_used)]

use clap::CommandFactory;
use std::io::Write;

const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
At least one host answered.
.TP
\fB1\fR
No host answered.
.TP
\fB2\fR
An error: bad usage, an unknown interface, missing privileges.
.SH OUTPUT
On a terminal: tables per interface and prefix (ADDRESS, MAC, VENDOR, NAME, SEEN BY),
fitted to the terminal width by shortening the vendor and name columns.
Into a pipe: one address a line, columns
IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS NAMES VENDOR (empty fields are \fB-\fR).
\fB--json\fR prints one document (schema version 1), \fB--jsonl\fR one JSON object a line
as hosts are confirmed, then a summary line; both are described in the README.
.SH NAMES
Each address found is looked up at once, while the probe window runs: a one-shot mDNS
PTR query to ff02::fb on its interface, and for global addresses the system resolver
(reverse DNS, /etc/hosts). The scan waits at most 150 ms after the last question.
\fB--no-names\fR sends no query.
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
When set and not empty, the table is not coloured (unless \fB--color always\fR).
.TP
\fBCOLUMNS\fR
The terminal width the table fits in, instead of the terminal's own.
.SH PRIVILEGES
Raw ICMPv6 sockets need the CAP_NET_RAW capability. Run v6scout with \fBsudo\fR, or grant
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
.SH "SEE ALSO"
\fBip-neighbour\fR(8), \fBping\fR(8), \fBssh\fR(1), \fBavahi-daemon\fR(8)
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
