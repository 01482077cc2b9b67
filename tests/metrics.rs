//! `v6scout watch --metrics` in a namespace lab, scraped by a real Prometheus server that
//! the test starts inside the scanner's namespace (loopback only, its own config and data
//! directory, stopped by PID). Also a hostile client: garbage, a huge request, a client that
//! never finishes, many connections at once, while the watch's rounds go on. Needs root;
//! skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{scanner_bin, wait_for, Killed, Lab, TempDir};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const METRICS: &str = "127.0.0.1:9469";
const PROM: &str = "127.0.0.1:9099";

/// A program run in the scanner namespace (`ip netns exec` execs it: the pid is its own).
fn spawn_in(lab: &Lab, program: &str, args: &[&str]) -> Killed {
    Killed(
        Command::new("ip")
            .env("V6SCOUT_INVENTORY", "off")
            .env_remove("SUDO_UID")
            .args(["netns", "exec", &lab.scan_ns, program])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// GET `url` from inside the scanner namespace; `None` when it cannot be fetched.
fn get(lab: &Lab, url: &str) -> Option<String> {
    let out = lab.exec("curl", &["-sf", "--max-time", "5", url]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The value of the sample line `series` in an exposition text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter_map(|l| l.rsplit_once(' '))
        .find(|(s, _)| *s == series)
        .and_then(|(_, v)| v.parse().ok())
}

/// A Prometheus query through the HTTP API: the result vector.
fn query(lab: &Lab, q: &str) -> Option<Vec<Value>> {
    let url = format!("http://{PROM}/api/v1/query");
    let arg = format!("query={q}");
    let out = lab.exec(
        "curl",
        &["-sfG", "--max-time", "5", &url, "--data-urlencode", &arg],
    );
    let body = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&body).ok()?;
    (v["status"] == "success").then(|| v["data"]["result"].as_array().cloned())?
}

fn scans(lab: &Lab) -> f64 {
    let t = get(lab, &format!("http://{METRICS}/metrics")).expect("metrics endpoint");
    sample(&t, "v6scout_scans_total").unwrap()
}

#[test]
fn prometheus_scrapes_the_watch() {
    let Some(lab) = Lab::create(3, 1) else { return };
    let watch = spawn_in(
        &lab,
        scanner_bin(),
        &[
            "watch",
            "--jsonl",
            "--no-names",
            "--interval",
            "1s",
            "--gone-after",
            "1",
            "--metrics",
            METRICS,
        ],
    );
    let want: BTreeSet<String> = lab.manifest.hosts.iter().map(|h| h.mac.clone()).collect();
    let url = format!("http://{METRICS}/metrics");
    // Two rounds done: every lab device is up.
    let text = wait_for(Duration::from_secs(30), "two rounds in /metrics", || {
        get(&lab, &url).filter(|t| sample(t, "v6scout_scans_total") >= Some(2.0))
    });
    for iface in ["eth0", "eth1"] {
        let n = lab.hosts_on(iface).count() as f64;
        let series = format!("v6scout_hosts{{interface=\"{iface}\"}}");
        assert_eq!(sample(&text, &series), Some(n), "{text}");
    }

    // promtool accepts the exposition text (it reads it on stdin).
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // A real Prometheus, scraping every second, inside the scanner namespace.
    let dir = TempDir(std::env::temp_dir().join(format!("v6t-{}-prometheus", lab.runid)));
    std::fs::create_dir_all(dir.0.join("data")).unwrap();
    let config = dir.0.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: v6scout\n    static_configs:\n      - targets: ['{METRICS}']\n"
        ),
    )
    .unwrap();
    let _prom = spawn_in(
        &lab,
        "prometheus",
        &[
            &format!("--config.file={}", config.display()),
            &format!("--storage.tsdb.path={}", dir.0.join("data").display()),
            &format!("--web.listen-address={PROM}"),
        ],
    );
    let total = want.len() as f64;
    wait_for(
        Duration::from_secs(60),
        "the host count from Prometheus",
        || {
            let r = query(&lab, "sum(v6scout_hosts)")?;
            let v: f64 = r.first()?["value"][1].as_str()?.parse().ok()?;
            (v == total).then_some(())
        },
    );
    let ups = query(&lab, "v6scout_device_up").unwrap();
    let macs: Vec<String> = ups
        .iter()
        .map(|s| s["metric"]["mac"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(macs.len(), want.len(), "one up series per device: {ups:?}");
    assert_eq!(macs.into_iter().collect::<BTreeSet<_>>(), want);

    // A host leaves: its namespace (and so its link) is deleted.
    let gone = lab
        .manifest
        .hosts
        .iter()
        .find(|h| h.role == "host" && h.scanner_iface == "eth0")
        .expect("a plain host on link A");
    let pids = Command::new("ip")
        .args(["netns", "pids", &gone.namespace])
        .output()
        .unwrap();
    assert!(pids.stdout.is_empty(), "{} runs programs", gone.namespace);
    let before = scans(&lab);
    let del = Command::new("ip")
        .args(["netns", "del", &gone.namespace])
        .status()
        .unwrap();
    assert!(del.success());
    let mac = format!("mac=\"{}\"", gone.mac);
    let (at, text) = wait_for(Duration::from_secs(30), "its up at 0", || {
        let t = get(&lab, &url)?;
        let line = t
            .lines()
            .find(|l| l.starts_with("v6scout_device_up{") && l.contains(&mac))?;
        line.ends_with(" 0")
            .then(|| (sample(&t, "v6scout_scans_total"), t.clone()))
    });
    // The round running at the deletion may still have seen it; the next one did not.
    assert!(
        at.unwrap() <= before + 2.0,
        "0 only at round {at:?}, deleted after {before}\n{text}"
    );
    let q = format!("v6scout_device_up{{mac=\"{}\"}}", gone.mac);
    wait_for(Duration::from_secs(30), "up 0 in Prometheus", || {
        let r = query(&lab, &q)?;
        (r.first()?["value"][1] == "0").then_some(())
    });
    drop(watch);
}

/// Garbage, a huge request, clients that never finish and a flood of connections: each is
/// answered or closed, a normal scrape still works, and the rounds go on.
#[test]
fn hostile_clients_do_not_stop_the_watch() {
    let Some(lab) = Lab::create(1, 0) else { return };
    let _watch = spawn_in(
        &lab,
        scanner_bin(),
        &[
            "watch",
            "--no-names",
            "--interval",
            "1s",
            "--metrics",
            METRICS,
        ],
    );
    let url = format!("http://{METRICS}/metrics");
    wait_for(Duration::from_secs(30), "the first round", || {
        get(&lab, &url).filter(|t| sample(t, "v6scout_scans_total") >= Some(1.0))
    });
    // A wildcard address is refused, a busy port is one clear error: both before probing.
    for (args, why) in [
        (&["watch", "--metrics", "[::]:9470"][..], "--metrics-public"),
        (&["watch", "--metrics", METRICS][..], "serving metrics on"),
    ] {
        let out = lab.run_scanner(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("v6scout: error: ") && err.contains(why),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!err.contains("os error"), "{err}");
    }
    let before = scans(&lab);
    let status = |reply: &str| reply.split(' ').nth(1).map(String::from);
    let replies = common::in_ns(&lab.scan_ns, || {
        let ask = |req: &[u8]| {
            let mut s = TcpStream::connect(METRICS).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            // The server may close before taking all of a huge request.
            let _ = s.write_all(req);
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out);
            String::from_utf8_lossy(&out).into_owned()
        };
        let mut huge = b"GET /metrics HTTP/1.1\r\nX-Big: ".to_vec();
        huge.resize(1 << 20, b'a');
        let mut out = vec![
            ask(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n"),
            ask(&huge),
            ask(b"DELETE /metrics HTTP/1.1\r\n\r\n"),
        ];
        // Slow clients: connected, half a request, then nothing; more than the server
        // serves at once.
        let slow: Vec<TcpStream> = (0..40)
            .map(|_| {
                let mut s = TcpStream::connect(METRICS).unwrap();
                let _ = s.write_all(b"GET /metr");
                s
            })
            .collect();
        let started = Instant::now();
        // While they hold every slot a scrape may be closed unanswered; once they are cut
        // off (5 s), it is served again.
        let mut ok = String::new();
        while started.elapsed() < Duration::from_secs(60) {
            ok = ask(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            if ok.starts_with("HTTP/1.1 200") {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        out.push(ok);
        drop(slow);
        out
    });
    assert_eq!(
        status(&replies[0]).as_deref(),
        Some("400"),
        "{}",
        replies[0]
    );
    // Either a 431 or a closed connection, never the metrics.
    assert!(
        replies[1].is_empty() || status(&replies[1]).as_deref() == Some("431"),
        "{}",
        replies[1]
    );
    assert_eq!(
        status(&replies[2]).as_deref(),
        Some("405"),
        "{}",
        replies[2]
    );
    assert!(replies[3].contains("v6scout_scans_total"), "{}", replies[3]);
    // The watch went on scanning meanwhile, and serves still.
    wait_for(Duration::from_secs(20), "more rounds", || {
        (scans(&lab) >= before + 3.0).then_some(())
    });
    // Its memory stayed small (RSS of the watch process, in kB).
    let pid = _watch.0.id();
    let status_file = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss: u64 = status_file
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert!(rss < 64 * 1024, "watch uses {rss} kB");
}
