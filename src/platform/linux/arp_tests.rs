use super::*;

#[test]
fn missing_privilege_says_how_to_get_it() {
    let text = open_failure(&io::Error::from_raw_os_error(libc::EPERM));
    assert!(
        text.contains("CAP_NET_RAW") && text.contains("setcap"),
        "{text}"
    );
    assert!(
        !text.contains("os error") && !text.contains("not permitted"),
        "{text}"
    );
    let text = open_failure(&io::Error::from_raw_os_error(libc::ENODEV));
    assert_eq!(
        text,
        "ARP sweep failed: No such device: the interface is gone"
    );
}
