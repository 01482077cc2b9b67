//! How simulated hosts differ from wired Linux hosts: other stacks' Parameter Problems,
//! Wi-Fi loss, a phone's doze filter.

use crate::probe::packet::{
    PayloadHead, CODE_UNRECOGNIZED_OPTION, TYPE_ECHO_REQUEST, TYPE_UNKNOWN_PROBE,
};

/// Where a host's Parameter Problem quotes start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QuoteStyle {
    /// At the invoking packet's IPv6 header, as RFC 4443 asks and Linux does.
    #[default]
    Linux,
    /// At the extension header after it (small stacks that have moved past the IPv6
    /// header when they find the option).
    FromExtension,
    /// At the ICMPv6 message.
    FromMessage,
}

/// What makes a simulated host differ from a wired Linux host. The default is none of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quirks {
    /// An Android phone in doze (APF): drops multicast echo and every multicast packet with
    /// a hop-by-hop or destination-options header; multicast NS still pass.
    pub dozing: bool,
    /// Percent of multicast packets to it that are lost (Wi-Fi sends multicast once).
    pub multicast_loss: u8,
    /// Percent of unicast packets to it that are lost (Wi-Fi retries unicast).
    pub unicast_loss: u8,
    /// Where its Parameter Problems' quotes start.
    pub quote: QuoteStyle,
    /// Its Parameter Problems' quote is cut after this many bytes.
    pub quote_cut: Option<usize>,
    /// The code of its Parameter Problems for an unknown option.
    pub pp_code: u8,
    /// Answers the unknown option only when the ICMPv6 type behind it is unknown too (old
    /// macOS); in front of an echo request it answers the echo instead.
    pub option_needs_unknown_type: bool,
    /// Its echo replies carry only this many payload bytes.
    pub echo_payload_cut: Option<usize>,
    /// Its Neighbour Advertisements never arrive.
    pub na_lost: bool,
    /// Answers Node Information queries for its addresses (FreeBSD, macOS).
    pub node_info: bool,
    /// The name it gives in Node Name replies, when it answers Node Information (none:
    /// a reply with no name, as KAME sends when the host name is unset).
    pub node_name: Option<&'static str>,
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks {
            dozing: false,
            multicast_loss: 0,
            unicast_loss: 0,
            quote: QuoteStyle::Linux,
            quote_cut: None,
            pp_code: CODE_UNRECOGNIZED_OPTION,
            option_needs_unknown_type: false,
            echo_payload_cut: None,
            na_lost: false,
            node_info: false,
            node_name: None,
        }
    }
}

/// Type, identifier, sequence and payload head of a probe we may answer: an echo request
/// or our unknown-type probe.
pub(super) fn probe_fields(msg: &[u8]) -> Option<(u8, u16, u16, PayloadHead)> {
    let icmp_type = *msg.first()?;
    if !matches!(icmp_type, TYPE_ECHO_REQUEST | TYPE_UNKNOWN_PROBE) {
        return None;
    }
    let id = u16::from_be_bytes([*msg.get(4)?, *msg.get(5)?]);
    let seq = u16::from_be_bytes([*msg.get(6)?, *msg.get(7)?]);
    Some((icmp_type, id, seq, PayloadHead::of(msg.get(8..)?)))
}
