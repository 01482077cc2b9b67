//! Wake-on-LAN in a network-namespace lab (tests/lab/lab.sh): a scan remembers the lab's
//! hosts in a temporary inventory; one host falls asleep; `wake` sends the magic packet,
//! which a packet socket in that host's namespace captures in both forms, byte for byte;
//! the host wakes up and `wake --wait-for` (and `ssh --wake`) find it. Also: a device the
//! inventory does not know (exit 1), an ambiguous QUERY (exit 3), and a wake without
//! CAP_NET_RAW (the UDP form alone, with a warning). Needs root; skipped otherwise unless
//! V6SCOUT_REQUIRE_LAB=1 (see tests/common).
//!
//! A sleeping device keeps its link up — its NIC listens for the magic packet — while its
//! system answers nothing. So here "asleep" is: the host's eth0 stays up, its IPv6 is off
//! (`disable_ipv6`, inside the host's namespace), so it has no address and answers
//! nothing; waking turns IPv6 back on, and the same EUI-64 link-local address comes back.
//! Taking the veth down instead would drop every frame before any socket saw it: the
//! bridge forwards nothing to a port without carrier.
//!
//! Lab with 4 hosts on link A: h01 b8:27:eb (Raspberry Pi Foundation), h02 a private MAC,
//! h03 2c:cf:67:5a:00:03 (Raspberry Pi (Trading) Ltd, link-local only: the one woken) and
//! h04 e4:5f:01:5a:00:04 (Raspberry Pi Trading Ltd), and the router.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::{forge, ip_in, scanner_bin, wait_for, Host, Lab};
use std::io::{BufRead, BufReader, Read};
use std::net::Ipv6Addr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use v6scout::mac::Mac;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `v6scout ARGS --inventory INV` in the scanner namespace; it must exit with `want`.
fn v6(lab: &Lab, inv: &Path, args: &[&str], want: i32) -> Output {
    let out = lab
        .command(scanner_bin(), args)
        .arg("--inventory")
        .arg(inv)
        .output()
        .unwrap();
    common::exited(out, args, want)
}

/// `v6scout COMMAND --inventory INV ARGS` started in the scanner namespace, output piped.
fn spawn(lab: &Lab, inv: &Path, command: &str, args: &[&str], path: Option<&Path>) -> Child {
    let inv = inv.to_str().unwrap();
    let mut all = vec![command, "--inventory", inv];
    all.extend_from_slice(args);
    let mut c = lab.command(scanner_bin(), &all);
    if let Some(dir) = path {
        // A stand-in for ssh first on PATH; ip itself from the system directories.
        let p = format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", dir.display());
        c.env("PATH", p);
    }
    c.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Puts `h` to sleep (IPv6 off, link up) or wakes it.
fn asleep(h: &Host, sleeping: bool) {
    let value = format!("net.ipv6.conf.eth0.disable_ipv6={}", u8::from(sleeping));
    let out = Command::new("ip")
        .args(["netns", "exec", &h.namespace, "sysctl", "-qw", &value])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// The magic payload for `mac`: 6 × 0xff, then the MAC 16 times.
fn magic(mac: Mac) -> Vec<u8> {
    let mut m = vec![0xff; 6];
    for _ in 0..16 {
        m.extend_from_slice(&mac.0);
    }
    m
}

/// One form of the magic packet, as captured.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Form {
    /// An EtherType 0x0842 frame: destination, source, payload.
    Ether(Mac, Mac, Vec<u8>),
    /// A UDP datagram in IPv6: source and destination address, destination port, payload.
    Udp(Ipv6Addr, Ipv6Addr, u16, Vec<u8>),
}

fn mac_at(f: &[u8], at: usize) -> Mac {
    Mac(f[at..at + 6].try_into().unwrap())
}

/// The frame as a form of the magic packet: an EtherType 0x0842 frame, or UDP to port 9
/// in IPv6 (other UDP, such as mDNS, is not).
fn form(f: &[u8]) -> Option<Form> {
    let ethertype = u16::from_be_bytes([*f.get(12)?, *f.get(13)?]);
    let addr = |at: usize| -> Option<Ipv6Addr> {
        Some(Ipv6Addr::from(
            <[u8; 16]>::try_from(f.get(at..at + 16)?).ok()?,
        ))
    };
    match ethertype {
        0x0842 => Some(Form::Ether(mac_at(f, 0), mac_at(f, 6), f[14..].to_vec())),
        0x86dd if f.len() >= 62 && f[20] == 17 => {
            let udp = &f[54..];
            let port = u16::from_be_bytes([udp[2], udp[3]]);
            let len = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
            let payload = udp.get(8..len)?.to_vec();
            (port == 9).then_some(Form::Udp(addr(22)?, addr(38)?, port, payload))
        }
        _ => None,
    }
}

/// A packet socket on eth0 of a host's namespace, and the magic-packet forms it caught.
struct Capture {
    fd: OwnedFd,
    seen: Vec<Form>,
}

impl Capture {
    fn open(ns: &str) -> Capture {
        let ns = ns.to_string();
        // forge enters the namespace with the calling thread: a thread of its own.
        let (fd, _) = std::thread::spawn(move || forge::packet_socket(&ns))
            .join()
            .unwrap();
        Capture {
            fd,
            seen: Vec::new(),
        }
    }

    /// Reads every frame waiting (the socket does not block).
    fn drain(&mut self) {
        let mut buf = [0u8; 2048];
        loop {
            // SAFETY: buf is live and writable for its length.
            let n =
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            let Ok(n) = usize::try_from(n) else { return };
            self.seen.extend(form(&buf[..n]));
        }
    }

    /// Waits until both forms of a magic packet have been caught (or only the UDP one,
    /// `udp_only`), then returns the forms caught and clears them.
    fn both(&mut self, udp_only: bool) -> Vec<Form> {
        wait_for(Duration::from_secs(30), "magic packet in the host", || {
            self.drain();
            let udp = self.seen.iter().any(|f| matches!(f, Form::Udp(..)));
            let ether = self.seen.iter().any(|f| matches!(f, Form::Ether(..)));
            (udp && (ether || udp_only)).then_some(())
        });
        std::mem::take(&mut self.seen)
    }
}

/// Checks that `caught` are the two forms of the magic packet for `target`, sent from
/// the scanner's eth0 (`udp_only`: the UDP one alone), in any order (sent from two
/// CPUs, they may cross).
fn check_forms(lab: &Lab, caught: &[Form], target: Mac, udp_only: bool) {
    let scanner = lab.scanner_iface("eth0");
    let our_mac: Mac = scanner.mac.parse().unwrap();
    let our_ll: Ipv6Addr = scanner
        .addresses
        .iter()
        .map(|a| common::parse_addr(a))
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap();
    let mut want = vec![Form::Udp(
        our_ll,
        "ff02::1".parse().unwrap(),
        9,
        magic(target),
    )];
    if !udp_only {
        want.push(Form::Ether(Mac([0xff; 6]), our_mac, magic(target)));
    }
    let mut caught = caught.to_vec();
    caught.sort();
    want.sort();
    assert_eq!(caught, want);
}

/// Reads `child`'s stderr until a line contains `what`; returns what it read.
fn read_until(err: &mut BufReader<std::process::ChildStderr>, what: &str) -> String {
    let mut said = String::new();
    while !said.contains(what) {
        let n = err.read_line(&mut said).unwrap();
        assert!(n > 0, "no {what:?} on stderr: {said}");
    }
    said
}

#[test]
fn wake_sends_the_magic_packet_and_waits_for_the_device() {
    let Some(lab) = Lab::create(4, 0) else { return };
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inventory.sqlite3");
    let (h03, h04) = (lab.host("h03"), lab.host("h04"));
    let target: Mac = h03.mac.parse().unwrap();
    assert!(h03.mac.starts_with("2c:cf:67") && h04.mac.starts_with("e4:5f:01"));
    let ll03 = h03
        .addrs()
        .into_iter()
        .find(|a| a.segments()[0] == 0xfe80)
        .unwrap();

    // Without an inventory there is nothing to wake: exit 2, saying so.
    let out = lab.run_scanner(&["wake", "2c:cf:67"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("wake needs the inventory"), "{err}");
    // Nothing remembered yet: exit 1, with the way to get it remembered.
    let out = v6(&lab, &inv, &["wake", "2c:cf:67"], 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("no device is remembered yet") && err.contains("scan or watch"),
        "{err}"
    );
    // A scan remembers the link's hosts.
    v6(&lab, &inv, &["-i", "eth0", "--plain", "--no-names"], 0);
    v6(&lab, &inv, &["history", "2c:cf:67", "--plain"], 0);

    // h03 falls asleep; the scanner forgets where it was.
    asleep(h03, true);
    ip_in(&lab.scan_ns, &["neigh", "flush", "dev", "eth0"]);
    let mut cap = Capture::open(&h03.namespace);

    // A device the inventory does not know: exit 1 with the reason; two devices: exit 3
    // with both listed. Neither sends anything.
    let out = v6(&lab, &inv, &["wake", "00:00:5e:00:53:01"], 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("no remembered device matches '00:00:5e:00:53:01'")
            && err.contains("scan or watch"),
        "{err}"
    );
    let out = v6(&lab, &inv, &["wake", "trading"], 3);
    let err = text(&out.stderr);
    assert!(err.contains("'trading' matches 2 devices"), "{err}");
    for h in [h03, h04] {
        let line = err.lines().find(|l| l.contains(&h.mac));
        assert!(
            line.is_some_and(|l| l.contains("eth0") && l.contains("Raspberry Pi")),
            "{} not listed: {err}",
            h.mac
        );
    }
    assert!(out.stdout.is_empty());
    cap.drain();
    assert_eq!(cap.seen, [], "a failed wake sent something");

    // Without CAP_NET_RAW: the UDP form alone, a warning for the other, exit 0.
    let mut no_raw = vec!["--bounding-set", "-net_raw", "--", scanner_bin()];
    no_raw.extend(["wake", "2c:cf:67", "--inventory", inv.to_str().unwrap()]);
    let out = lab.exec("setpriv", &no_raw);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "warning: eth0: the magic packet as an Ethernet frame (type 0x0842) was not sent"
        ) && err.contains("CAP_NET_RAW")
            && err.contains("sent as UDP to [ff02::1%eth0]:9"),
        "{err}"
    );
    let caught = cap.both(true);
    check_forms(&lab, &caught, target, true);

    // wake --wait-for: both forms reach the sleeping host; the search misses it until it
    // wakes, then prints its address as resolve does.
    let t0 = Instant::now();
    let mut child = spawn(&lab, &inv, "wake", &["2c:cf:67", "--wait-for", "30s"], None);
    let caught = cap.both(false);
    let t_caught = t0.elapsed();
    check_forms(&lab, &caught, target, false);
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut said = read_until(&mut err, "waiting for");
    assert!(
        said.contains("magic packet for 2c:cf:67:5a:00:03 (Raspberry Pi (Trading) Ltd)"),
        "{said}"
    );
    asleep(h03, false);
    let t_up = t0.elapsed();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let t_printed = t0.elapsed();
    err.read_to_string(&mut said).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{said}");
    assert_eq!(line, format!("{ll03}%eth0\n"), "{said}");
    eprintln!(
        "wake timing: magic packet caught {:.0} ms after wake started; host woken at {:.0} \
         ms; address printed at {:.0} ms ({:.0} ms after the host woke)",
        t_caught.as_secs_f64() * 1e3,
        t_up.as_secs_f64() * 1e3,
        t_printed.as_secs_f64() * 1e3,
        (t_printed - t_up).as_secs_f64() * 1e3
    );

    // ssh --wake: wake, wait, then run ssh (a stand-in that prints its arguments).
    asleep(h03, true);
    ip_in(&lab.scan_ns, &["neigh", "flush", "dev", "eth0"]);
    let bin = tempfile::tempdir().unwrap();
    let ssh = bin.path().join("ssh");
    std::fs::write(&ssh, "#!/bin/sh\necho \"ssh $*\"\n").unwrap();
    std::fs::set_permissions(&ssh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let args = [
        "--wake",
        "--wait-for",
        "30s",
        "root@2c:cf:67",
        "--",
        "uptime",
    ];
    let mut child = spawn(&lab, &inv, "ssh", &args, Some(bin.path()));
    check_forms(&lab, &cap.both(false), target, false);
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut said = read_until(&mut err, "waiting for");
    asleep(h03, false);
    err.read_to_string(&mut said).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert_eq!(
        text(&out.stdout),
        format!("ssh root@{ll03}%eth0 uptime\n"),
        "{said}"
    );
}
