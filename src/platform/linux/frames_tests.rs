use super::*;

fn frame(src_mac: [u8; 6], ethertype: [u8; 2], src: &str) -> Vec<u8> {
    let mut f = vec![0x33, 0x33, 0, 0, 0, 1];
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&ethertype);
    f.extend_from_slice(&[0x60, 0, 0, 0, 0, 16, 58, 64]);
    f.extend_from_slice(&src.parse::<Ipv6Addr>().unwrap().octets());
    f
}

#[test]
fn the_source_of_an_ipv6_frame() {
    let pi = [0xb8, 0x27, 0xeb, 1, 2, 3];
    let f = frame(pi, [0x86, 0xdd], "fe80::1");
    assert_eq!(f.len(), SNAP_LEN as usize);
    assert_eq!(
        frame_source(&f),
        Some(("fe80::1".parse().unwrap(), Mac(pi)))
    );
    assert_eq!(frame_source(&frame(pi, [0x08, 0x00], "fe80::1")), None);
    assert_eq!(
        frame_source(&frame([1, 0, 0x5e, 0, 0, 1], [0x86, 0xdd], "fe80::1")),
        None
    );
    assert_eq!(
        frame_source(&f[..30]),
        None,
        "cut before the source address"
    );
}
