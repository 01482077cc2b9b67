use super::*;

#[test]
fn builds_the_ssh_command_destination_first() {
    let args: Vec<String> = ["-i", "key", "uname", "-a"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        ssh_command(Some("root"), "fe80::1%eth0", &args),
        ["ssh", "root@fe80::1%eth0", "-i", "key", "uname", "-a"]
    );
    assert_eq!(
        ssh_command(None, "2001:db8::5", &[]),
        ["ssh", "2001:db8::5"]
    );
}

#[test]
fn quotes_for_display() {
    assert_eq!(shell_word("root@fe80::1%eth0"), "root@fe80::1%eth0");
    assert_eq!(shell_word("echo hi"), "'echo hi'");
    assert_eq!(shell_word("it's"), r"'it'\''s'");
    assert_eq!(shell_word(""), "''");
}

fn gone_pi(site: Option<&str>, addresses: bool) -> Device {
    use crate::inventory::{IfaceKey, KnownAddr};
    use crate::model::{IidKind, SeenBy};
    let seen = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    Device {
        iface: IfaceKey {
            name: "eth0".into(),
            mac: None,
        },
        mac: crate::mac::Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]),
        vendor: Some("Raspberry Pi Foundation".into()),
        names: Vec::new(),
        router: false,
        first_seen: seen,
        last_seen: seen,
        addresses: if addresses {
            vec![KnownAddr {
                address: "fe80::ba27:ebff:fe89:bc51".parse().unwrap(),
                first_seen: seen,
                last_seen: seen,
                seen_by: vec![SeenBy::Echo],
                iid: IidKind::Eui64,
            }]
        } else {
            Vec::new()
        },
        ipv4: Vec::new(),
        label: None,
        site: site.map(str::to_string),
    }
}

#[test]
fn says_where_a_device_that_does_not_answer_was_last_seen() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000 + 4 * 60);
    assert_eq!(
        gone(&gone_pi(None, true), now),
        "b8:27:eb:89:bc:51 (Raspberry Pi Foundation) is not on the link now; \
         last seen 4 minutes ago as fe80::ba27:ebff:fe89:bc51%eth0"
    );
    assert_eq!(
        gone(&gone_pi(None, false), now),
        "b8:27:eb:89:bc:51 (Raspberry Pi Foundation) is not on the link now; \
         last seen 4 minutes ago as eth0"
    );
    assert_eq!(
        gone(&gone_pi(Some("branch"), true), now),
        "b8:27:eb:89:bc:51 (Raspberry Pi Foundation) is not on this machine's links; \
         last seen at site branch on eth0 as fe80::ba27:ebff:fe89:bc51%eth0, 4 minutes ago"
    );
    let bare = Device {
        vendor: None,
        ..gone_pi(Some("branch"), false)
    };
    assert_eq!(
        gone(&bare, now),
        "b8:27:eb:89:bc:51 is not on this machine's links; \
         last seen at site branch on eth0, 4 minutes ago"
    );
}
