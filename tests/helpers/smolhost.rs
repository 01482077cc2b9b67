//! `smolhost`: a lab host running smoltcp's IPv6 stack instead of Linux's (tests/stacks.rs).
//!
//! ```text
//! smolhost --tap TAP --mac MAC [--no-echo] [--global ADDR]... [--log]
//! ```
//!
//! Opens the existing tap device `TAP` (in the current network namespace), gives an
//! smoltcp `Interface` the MAC `MAC`, its EUI-64 link-local address and any `--global`
//! addresses (/64), and polls until SIGTERM/SIGINT. It has no sockets: everything it
//! sends is what smoltcp answers by itself (Neighbour Advertisements, MLD reports, echo
//! replies, Parameter Problems).
//!
//! Echo replies off (`--no-echo`): smoltcp turns its echo responder off at build time (the
//! `auto-icmp-echo-reply` feature, which embassy-net leaves out), and one binary cannot be
//! built both ways. So this binary has the responder and `--no-echo` drops, in the device
//! wrapper, exactly the frames smoltcp would hand to it: an ICMPv6 Echo Request directly
//! after the IPv6 header or after a Hop-by-Hop header (the only extension header smoltcp
//! processes). A build without the feature discards those same packets silently
//! (`process_icmpv6`'s last arm), so everything else — NDP, MLD, and the Parameter Problem
//! for an echo request behind any other extension header, such as v6scout's Destination
//! Options probe — is what that build does too. (The one difference: a dropped unicast
//! echo request no longer refreshes an existing neighbour entry's expiry.)
//!
//! `--log` prints every frame received and sent to stderr, as `rx|tx|drop HEX`.
#![cfg(target_os = "linux")]

use std::net::Ipv6Addr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use smoltcp::iface::{Config, Interface, SocketSet};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium, TunTapInterface};
use smoltcp::time::{Duration, Instant};
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr};

/// Command-line options.
struct Args {
    tap: String,
    mac: [u8; 6],
    echo: bool,
    globals: Vec<Ipv6Addr>,
    log: bool,
}

fn usage() -> &'static str {
    "usage: smolhost --tap TAP --mac MAC [--no-echo] [--global ADDR]... [--log]"
}

fn parse_mac(s: &str) -> Result<[u8; 6]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        bail!("bad MAC {s:?}: want six colon-separated bytes");
    }
    let mut mac = [0u8; 6];
    for (byte, part) in mac.iter_mut().zip(parts) {
        *byte = u8::from_str_radix(part, 16).with_context(|| format!("bad MAC {s:?}"))?;
    }
    Ok(mac)
}

fn parse_args() -> Result<Args> {
    let mut tap = None;
    let mut mac = None;
    let mut echo = true;
    let mut globals = Vec::new();
    let mut log = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{arg} needs a value\n{}", usage()))
        };
        match arg.as_str() {
            "--tap" => tap = Some(value()?),
            "--mac" => mac = Some(parse_mac(&value()?)?),
            "--global" => {
                let v = value()?;
                globals.push(v.parse().with_context(|| format!("bad address {v:?}"))?);
            }
            "--no-echo" => echo = false,
            "--log" => log = true,
            "-h" | "--help" => {
                println!("{}", usage());
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{}", usage()),
        }
    }
    Ok(Args {
        tap: tap.context(usage())?,
        mac: mac.context(usage())?,
        echo,
        globals,
        log,
    })
}

/// The modified EUI-64 link-local address of `mac` (RFC 4291 appendix A).
fn link_local(mac: [u8; 6]) -> Ipv6Addr {
    Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        mac[0] ^ 2,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ])
}

/// Whether smoltcp would pass this Ethernet frame to its echo responder: IPv6 whose upper
/// layer, directly or after one Hop-by-Hop header, is ICMPv6 type 128 (Echo Request).
fn is_echo_request(frame: &[u8]) -> bool {
    const ETH: usize = 14;
    if frame.get(12..14) != Some(&[0x86, 0xdd][..]) {
        return false;
    }
    let Some(&(mut next)) = frame.get(ETH + 6) else {
        return false;
    };
    let mut at = ETH + 40;
    if next == 0 {
        let (Some(&nh), Some(&len)) = (frame.get(at), frame.get(at + 1)) else {
            return false;
        };
        next = nh;
        at += (usize::from(len) + 1) * 8;
    }
    next == 58 && frame.get(at) == Some(&128)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The tap device, optionally dropping echo requests and logging frames.
struct Tap {
    inner: TunTapInterface,
    echo: bool,
    log: bool,
}

/// A received frame, already read from the tap.
struct Rx(Vec<u8>);

impl phy::RxToken for Rx {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(&self.0)
    }
}

/// A transmit token that logs the frame it sends.
struct Tx<T> {
    inner: T,
    log: bool,
}

impl<T: phy::TxToken> phy::TxToken for Tx<T> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        let log = self.log;
        self.inner.consume(len, |buf| {
            let r = f(buf);
            if log {
                eprintln!("tx {}", hex(buf));
            }
            r
        })
    }
}

impl Device for Tap {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<<TunTapInterface as Device>::TxToken<'a>>;

    fn receive(&mut self, timestamp: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        loop {
            let (rx, tx) = self.inner.receive(timestamp)?;
            let frame = phy::RxToken::consume(rx, <[u8]>::to_vec);
            if !self.echo && is_echo_request(&frame) {
                if self.log {
                    eprintln!("drop {}", hex(&frame));
                }
                continue;
            }
            if self.log {
                eprintln!("rx {}", hex(&frame));
            }
            return Some((
                Rx(frame),
                Tx {
                    inner: tx,
                    log: self.log,
                },
            ));
        }
    }

    fn transmit(&mut self, timestamp: Instant) -> Option<Self::TxToken<'_>> {
        Some(Tx {
            inner: self.inner.transmit(timestamp)?,
            log: self.log,
        })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).context("signal handler")?;
    }
    let inner = TunTapInterface::new(&args.tap, Medium::Ethernet)
        .with_context(|| format!("open tap {}", args.tap))?;
    let fd = inner.as_raw_fd();
    let mut dev = Tap {
        inner,
        echo: args.echo,
        log: args.log,
    };
    let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(args.mac)));
    config.random_seed = u64::from_be_bytes([
        0,
        0,
        args.mac[0],
        args.mac[1],
        args.mac[2],
        args.mac[3],
        args.mac[4],
        args.mac[5],
    ]);
    let mut iface = Interface::new(config, &mut dev, Instant::now());
    let ll = link_local(args.mac);
    let mut cidrs = vec![IpCidr::new(IpAddress::Ipv6(ll), 64)];
    cidrs.extend(
        args.globals
            .iter()
            .map(|&a| IpCidr::new(IpAddress::Ipv6(a), 64)),
    );
    let mut overflow = false;
    iface.update_ip_addrs(|addrs| {
        for c in cidrs {
            overflow |= addrs.push(c).is_err();
        }
    });
    if overflow {
        bail!("too many addresses for smoltcp's interface");
    }
    let mut sockets = SocketSet::new(vec![]);
    eprintln!(
        "smolhost: {} mac {} addresses {ll} {:?} echo {}",
        args.tap,
        EthernetAddress(args.mac),
        args.globals,
        if args.echo { "on" } else { "off" }
    );
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        iface.poll(now, &mut dev, &mut sockets);
        // Wake at least every 100 ms to notice a stop signal.
        let max = Duration::from_millis(100);
        let delay = iface.poll_delay(now, &sockets).map_or(max, |d| d.min(max));
        match phy::wait(fd, Some(delay)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("wait for the tap"),
        }
    }
    eprintln!("smolhost: {} stopped", args.tap);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn eui64_link_local() {
        let mac = parse_mac("02:00:5e:10:00:01").unwrap();
        assert_eq!(
            link_local(mac),
            "fe80::5eff:fe10:1".parse::<Ipv6Addr>().unwrap()
        );
        assert!(parse_mac("02:00:5e:10:00").is_err());
    }

    #[test]
    fn echo_requests_found_where_smoltcp_looks() {
        let mut f = vec![0u8; 14 + 40 + 8];
        f[12..14].copy_from_slice(&[0x86, 0xdd]);
        f[14 + 6] = 58;
        f[54] = 128;
        assert!(is_echo_request(&f));
        f[54] = 129;
        assert!(!is_echo_request(&f));
        // Behind Destination Options (v6scout's probe): smoltcp never reaches the echo.
        f[14 + 6] = 60;
        f[54..56].copy_from_slice(&[58, 0]);
        f.extend_from_slice(&[128, 0, 0, 0]);
        assert!(!is_echo_request(&f));
        // Behind Hop-by-Hop: smoltcp does.
        f[14 + 6] = 0;
        f[62] = 128;
        assert!(is_echo_request(&f));
    }
}
