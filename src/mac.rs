//! Ethernet MAC addresses: parsing in the common notations and canonical display.

use std::fmt;
use std::str::FromStr;

/// A 48-bit IEEE 802 MAC address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// True when the locally administered bit (0x02 of the first octet) is set:
    /// such an address was not assigned by a vendor (privacy MACs, VMs, containers).
    pub fn is_local(self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// True for group (multicast/broadcast) addresses, which never identify a host.
    pub fn is_multicast(self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// True for 00:00:00:00:00:00, which some stacks put in options they mean to leave empty.
    pub fn is_zero(self) -> bool {
        self.0 == [0; 6]
    }

    /// True when the MAC can be a host's: neither a group address nor all zeros.
    pub fn is_host(self) -> bool {
        !self.is_multicast() && !self.is_zero()
    }

    /// The modified EUI-64 interface identifier derived from this MAC (RFC 4291 appendix A).
    pub fn eui64_interface_id(self) -> [u8; 8] {
        let m = self.0;
        [m[0] ^ 0x02, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]]
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string is not a MAC address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacParseError(pub String);

impl fmt::Display for MacParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a MAC address (expected e.g. b8:27:eb:89:bc:51, b8-27-eb-89-bc-51 or b827.eb89.bc51)",
            self.0
        )
    }
}

impl std::error::Error for MacParseError {}

/// Hex digits of a MAC-like string with the usual separators (`:`, `-`, `.`) removed,
/// or `None` if anything else is in it. Shared by full-MAC and MAC-prefix parsing.
pub fn hex_digits(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(12);
    for c in s.chars() {
        match c {
            ':' | '-' | '.' => {}
            _ => out.push(u8::try_from(c.to_digit(16)?).ok()?),
        }
    }
    Some(out)
}

impl FromStr for Mac {
    type Err = MacParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || MacParseError(s.to_string());
        let s = s.trim();
        // Colon/dash forms may drop leading zeros per octet (`0:1b:…`), so split when separated.
        let groups: Vec<&str> = s.split([':', '-']).collect();
        if groups.len() == 6 {
            let mut m = [0u8; 6];
            for (i, g) in groups.iter().enumerate() {
                if g.is_empty() || g.len() > 2 {
                    return Err(err());
                }
                m[i] = u8::from_str_radix(g, 16).map_err(|_| err())?;
            }
            return Ok(Mac(m));
        }
        let digits = hex_digits(s).ok_or_else(err)?;
        let dotted = s.split('.').count() == 3 && s.split('.').all(|g| g.len() == 4);
        let bare = !s.contains(['.', ':', '-']);
        if digits.len() != 12 || !(dotted || bare) {
            return Err(err());
        }
        let mut m = [0u8; 6];
        for (i, pair) in digits.chunks(2).enumerate() {
            m[i] = pair[0] << 4 | pair[1];
        }
        Ok(Mac(m))
    }
}

impl serde::Serialize for Mac {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
#[path = "mac_tests.rs"]
mod tests;
