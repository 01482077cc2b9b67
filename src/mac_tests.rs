use super::*;

#[test]
fn parses_common_notations() {
    let want = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
    for s in [
        "b8:27:eb:89:bc:51",
        "B8-27-EB-89-BC-51",
        "b827.eb89.bc51",
        "b827eb89bc51",
        " b8:27:eb:89:bc:51 ",
    ] {
        assert_eq!(s.parse::<Mac>(), Ok(want), "{s}");
    }
    assert_eq!(
        "0:1b:2:3:4:5".parse::<Mac>(),
        Ok(Mac([0, 0x1b, 2, 3, 4, 5]))
    );
}

#[test]
fn rejects_malformed() {
    for s in [
        "",
        "b8:27:eb",
        "b8:27:eb:89:bc:51:00",
        "b8:27:eb:89:bc:5g",
        "b827.eb89.bc5",
        "b8:27:eb:89:bc:511",
        "b8:27:eb:89:bc:",
        "b8.27.eb.89.bc.51",
    ] {
        assert!(s.parse::<Mac>().is_err(), "{s}");
    }
}

#[test]
fn flags_and_display() {
    let m: Mac = "4a:a2:12:c2:16:df".parse().unwrap();
    assert!(m.is_local() && !m.is_multicast());
    assert_eq!(m.to_string(), "4a:a2:12:c2:16:df");
    assert!(Mac([0x33, 0x33, 0, 0, 0, 1]).is_multicast());
    assert_eq!(
        Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]).eui64_interface_id(),
        [0xba, 0x27, 0xeb, 0xff, 0xfe, 0x89, 0xbc, 0x51]
    );
}
