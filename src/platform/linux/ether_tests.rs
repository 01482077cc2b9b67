use super::*;

/// Runs the classic BPF program `prog` on `frame` of packet type `pkttype`, with just the
/// instructions [`filter`] uses: the bytes kept (0: dropped).
fn run(prog: &[SockFilter], frame: &[u8], pkttype: u8) -> u32 {
    // SockFilter is opaque; its layout is the kernel's sock_filter.
    let insns: Vec<libc::sock_filter> = prog
        .iter()
        // SAFETY: SockFilter is repr(transparent) over libc::sock_filter.
        .map(|i| unsafe { std::mem::transmute_copy::<SockFilter, libc::sock_filter>(i) })
        .collect();
    let (mut pc, mut a) = (0usize, 0u32);
    loop {
        let i = insns[pc];
        let op = u32::from(i.code);
        match op {
            x if x == libc::BPF_LD | libc::BPF_B | libc::BPF_ABS => {
                a = if i.k == (-0x1000i32 + 4) as u32 {
                    u32::from(pkttype)
                } else {
                    u32::from(frame[i.k as usize])
                };
            }
            x if x == libc::BPF_LD | libc::BPF_H | libc::BPF_ABS => {
                let k = i.k as usize;
                a = u32::from(u16::from_be_bytes([frame[k], frame[k + 1]]));
            }
            x if x == libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K => {
                pc += usize::from(if a == i.k { i.jt } else { i.jf });
            }
            x if x == libc::BPF_RET | libc::BPF_K => return i.k,
            other => panic!("opcode {other:#x}"),
        }
        pc += 1;
    }
}

fn ipv6_frame(next_header: u8) -> Vec<u8> {
    let mut f = vec![0x33, 0x33, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 0x86, 0xdd];
    f.extend_from_slice(&[0x60, 0, 0, 0, 0, 8, next_header, 255]);
    f.resize(14 + 40 + 8, 0);
    f
}

#[test]
fn the_kernel_filter_keeps_incoming_frames_that_can_lead_to_icmpv6() {
    let prog = filter();
    let (host, multicast) = (libc::PACKET_HOST, libc::PACKET_MULTICAST);
    for nh in [58, 0, 60, 43] {
        assert_eq!(
            run(&prog, &ipv6_frame(nh), host),
            SNAP_LEN,
            "next header {nh}"
        );
        assert_eq!(run(&prog, &ipv6_frame(nh), multicast), SNAP_LEN);
    }
    for nh in [17, 6, 44] {
        assert_eq!(run(&prog, &ipv6_frame(nh), host), 0, "next header {nh}");
    }
    // Our own frames, other hosts' frames in promiscuous mode, and IPv4.
    assert_eq!(run(&prog, &ipv6_frame(58), libc::PACKET_OUTGOING), 0);
    assert_eq!(run(&prog, &ipv6_frame(58), libc::PACKET_OTHERHOST), 0);
    let mut ipv4 = ipv6_frame(58);
    ipv4[12..14].copy_from_slice(&[8, 0]);
    assert_eq!(run(&prog, &ipv4, host), 0);
}

#[test]
fn the_ring_holds_bursts_and_jumbo_frames() {
    // Ten thousand answers of about 200 bytes each (frame, header, alignment) fit in
    // a quarter of the ring.
    let ring = u64::from(ring::BLOCK_SIZE) * u64::from(ring::BLOCK_COUNT);
    assert!(10_000 * 200 * 4 <= ring, "{ring}");
    assert_eq!(ring, 8 << 20);
    // A whole frame and its header fit in one block.
    assert!(SNAP_LEN as usize + libc::TPACKET3_HDRLEN + 64 <= ring::BLOCK_SIZE as usize);
}
