use super::*;
use crate::model::IidKind;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// MLDv2 report captured from a Linux 6.18 host in a lab namespace (see packet_tests.rs):
/// 3 records, ff02::1:ff00:0, ff05::2, ff02::2.
const CAP_MLDV2_REPORT: [u8; 68] = [
    0x8f, 0x00, 0xc4, 0xa1, 0x00, 0x00, 0x00, 0x03, 0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
    0xff, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x04, 0x00, 0x00, 0x00, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02,
];

/// The smoltcp check for MLD: `emit` writes exactly `bytes`, `parse` gives back `repr`.
fn report_both_ways(repr: &Report, bytes: &[u8]) {
    assert_eq!(repr.buffer_len(), bytes.len());
    assert_eq!(repr.to_bytes().unwrap(), bytes);
    assert_eq!(Report::parse(bytes).as_ref(), Ok(repr));
    let mut short = vec![0; bytes.len() - 1];
    assert_eq!(repr.emit(&mut short), Err(EmitError::BufferTooShort));
}

fn record(record_type: u8, group: &str) -> Record {
    Record {
        record_type,
        group: a(group),
        sources: vec![],
        aux_data: vec![],
    }
}

#[test]
fn captured_v2_report_both_ways() {
    let repr = Report::V2 {
        records: vec![
            record(RECORD_CHANGE_TO_EXCLUDE, "ff02::1:ff00:0"),
            record(RECORD_CHANGE_TO_EXCLUDE, "ff05::2"),
            record(RECORD_CHANGE_TO_EXCLUDE, "ff02::2"),
        ],
    };
    let mut bytes = CAP_MLDV2_REPORT;
    bytes[2..4].copy_from_slice(&[0, 0]);
    report_both_ways(&repr, &bytes);
}

#[test]
fn v2_report_with_sources_and_aux_data_both_ways() {
    let repr = Report::V2 {
        records: vec![
            Record {
                record_type: 1,
                group: a("ff02::1:ff00:10"),
                sources: vec![a("fe80::1"), a("fe80::2")],
                aux_data: vec![[9, 9, 9, 9]],
            },
            record(RECORD_MODE_IS_EXCLUDE, "ff02::1:ff00:11"),
        ],
    };
    let mut bytes = vec![143, 0, 0, 0, 0, 0, 0, 2, 1, 1, 0, 2];
    bytes.extend_from_slice(&a("ff02::1:ff00:10").octets());
    bytes.extend_from_slice(&a("fe80::1").octets());
    bytes.extend_from_slice(&a("fe80::2").octets());
    bytes.extend_from_slice(&[9, 9, 9, 9]);
    bytes.extend_from_slice(&[2, 0, 0, 0]);
    bytes.extend_from_slice(&a("ff02::1:ff00:11").octets());
    report_both_ways(&repr, &bytes);
    report_both_ways(&Report::V2 { records: vec![] }, &[143, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn v1_report_both_ways() {
    let mut bytes = vec![131, 0, 0, 0, 0, 0, 0, 0];
    bytes.extend_from_slice(&a("ff02::1:ff12:3456").octets());
    report_both_ways(
        &Report::V1 {
            group: a("ff02::1:ff12:3456"),
        },
        &bytes,
    );
}

#[test]
fn counts_too_large_for_their_fields_are_refused() {
    let many = Report::V2 {
        records: vec![record(2, "ff02::1"); 65_536],
    };
    assert_eq!(many.to_bytes(), Err(EmitError::TooMany));
    let aux = Report::V2 {
        records: vec![Record {
            aux_data: vec![[0; 4]; 256],
            ..record(2, "ff02::1")
        }],
    };
    assert_eq!(aux.to_bytes(), Err(EmitError::TooMany));
}

#[test]
fn query_both_ways() {
    // What general_query(500 ms) sends.
    let general = Query {
        max_response_code: 500,
        group: Ipv6Addr::UNSPECIFIED,
        suppress: false,
        robustness: 2,
        interval_code: 125,
        sources: vec![],
    };
    let mut bytes = vec![130, 0, 0, 0, 0x01, 0xf4, 0, 0];
    bytes.extend_from_slice(&[0; 16]);
    bytes.extend_from_slice(&[2, 125, 0, 0]);
    assert_eq!(general.to_bytes().unwrap(), bytes);
    assert_eq!(Query::parse(&bytes), Ok(general.clone()));
    assert_eq!(general_query(Duration::from_millis(500)), bytes);
    // Group-and-source-specific, with the S flag.
    let specific = Query {
        max_response_code: 0x8000,
        group: a("ff02::1:ff00:10"),
        suppress: true,
        robustness: 7,
        interval_code: 1,
        sources: vec![a("fe80::1")],
    };
    let mut bytes = vec![130, 0, 0, 0, 0x80, 0, 0, 0];
    bytes.extend_from_slice(&a("ff02::1:ff00:10").octets());
    bytes.extend_from_slice(&[0x0f, 1, 0, 1]);
    bytes.extend_from_slice(&a("fe80::1").octets());
    assert_eq!(specific.buffer_len(), bytes.len());
    assert_eq!(specific.to_bytes().unwrap(), bytes);
    assert_eq!(Query::parse(&bytes), Ok(specific));
    // An MLDv1 query (24 bytes) and cut source lists are not MLDv2 queries.
    assert_eq!(Query::parse(&bytes[..24]), Err(Malformed::Truncated));
    assert_eq!(Query::parse(&bytes[..43]), Err(Malformed::Truncated));
    assert_eq!(Query::parse(&CAP_MLDV2_REPORT), Err(Malformed::BadCode));
}

#[test]
fn query_is_an_mldv2_general_query() {
    let q = general_query(Duration::from_millis(500));
    assert_eq!(q.len(), 28, "28 bytes make it MLDv2 (24 would be MLDv1)");
    assert_eq!(&q[..8], &[130, 0, 0, 0, 0x01, 0xf4, 0, 0]);
    assert_eq!(&q[8..24], &[0; 16], "general: no group");
    assert_eq!(&q[24..], &[2, 125, 0, 0]);
    assert_eq!(general_query(Duration::from_secs(3600))[4..6], [0x7f, 0xff]);
    assert_eq!(router_alert_hop_by_hop(), [0, 0, 5, 2, 0, 0, 1, 0]);
}

#[test]
fn parses_captured_report() {
    let groups = parse_report(&CAP_MLDV2_REPORT).unwrap();
    assert_eq!(groups, [a("ff02::1:ff00:0"), a("ff05::2"), a("ff02::2")]);
    assert_eq!(solicited_node_bits(groups[0]), Some(0));
    assert_eq!(solicited_node_bits(groups[1]), None);
    assert_eq!(solicited_node_bits(a("ff02::1:ffab:cdef")), Some(0xabcdef));
}

#[test]
fn parses_v1_report_and_records_with_sources_and_aux_data() {
    let mut v1 = vec![131, 0, 0, 0, 0, 0, 0, 0];
    v1.extend_from_slice(&a("ff02::1:ff12:3456").octets());
    assert_eq!(parse_report(&v1).unwrap(), [a("ff02::1:ff12:3456")]);
    // One record with 1 source and 1 aux word, then a second record.
    let mut v2 = vec![143, 0, 0, 0, 0, 0, 0, 2, 1, 1, 0, 1];
    v2.extend_from_slice(&a("ff02::1:ff00:10").octets());
    v2.extend_from_slice(&a("fe80::1").octets());
    v2.extend_from_slice(&[9, 9, 9, 9]);
    v2.extend_from_slice(&[4, 0, 0, 0]);
    v2.extend_from_slice(&a("ff02::1:ff00:11").octets());
    assert_eq!(
        parse_report(&v2).unwrap(),
        [a("ff02::1:ff00:10"), a("ff02::1:ff00:11")]
    );
}

#[test]
fn every_truncation_and_lying_counts_are_errors_not_panics() {
    for n in 0..CAP_MLDV2_REPORT.len() {
        assert!(parse_report(&CAP_MLDV2_REPORT[..n]).is_err(), "{n}");
    }
    let mut lying = CAP_MLDV2_REPORT;
    lying[6] = 0xff;
    lying[7] = 0xff;
    assert!(parse_report(&lying).is_err());
    let mut huge_sources = CAP_MLDV2_REPORT;
    huge_sources[10] = 0xff;
    huge_sources[11] = 0xff;
    assert!(parse_report(&huge_sources).is_err());
    assert!(parse_report(&[128, 0, 0, 0]).is_err());
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..50_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 120) as usize;
        let mut buf: Vec<u8> = (0..len)
            .map(|i| (x >> (i % 8 * 8)) as u8 ^ i as u8)
            .collect();
        if let Some(t) = buf.first_mut() {
            *t = if x & 1 == 0 { 143 } else { 131 };
        }
        let _ = parse_report(&buf);
    }
}

#[test]
fn classifies_interface_ids() {
    let mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);
    assert_eq!(
        IidKind::of(a("2001:db8:1:0:ba27:ebff:fe5a:1"), Some(mac)),
        IidKind::Eui64
    );
    assert_eq!(
        IidKind::of(a("fe80::ba27:ebff:fe5a:1"), None),
        IidKind::Eui64
    );
    assert_eq!(IidKind::of(a("2001:db8:1::10"), Some(mac)), IidKind::Manual);
    assert_eq!(
        IidKind::of(a("2001:db8:1:0:295f:62e:f407:291b"), Some(mac)),
        IidKind::Temporary
    );
}

#[test]
fn candidates_come_only_from_reported_groups() {
    let mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);
    let prefixes = [
        Ipv6Prefix::new(a("2001:db8:1::"), 64),
        Ipv6Prefix::new(a("2001:db8:5::"), 64),
        Ipv6Prefix::new(a("2001:db8:9::"), 112),
    ];
    // Groups for the EUI-64 ID (5a:00:01), a manual ::10, and a random ID seen elsewhere.
    let random = 0x295f_062e_f407_291b_u64;
    let bits = [0x5a_0001, 0x10, (random & 0xff_ffff) as u32];
    let c = candidates(&bits, &prefixes, Some(mac), &[random, 0xdead_beef]);
    assert_eq!(
        c,
        [
            a("2001:db8:1::10"),
            a("2001:db8:1:0:295f:62e:f407:291b"),
            a("2001:db8:1:0:ba27:ebff:fe5a:1"),
            a("2001:db8:5::10"),
            a("2001:db8:5:0:295f:62e:f407:291b"),
            a("2001:db8:5:0:ba27:ebff:fe5a:1"),
        ],
        "the /112 is skipped and 0xdeadbeef matches no group"
    );
    assert!(candidates(&[], &prefixes, Some(mac), &[random]).is_empty());
}

#[test]
fn candidates_are_bounded() {
    let bits: Vec<u32> = (1..=1000).collect();
    let prefixes: Vec<Ipv6Prefix> = (0..50u16)
        .map(|i| Ipv6Prefix::new(Ipv6Addr::new(0x2001, 0xdb8, i, 0, 0, 0, 0, 0), 64))
        .collect();
    assert_eq!(
        candidates(&bits, &prefixes, None, &[]).len(),
        MAX_CANDIDATES_PER_HOST
    );
}
