use super::*;

#[test]
fn cmsg_fits_pktinfo_and_dest_opts() {
    let mut buf = [0u8; CMSG_BUF];
    let mut used = 0;
    assert!(push_cmsg(&mut buf, &mut used, libc::IPV6_PKTINFO, &[1; 20]));
    assert!(push_cmsg(&mut buf, &mut used, libc::IPV6_DSTOPTS, &[2; 8]));
    assert!(!push_cmsg(
        &mut buf,
        &mut used,
        libc::IPV6_DSTOPTS,
        &[3; 100]
    ));
}
