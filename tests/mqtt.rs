//! `watch --mqtt` and `collect` against a real broker: Debian's mosquitto with a password
//! file, on loopback inside the lab's scanner namespace (tests/common/broker.rs). The two
//! lab links play two sites, each with its own watcher; a hub records both. Checked with
//! mosquitto_sub: the retained device states, the events, the status and the last will,
//! Home Assistant discovery; a broker stopped and started mid-watch; hostile messages the
//! hub must drop. Needs root and mosquitto; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::broker::{self, Broker};
use common::extra_host::ExtraHost;
use common::watch::Watch;
use common::{scanner_bin, wait_for, Killed, Lab, TempDir};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// A lab with `a` hosts on link A (site lab-a, eth0) and `b` on link B (site lab-b, eth1),
/// and a broker in the scanner's namespace (the broker is dropped before the lab).
fn lab(a: usize, b: usize) -> Option<(Broker, Lab)> {
    if !broker::available() {
        common::skip_or_fail("mosquitto is not installed (tests/deps.sh installs it)");
        return None;
    }
    let lab = Lab::create(a, b)?;
    let broker = Broker::start(&lab.scan_ns, &lab.runid);
    Some((broker, lab))
}

/// `v6scout watch --jsonl -i IFACE --site SITE --interval 1s --mqtt URL ARGS…` in the
/// scanner's namespace.
fn watch(lab: &Lab, iface: &str, site: &str, url: &str, args: &[&str]) -> Watch {
    let mut all = vec![
        "watch",
        "--jsonl",
        "-i",
        iface,
        "--interval",
        "1s",
        "--site",
        site,
        "--mqtt",
        url,
    ];
    all.extend_from_slice(args);
    Watch::spawn(&mut lab.command(scanner_bin(), &all))
}

/// The hub: `v6scout collect URL --inventory PATH`.
fn hub(lab: &Lab, b: &Broker, inventory: &Path) -> Watch {
    let pw = b.password_file();
    let args = [
        "collect",
        &b.url_without_password(),
        "--mqtt-password-file",
        pw.to_str().unwrap(),
        "--inventory",
        inventory.to_str().unwrap(),
    ];
    Watch::spawn(&mut lab.command(scanner_bin(), &args))
}

/// The hub's `history --json` devices (empty until its file exists).
fn hub_devices(lab: &Lab, inventory: &Path, extra: &[&str]) -> Vec<Value> {
    if !inventory.exists() {
        return Vec::new();
    }
    let mut args = vec![
        "history",
        "--json",
        "--inventory",
        inventory.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = lab.run_scanner(&args);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    doc["devices"].as_array().cloned().unwrap_or_default()
}

/// The MACs of the hosts on `link` (the router included on link A).
fn macs_on(lab: &Lab, link: &str) -> Vec<String> {
    let mut m: Vec<String> = (lab.manifest.hosts.iter())
        .filter(|h| h.link == link && h.role != "switch")
        .map(|h| h.mac.clone())
        .collect();
    m.sort();
    m
}

/// The MACs with a retained device state under `v6scout/SITE/IFACE/`.
fn retained_macs(b: &Broker, site: &str, iface: &str) -> Vec<String> {
    let prefix = format!("v6scout/{site}/{iface}/");
    let mut m: Vec<String> = (b.retained(&format!("v6scout/{site}/#")).into_iter())
        .filter_map(|(t, _)| t.strip_prefix(&prefix).map(str::to_owned))
        .collect();
    m.sort();
    m
}

/// A temp path for the hub's inventory, removed (with its WAL files) on drop.
struct TempInventory(PathBuf);

impl TempInventory {
    fn new(lab: &Lab) -> TempInventory {
        TempInventory(std::env::temp_dir().join(format!("v6t-{}-hub.sqlite3", lab.runid)))
    }
}

impl Drop for TempInventory {
    fn drop(&mut self) {
        for ext in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(ext);
            let _ = std::fs::remove_file(p);
        }
    }
}

#[test]
fn two_sites_publish_their_devices_and_one_hub_records_and_names_both() {
    let Some((b, lab)) = lab(3, 2) else { return };
    let inv = TempInventory::new(&lab);
    let mut hub = hub(&lab, &b, &inv.0);
    let mut sub = b.subscribe(&["v6scout/#", "homeassistant/#"]);
    let a = watch(&lab, "eth0", "lab-a", &b.url(), &["--mqtt-ha"]);
    let pw = b.password_file();
    let site_b = ["--mqtt-password-file", pw.to_str().unwrap()];
    let wb = watch(&lab, "eth1", "lab-b", &b.url_without_password(), &site_b);
    let (on_a, on_b) = (macs_on(&lab, "a"), macs_on(&lab, "b"));

    // Every device of each site, retained, as its watch sees it.
    wait_for(WAIT, "every device of both sites retained", || {
        (retained_macs(&b, "lab-a", "eth0") == on_a && retained_macs(&b, "lab-b", "eth1") == on_b)
            .then_some(())
    });
    let states = b.retained("v6scout/lab-a/eth0/#");
    for (topic, payload) in &states {
        let s: Value = serde_json::from_str(payload).unwrap();
        let mac = topic.rsplit('/').next().unwrap();
        let host = lab.manifest.hosts.iter().find(|h| h.mac == mac).unwrap();
        assert_eq!(
            (s["site"].as_str(), s["interface"].as_str()),
            (Some("lab-a"), Some("eth0"))
        );
        assert_eq!(s["mac"], mac);
        assert_eq!(s["present"], true, "{payload}");
        assert_eq!(s["router"], host.router, "{payload}");
        let ll = host
            .addresses
            .iter()
            .find(|a| a.starts_with("fe80"))
            .unwrap();
        let scoped = format!("{ll}%eth0");
        let listed = s["addresses"].as_array().unwrap();
        let it = listed.iter().find(|x| x["scoped"] == scoped.as_str());
        let it = it.unwrap_or_else(|| panic!("{scoped} not in {payload}"));
        assert!(!it["seen_by"].as_array().unwrap().is_empty(), "{payload}");
    }
    // The status, the events, and one discovery config per device of lab-a.
    assert_eq!(
        b.retained("v6scout/lab-a/status"),
        [("v6scout/lab-a/status".into(), "online".into())]
    );
    for mac in &on_a {
        let present = sub.wait_for(
            |t, p| {
                t == "v6scout/lab-a/events" && p.contains("\"present\"") && p.contains(mac.as_str())
            },
            WAIT,
        );
        assert!(present.is_some(), "no present event for {mac}");
        let id = mac.replace(':', "");
        let topic = format!("homeassistant/device_tracker/v6scout_lab-a/eth0_{id}/config");
        let config = b.retained(&topic);
        assert_eq!(config.len(), 1, "{topic}");
        let c: Value = serde_json::from_str(&config[0].1).unwrap();
        assert_eq!(c["source_type"], "router");
        assert_eq!(c["state_topic"], format!("v6scout/lab-a/eth0/{mac}"));
        assert_eq!(c["availability_topic"], "v6scout/lab-a/status");
        assert_eq!(
            c["device"]["connections"][0],
            serde_json::json!(["mac", mac])
        );
    }
    assert!(
        b.retained("homeassistant/device_tracker/v6scout_lab-b/#")
            .is_empty(),
        "no --mqtt-ha"
    );

    // The hub: every device of both sites, each with its site.
    let all = wait_for(WAIT, "the hub to record both sites", || {
        let d = hub_devices(&lab, &inv.0, &[]);
        let site_macs = |site: &str| {
            let mut m: Vec<String> = (d.iter())
                .filter(|x| x["site"] == site)
                .map(|x| x["mac"].as_str().unwrap().to_owned())
                .collect();
            m.sort();
            m
        };
        (site_macs("lab-a") == on_a && site_macs("lab-b") == on_b).then_some(d)
    });
    assert!(all
        .iter()
        .all(|d| d["interface"] == if d["site"] == "lab-a" { "eth0" } else { "eth1" }));
    let only_b = hub_devices(&lab, &inv.0, &["--site", "lab-b"]);
    assert_eq!(only_b.len(), on_b.len());
    assert!(only_b.iter().all(|d| d["site"] == "lab-b"));

    // resolve on the hub's machine, scanning only link A: a device only site lab-b saw.
    let mac_b = &on_b[0];
    let out = lab.run_scanner(&[
        "resolve",
        mac_b,
        "-i",
        "eth0",
        "--inventory",
        inv.0.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not on this machine's links"), "{err}");
    assert!(err.contains("site lab-b on eth1"), "{err}");

    // SIGKILL: the broker publishes the last will, the hub sees the site go offline.
    drop(wb.stop(libc::SIGKILL));
    wait_for(WAIT, "lab-b's last will", || {
        (b.retained("v6scout/lab-b/status") == [("v6scout/lab-b/status".into(), "offline".into())])
            .then_some(())
    });
    hub.expect_line(WAIT, "- site lab-b offline");
    // A clean stop says offline itself.
    let (code, _, _) = a.stop(libc::SIGTERM);
    assert_eq!(code, Some(0));
    assert_eq!(
        b.retained("v6scout/lab-a/status"),
        [("v6scout/lab-a/status".into(), "offline".into())]
    );
    let (code, _, err) = hub.stop(libc::SIGTERM);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("dropped none"), "{err}");
}

/// `v6scout_NAME` from the watch's metrics on [::1]:9469 (`None` until it serves them).
fn metric(lab: &Lab, name: &str) -> Option<f64> {
    let out = lab.exec(
        "curl",
        &["-sf", "--max-time", "5", "http://[::1]:9469/metrics"],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn a_broker_stopped_mid_watch_holds_up_no_round_and_gets_every_device_again() {
    let Some((mut b, lab)) = lab(3, 0) else {
        return;
    };
    let on_a = macs_on(&lab, "a");
    let mut w = watch(
        &lab,
        "eth0",
        "lab-a",
        &b.url(),
        &["--metrics", "[::1]:9469"],
    );
    wait_for(WAIT, "every device retained", || {
        (retained_macs(&b, "lab-a", "eth0") == on_a).then_some(())
    });
    wait_for(WAIT, "connected in the metrics", || {
        (metric(&lab, "v6scout_mqtt_up") == Some(1.0)).then_some(())
    });

    // The broker goes (without persistence: every retained message with it).
    b.stop();
    let rounds = wait_for(WAIT, "the outage in the metrics", || {
        (metric(&lab, "v6scout_mqtt_up") == Some(0.0))
            .then(|| metric(&lab, "v6scout_scans_total"))
            .flatten()
    });
    // Rounds go on while it is away, and see a device that comes meanwhile.
    wait_for(WAIT, "three more rounds while the broker is away", || {
        metric(&lab, "v6scout_scans_total").filter(|n| *n >= rounds + 3.0)
    });
    let newcomer = "02:00:5e:10:00:99";
    let _extra = ExtraHost::plug(&lab, newcomer);
    w.expect(WAIT, "the newcomer appearing", |e| {
        e["type"] == "appeared" && e["mac"] == newcomer
    });

    // Back: every present device published again, the newcomer too.
    b.restart();
    let mut all = on_a.clone();
    all.push(newcomer.to_owned());
    all.sort();
    wait_for(
        WAIT,
        "every device published again after the restart",
        || (retained_macs(&b, "lab-a", "eth0") == all).then_some(()),
    );
    assert_eq!(
        b.retained("v6scout/lab-a/status"),
        [("v6scout/lab-a/status".into(), "online".into())]
    );
    wait_for(WAIT, "reconnected in the metrics", || {
        metric(&lab, "v6scout_mqtt_connects_total").filter(|n| *n >= 2.0)
    });
    let (code, _, err) = w.stop(libc::SIGTERM);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("MQTT broker"), "the outage is said: {err}");
    assert_eq!(
        err.matches("retrying with a growing pause").count(),
        1,
        "said once: {err}"
    );
    assert!(err.contains("connected again"), "{err}");
}

#[test]
fn hostile_messages_on_v6scout_topics_are_dropped_counted_and_never_a_row() {
    let Some((b, lab)) = lab(1, 0) else { return };
    let inv = TempInventory::new(&lab);
    let hub = hub(&lab, &b, &inv.0);
    // One good state, as a watch writes it, so the hub is seen recording.
    let good_mac = "02:00:5e:10:00:01";
    let state = |site: &str, mac: &str| {
        serde_json::json!({
            "v": 1, "site": site, "interface": "eth0", "mac": mac, "present": true,
            "vendor": null, "private_mac": true, "router": false, "label": null,
            "names": [], "addresses": [{"address": "fe80::1", "scoped": "fe80::1%eth0",
            "seen_by": ["echo"]}], "ipv4": [],
            "last_seen": humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        })
    };
    b.publish(
        &format!("v6scout/lab-a/eth0/{good_mac}"),
        state("lab-a", good_mac).to_string(),
        true,
    );
    wait_for(WAIT, "the good state recorded", || {
        (hub_devices(&lab, &inv.0, &[]).len() == 1).then_some(())
    });

    let bad_mac = "02:00:5e:10:00:66";
    let topic = format!("v6scout/lab-a/eth0/{bad_mac}");
    // Garbage, huge, wrong types, a forged site, a topic we never write.
    b.publish(&topic, b"\x00\xffnot json at all".as_slice(), false);
    let huge = std::env::temp_dir().join(format!("v6t-{}-huge", lab.runid));
    std::fs::write(&huge, vec![b'x'; 1 << 20]).unwrap();
    b.publish_file(&topic, &huge, false);
    std::fs::remove_file(&huge).unwrap();
    let mut wrong = state("lab-a", bad_mac);
    wrong["addresses"] = serde_json::json!("fe80::1");
    b.publish(&topic, wrong.to_string(), false);
    b.publish(&topic, state("lab-b", bad_mac).to_string(), false);
    b.publish(&format!("v6scout/lab-a/eth0/{bad_mac}/deeper"), "{}", false);
    // A last good message on another site: recorded only once everything before it is
    // taken, so the counts below are complete.
    let last = "02:00:5e:10:00:02";
    b.publish(
        &format!("v6scout/lab-c/eth0/{last}"),
        state("lab-c", last).to_string(),
        false,
    );
    let devices = wait_for(WAIT, "the last good state recorded", || {
        let d = hub_devices(&lab, &inv.0, &[]);
        (d.len() == 2).then_some(d)
    });
    assert!(devices.iter().all(|d| d["mac"] != bad_mac), "{devices:?}");
    let (code, _, err) = hub.stop(libc::SIGTERM);
    assert_eq!(code, Some(0), "never a crash: {err}");
    assert!(
        err.contains("dropped 5 (topic 1, too-big 1, garbage 1, shape 1, forged 1)"),
        "{err}"
    );
    assert!(
        err.contains("recorded 2 device states from 2 sites"),
        "{err}"
    );

    // Under sudo the hub is the invoking user before it reads a file: root's password
    // file (0600) is not for it.
    let pw = b.password_file();
    let url = b.url_without_password();
    let theirs = std::env::temp_dir().join(format!("v6t-{}-user.sqlite3", lab.runid));
    let theirs = TempInventory(theirs);
    // Bounded: a hub that did read it would connect and run until stopped.
    let args = [
        "60",
        scanner_bin(),
        "collect",
        &url,
        "--mqtt-password-file",
        pw.to_str().unwrap(),
        "--inventory",
        theirs.0.to_str().unwrap(),
    ];
    let out = lab
        .command("timeout", &args)
        .env("SUDO_UID", "65534")
        .env("SUDO_GID", "65534")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--mqtt-password-file") && err.contains("ermission"),
        "{err}"
    );
}

/// The `v6scout` lines of README's two-site block, without `sudo`.
fn readme_commands() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### Several sites")
        .nth(1)
        .and_then(|s| s.split("```sh").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("README's two-site block");
    (section.lines())
        .map(|l| l.trim().trim_start_matches("sudo ").to_owned())
        .filter(|l| l.starts_with("v6scout "))
        .collect()
}

#[test]
fn readmes_two_site_commands_work_as_written() {
    let Some((b, lab)) = lab(2, 2) else { return };
    let inv = TempInventory::new(&lab);
    let pw = b.password_file();
    let on_b = macs_on(&lab, "b");
    // On one lab machine, with this broker, its password file, a temp inventory, and the
    // second site on the lab's second link; resolve scans only the first, so the device
    // it names is one only the second site saw.
    let local = |line: &str| -> Vec<String> {
        let line = line
            .replace("broker.lan", "127.0.0.1")
            .replace("/etc/v6scout/mqtt.pw", pw.to_str().unwrap())
            .replace("~/.config/v6scout/mqtt.pw", pw.to_str().unwrap())
            .replace("~/sites.sqlite3", inv.0.to_str().unwrap())
            .replace("b8:27:eb:89:bc:51", &format!("{} -i eth0", on_b[0]));
        let line = if line.contains("--site lab ") {
            line.replace("-i eth0", "-i eth1")
        } else {
            line
        };
        line.split_whitespace().skip(1).map(str::to_owned).collect()
    };
    let commands = readme_commands();
    assert_eq!(commands.len(), 6, "{commands:?}");
    let spawn = |line: &str| {
        let args = local(line);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Watch::spawn(&mut lab.command(scanner_bin(), &args))
    };
    let (office, site_lab, hub) = (
        spawn(&commands[0]),
        spawn(&commands[1]),
        spawn(&commands[2]),
    );
    let (on_a, on_b) = (macs_on(&lab, "a"), macs_on(&lab, "b"));
    wait_for(WAIT, "the hub to record both sites", || {
        let d = hub_devices(&lab, &inv.0, &[]);
        let n = |site: &str| d.iter().filter(|x| x["site"] == site).count();
        (n("office") == on_a.len() && n("lab") == on_b.len()).then_some(())
    });
    assert_eq!(
        b.retained("homeassistant/device_tracker/v6scout_lab/#")
            .len(),
        on_b.len()
    );
    let run = |line: &str| {
        let args = local(line);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        lab.run_scanner(&args)
    };
    let all = run(&commands[3]);
    assert!(
        all.status.success(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    let text = String::from_utf8_lossy(&all.stdout);
    assert!(
        text.contains("office/eth0") && text.contains("lab/eth1"),
        "{text}"
    );
    let lab_only = run(&commands[4]);
    let doc: Value = serde_json::from_slice(&lab_only.stdout).unwrap();
    assert!(doc["devices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["site"] == "lab"));
    let resolve = run(&commands[5]);
    let err = String::from_utf8_lossy(&resolve.stderr);
    assert_eq!(resolve.status.code(), Some(1), "{err}");
    assert!(err.contains("last seen at site lab on eth1"), "{err}");
    for w in [office, site_lab, hub] {
        let (code, _, err) = w.stop(libc::SIGTERM);
        assert_eq!(code, Some(0), "{err}");
    }
}

#[test]
fn a_device_an_earlier_run_left_present_is_gone_once_the_new_run_has_looked() {
    let Some((b, lab)) = lab(1, 0) else { return };
    // What an earlier watch of the site left: a device that went while no watch ran.
    let left = "02:00:5e:10:00:42";
    let state = serde_json::json!({
        "v": 1, "site": "lab-a", "interface": "eth0", "mac": left, "present": true,
        "vendor": null, "private_mac": true, "router": false, "label": null, "names": [],
        "addresses": [{"address": "fe80::42", "scoped": "fe80::42%eth0", "seen_by": ["echo"]}],
        "ipv4": [], "last_seen": "2026-12-01T10:00:00.000Z",
    });
    let topic = format!("v6scout/lab-a/eth0/{left}");
    b.publish(&topic, state.to_string(), true);
    let w = watch(&lab, "eth0", "lab-a", &b.url(), &[]);
    let gone = wait_for(WAIT, "the earlier device marked gone", || {
        let r = b.retained(&topic);
        let s: Value = serde_json::from_str(&r.first()?.1).ok()?;
        (s["present"] == false).then_some(s)
    });
    assert_eq!(
        gone["last_seen"], "2026-12-01T10:00:00.000Z",
        "its last sighting stays"
    );
    // The devices this run sees stay present.
    let on_a = macs_on(&lab, "a");
    for mac in &on_a {
        let r = b.retained(&format!("v6scout/lab-a/eth0/{mac}"));
        let s: Value = serde_json::from_str(&r[0].1).unwrap();
        assert_eq!(s["present"], true, "{mac}");
    }
    let (code, _, err) = w.stop(libc::SIGTERM);
    assert_eq!(code, Some(0), "{err}");
}

/// mqtts://: refused while the broker's certificate is not trusted (the warning says
/// why), published once the trust store (here SSL_CERT_FILE) has its CA. TLS is socat's,
/// in front of the broker, on 127.0.0.1:8883.
#[test]
fn mqtts_checks_the_brokers_certificate_against_the_trust_store() {
    let Some((b, lab)) = lab(1, 0) else { return };
    let dir = TempDir(std::env::temp_dir().join(format!("v6t-{}-mqtts", lab.runid)));
    std::fs::create_dir_all(&dir.0).unwrap();
    let (ca, cert, key) = common::tls::certificates(&dir.0, "127.0.0.1");
    let listen = format!(
        "OPENSSL-LISTEN:8883,bind=127.0.0.1,reuseaddr,fork,cert={},key={},verify=0",
        cert.display(),
        key.display()
    );
    let _socat = Killed(
        lab.command("socat", &[&listen, "TCP4:127.0.0.1:1883"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(WAIT, "socat listening", || {
        let out = lab.exec("ss", &["-Hltn", "sport = :8883"]);
        (!out.stdout.is_empty()).then_some(())
    });
    let url = format!("mqtts://{}:{}@127.0.0.1:8883", b.user(), b.password());

    // Not trusted: nothing published, and the warning says it is the certificate.
    let w = watch(&lab, "eth0", "lab-a", &url, &[]);
    wait_for(WAIT, "the refused certificate said", || {
        let e = w.stderr_text();
        e.contains("MQTT broker").then_some(e)
    });
    let (code, _, err) = w.stop(libc::SIGTERM);
    assert_eq!(code, Some(0), "{err}");
    let said = err.lines().find(|l| l.contains("MQTT broker")).unwrap();
    eprintln!("untrusted broker: {said}");
    assert!(said.to_lowercase().contains("certificate"), "{said}");
    assert!(!said.contains(b.password()), "{said}");
    assert!(b.retained("v6scout/#").is_empty());

    // Trusted: every device over TLS.
    let on_a = macs_on(&lab, "a");
    let mut all = vec!["watch", "--jsonl", "-i", "eth0", "--interval", "1s"];
    all.extend(["--site", "lab-a", "--mqtt", &url]);
    let mut cmd = lab.command(scanner_bin(), &all);
    cmd.env("SSL_CERT_FILE", &ca);
    let w = Watch::spawn(&mut cmd);
    wait_for(WAIT, "every device over TLS", || {
        (retained_macs(&b, "lab-a", "eth0") == on_a).then_some(())
    });
    let (code, _, err) = w.stop(libc::SIGTERM);
    assert_eq!(code, Some(0), "{err}");
}
