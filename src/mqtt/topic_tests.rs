use super::*;

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x5a, 0, 1]);

fn site(s: &str) -> Site {
    Site::new(s).unwrap()
}

#[test]
fn site_names_are_letters_digits_dash_and_underscore() {
    assert!(Site::new("lab-a_2").is_ok());
    for bad in ["", "a/b", "a+b", "a#", "a b", "é", &"x".repeat(65)] {
        assert!(Site::new(bad).is_err(), "{bad:?}");
    }
    assert!(BadSite("a/b".into())
        .to_string()
        .contains("letters, digits"));
}

#[test]
fn a_host_name_gives_its_first_label_made_safe() {
    assert_eq!(
        Site::from_host_name("pi-gw.example.org"),
        Some(site("pi-gw"))
    );
    assert_eq!(Site::from_host_name("büro"), Some(site("b-ro")));
    assert_eq!(Site::from_host_name(""), None);
    assert_eq!(Site::from_host_name(".lan"), None);
}

#[test]
fn interface_names_escape_separators_wildcards_and_percent() {
    for name in [
        "eth0", "br-lan", "wlan0+", "a#b", "x/y", "50%", "tab\tx", "ö",
    ] {
        let e = escape(name);
        assert!(!e.contains(['/', '+', '#']), "{e}");
        assert_eq!(unescape(&e).as_deref(), Some(name), "{e}");
    }
    assert_eq!(escape("wlan0+"), "wlan0%2B");
    // Not what escape writes: a second spelling of one name, bad hex, wildcards, empty.
    for bad in ["%41", "%zz", "%4", "a+b", "a#", ""] {
        assert_eq!(unescape(bad), None, "{bad}");
    }
}

#[test]
fn the_topics_of_a_site_parse_back_to_what_they_name() {
    let t = Topics::new(site("lab-a"));
    let dev = t.device("wlan0+", PI);
    assert_eq!(dev, "v6scout/lab-a/wlan0%2B/b8:27:eb:5a:00:01");
    assert_eq!(
        parse(&dev),
        Some(Named::Device {
            site: site("lab-a"),
            iface: "wlan0+".into(),
            mac: PI
        })
    );
    assert_eq!(parse(&t.events()), Some(Named::Events(site("lab-a"))));
    assert_eq!(parse(&t.status()), Some(Named::Status(site("lab-a"))));
    assert_eq!(all_sites(), "v6scout/#");
}

#[test]
fn topics_v6scout_never_writes_name_nothing() {
    for bad in [
        "v6scout",
        "v6scout/lab-a",
        "v6scout/lab a/status",
        "v6scout/lab-a/other",
        "other/lab-a/status",
        "v6scout/lab-a/eth0/not-a-mac",
        "v6scout/lab-a/eth0/B8:27:EB:5A:00:01",
        "v6scout/lab-a/eth0/b827eb5a0001",
        "v6scout/lab-a/eth0/b8:27:eb:5a:00:01/extra",
        "v6scout//eth0/b8:27:eb:5a:00:01",
    ] {
        assert_eq!(parse(bad), None, "{bad}");
    }
}
