//! `v6scout watch --notify` against real HTTP receivers: small HTTP servers this test runs
//! on loopback ([::1]) inside the lab's scanner namespace (sockets bound by a thread that
//! entered it), answering as each test needs (200, 500 then 200, 404, never), and socat
//! in front of one for HTTPS. The bodies are checked against the --jsonl lines of the same
//! run. Needs root; skipped otherwise unless V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) exist on Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::extra_host::ExtraHost;
use common::watch::Watch;
use common::{ip, scanner_bin, wait_for, Killed, Lab, TempDir};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

const SECS: fn(u64) -> Duration = Duration::from_secs;
const METRICS: &str = "[::1]:9469";

/// How a receiver answers.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// 200 to everything.
    Ok,
    /// 500 to the first request, 200 to the rest.
    FailFirst,
    /// This status to everything.
    Status(u16),
    /// Takes the connection and never answers.
    Never,
}

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    /// Header names in lower case.
    headers: Vec<(String, String)>,
    body: String,
    /// The status it was answered with (`None`: never answered).
    status: Option<u16>,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        (self.headers.iter())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP server on [::1] in the scanner namespace; stopped (and its connections closed)
/// on drop.
struct Server {
    port: u16,
    got: Arc<Mutex<Vec<Got>>>,
    connections: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(lab: &Lab, answer: Answer) -> Server {
        let listener = common::in_ns(&lab.scan_ns, || TcpListener::bind("[::1]:0").unwrap());
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, c, s) = (got.clone(), connections.clone(), stop.clone());
        let thread = std::thread::spawn(move || serve(&listener, answer, &g, &c, &s));
        Server {
            port,
            got,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://[::1]:{}{path}", self.port)
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Accepts until `stop`; answers each request as `answer` says, one connection at a time
/// (`Never`: keeps the connection open, unanswered, until the end).
fn serve(
    listener: &TcpListener,
    answer: Answer,
    got: &Mutex<Vec<Got>>,
    connections: &Mutex<usize>,
    stop: &AtomicBool,
) {
    let mut held = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(e) => panic!("accept: {e}"),
        };
        *connections.lock().unwrap() += 1;
        if let Answer::Never = answer {
            held.push(stream);
            continue;
        }
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(SECS(10))).unwrap();
        let Some(mut req) = read_request(&stream) else {
            continue;
        };
        let n = got.lock().unwrap().len();
        let status = match answer {
            Answer::Ok => 200,
            Answer::FailFirst if n == 0 => 500,
            Answer::FailFirst => 200,
            Answer::Status(s) => s,
            Answer::Never => unreachable!(),
        };
        req.status = Some(status);
        got.lock().unwrap().push(req);
        let reply = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope"
        );
        let _ = (&stream).write_all(reply.as_bytes());
    }
}

/// One request: request line, headers, a Content-Length body.
fn read_request(stream: &TcpStream) -> Option<Got> {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    assert_eq!(parts.next(), Some("POST"), "{line}");
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let len: usize = (headers.iter())
        .find(|(k, _)| k == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .expect("a Content-Length");
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Got {
        path,
        headers,
        body: String::from_utf8(body).unwrap(),
        status: None,
    })
}

/// `v6scout watch ARGS` in the scanner namespace, with `env` and without the proxy and
/// certificate variables of whoever runs the tests.
fn start_watch(lab: &Lab, args: &[&str], env: &[(&str, &str)]) -> Watch {
    let mut cmd = lab.command(scanner_bin(), &["watch"]);
    for v in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "SSL_CERT_FILE",
    ] {
        cmd.env_remove(v);
    }
    Watch::spawn(cmd.args(args).envs(env.iter().copied()))
}

/// The value of `series` at the watch's metrics endpoint, fetched inside the namespace.
fn metric(lab: &Lab, series: &str) -> Option<f64> {
    let out = lab.exec(
        "curl",
        &[
            "-sf",
            "--max-time",
            "5",
            &format!("http://{METRICS}/metrics"),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .filter_map(|l| l.rsplit_once(' '))
        .find(|(s, _)| *s == series)
        .and_then(|(_, v)| v.parse().ok())
}

/// The lines of `lines` whose type is one of `types` (`appeared` only when not returning).
fn events_of(lines: &[String], types: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let t = v["type"].as_str().unwrap();
            types.contains(&t) && !(t == "appeared" && v["returning"] == true)
        })
        .cloned()
        .collect()
}

/// The ntfy message of a JSON event line (appeared or gone), as v6scout words it.
fn ntfy_message(line: &str) -> String {
    let v: Value = serde_json::from_str(line).unwrap();
    let (marker, what) = match v["type"].as_str().unwrap() {
        "appeared" => ('+', "appeared"),
        "gone" => ('-', "gone"),
        t => panic!("no ntfy message for {t} in this test"),
    };
    let mut s = format!("{marker} {}", v["mac"].as_str().unwrap());
    if v["private_mac"] == true {
        s.push_str(" (private MAC)");
    } else if let Some(vendor) = v["vendor"].as_str() {
        s.push_str(&format!(" ({vendor})"));
    }
    if v["router"] == true {
        s.push_str(" [router]");
    }
    let addrs: Vec<&str> = v["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for a in addrs.iter().take(3) {
        let scoped = if a.starts_with("fe80:") {
            format!("{a}%eth0")
        } else {
            (*a).to_owned()
        };
        s.push_str(&format!(" {scoped}"));
    }
    if addrs.len() > 3 {
        s.push_str(&format!(" and {} more", addrs.len() - 3));
    }
    format!("{s} {what}")
}

/// A host appears and another goes: a webhook gets exactly those events' JSON lines, an
/// ntfy topic their messages with title, tags and priority; devices already there at the
/// first scan are not notified (`--notify-on new,gone`).
#[test]
fn a_webhook_and_an_ntfy_topic_get_the_events() {
    let Some(lab) = Lab::create(2, 0) else { return };
    let hook = Server::start(&lab, Answer::Ok);
    let topic = Server::start(&lab, Answer::Ok);
    let hook_url = hook.url("http", "/hook");
    let topic_url = topic.url("ntfy+http", "/v6t-lab");
    let mut w = start_watch(
        &lab,
        &[
            "--jsonl",
            "--interval",
            "1s",
            "-i",
            "eth0",
            "--notify",
            &hook_url,
            "--notify",
            &topic_url,
            "--notify-on",
            "new,gone",
        ],
        &[],
    );
    let rtr = (lab.manifest.hosts.iter())
        .find(|h| h.role == "router")
        .unwrap();
    w.expect(SECS(15), "the router as present", |v| {
        v["type"] == "present" && v["mac"] == rtr.mac.as_str()
    });
    let pi_mac = "b8:27:eb:90:00:90";
    let pi = ExtraHost::plug(&lab, pi_mac);
    w.expect(SECS(20), "the Pi appearing", |v| {
        v["type"] == "appeared" && v["mac"] == pi_mac
    });
    let leaving = (lab.hosts_on("eth0"))
        .find(|h| h.role == "host")
        .expect("a host on link A");
    ip(&["netns", "del", &leaving.namespace]);
    w.expect(SECS(20), "the host going", |v| {
        v["type"] == "gone" && v["mac"] == leaving.mac.as_str()
    });
    wait_for(SECS(30), "both notifications at both receivers", || {
        (hook.got().len() >= 2 && topic.got().len() >= 2).then_some(())
    });
    let (code, lines, stderr) = w.stop(libc::SIGINT);
    drop(pi);
    assert_eq!(code, Some(0), "{stderr}");

    // The webhook: exactly the chosen JSON lines of this run, in order, each once.
    let want = events_of(&lines, &["appeared", "gone"]);
    assert!(want.len() >= 2, "{lines:#?}");
    let got = hook.got();
    let bodies: Vec<&str> = got.iter().map(|g| g.body.as_str()).collect();
    assert_eq!(bodies, want, "stderr: {stderr}");
    for g in &got {
        assert_eq!(g.path, "/hook");
        assert_eq!(g.header("content-type"), Some("application/json"));
    }
    assert!(
        (got.iter()).any(|g| g.body.contains(pi_mac) && g.body.contains("\"appeared\"")),
        "{bodies:#?}"
    );
    assert!(
        (got.iter()).any(|g| g.body.contains(&leaving.mac) && g.body.contains("\"gone\"")),
        "{bodies:#?}"
    );

    // The ntfy topic: the same events, as messages.
    let got = topic.got();
    let messages: Vec<&str> = got.iter().map(|g| g.body.as_str()).collect();
    let want_messages: Vec<String> = want.iter().map(|l| ntfy_message(l)).collect();
    assert_eq!(messages, want_messages);
    for (g, line) in got.iter().zip(&want) {
        assert_eq!(g.path, "/v6t-lab");
        assert_eq!(g.header("content-type"), Some("text/plain; charset=utf-8"));
        assert_eq!(g.header("priority"), Some("3"));
        let (title, tags) = if line.contains("\"type\":\"gone\"") {
            ("Device gone from eth0", "heavy_minus_sign,gone")
        } else {
            ("New device on eth0", "heavy_plus_sign,appeared")
        };
        assert_eq!(g.header("title"), Some(title), "{g:?}");
        assert_eq!(g.header("tags"), Some(tags), "{g:?}");
    }
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with(&format!("+ {pi_mac} (Raspberry Pi"))
                && m.ends_with(" fe80::ba27:ebff:fe90:90%eth0 appeared")),
        "{messages:#?}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// A receiver that answers 500 then 200 gets each event once (the first after one retry);
/// one that answers 404 gets each once too, never retried, each failure counted, and one
/// warning for the whole streak.
#[test]
fn a_failing_receiver_gets_each_event_once() {
    let Some(lab) = Lab::create(2, 0) else { return };
    let flaky = Server::start(&lab, Answer::FailFirst);
    let refusing = Server::start(&lab, Answer::Status(404));
    let (flaky_url, refusing_url) = (flaky.url("http", "/flaky"), refusing.url("http", "/gone"));
    let mut w = start_watch(
        &lab,
        &[
            "--jsonl",
            "--interval",
            "1s",
            "-i",
            "eth0",
            "--notify",
            &flaky_url,
            "--notify",
            &refusing_url,
            "--notify-on",
            "present",
            "--metrics",
            METRICS,
        ],
        &[],
    );
    let n = lab.hosts_on("eth0").count();
    for _ in 0..n {
        w.expect(SECS(15), "a present line", |v| v["type"] == "present");
    }
    wait_for(SECS(30), "every notification counted", || {
        let sent = metric(&lab, "v6scout_notify_sent_total")?;
        let failed = metric(&lab, "v6scout_notify_failures_total")?;
        (sent + failed >= 2.0 * n as f64).then_some(())
    });
    let counted = |s: &str| metric(&lab, s).unwrap() as usize;
    let (sent, retried, failed, dropped) = (
        counted("v6scout_notify_sent_total"),
        counted("v6scout_notify_retries_total"),
        counted("v6scout_notify_failures_total"),
        counted("v6scout_notify_dropped_total"),
    );
    let (code, lines, stderr) = w.stop(libc::SIGINT);
    assert_eq!(code, Some(0), "{stderr}");
    let present = events_of(&lines, &["present"]);
    assert_eq!(present.len(), n, "{lines:#?}");
    eprintln!(
        "{n} events to 2 receivers: delivered {sent}, retried {retried}, failed {failed}, \
         dropped {dropped}"
    );
    assert_eq!((sent, retried, failed, dropped), (n, 1, n, 0), "{stderr}");

    // 500 then 200: the first event twice (the retry), then each once; nothing else.
    let got = flaky.got();
    let bodies: Vec<&str> = got.iter().map(|g| g.body.as_str()).collect();
    let mut want: Vec<&str> = present.iter().map(String::as_str).collect();
    want.insert(0, want[0]);
    assert_eq!(bodies, want);
    let statuses: Vec<u16> = got.iter().map(|g| g.status.unwrap()).collect();
    assert_eq!(statuses[0], 500);
    assert!(statuses[1..].iter().all(|s| *s == 200), "{statuses:?}");

    // 404: each once, never again.
    let got = refusing.got();
    let bodies: Vec<&str> = got.iter().map(|g| g.body.as_str()).collect();
    assert_eq!(bodies, present);
    let failures: Vec<&str> = (stderr.lines())
        .filter(|l| l.contains("notification was not delivered"))
        .collect();
    assert_eq!(failures.len(), 1, "one warning per streak: {stderr}");
    assert!(
        failures[0].contains(&format!("--notify {refusing_url}: a present notification"))
            && failures[0].contains("HTTP 404: nope; 1 try made"),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
}

/// A receiver that takes the connection and never answers: the rounds go on meanwhile (as
/// many as the schedule makes while the first notification is tried and tried again), and
/// each failure is counted, warned about once.
#[test]
fn a_receiver_that_never_answers_does_not_delay_the_rounds() {
    let Some(lab) = Lab::create(1, 0) else { return };
    let hung = Server::start(&lab, Answer::Never);
    let url = hung.url("http", "/hung");
    let w = start_watch(
        &lab,
        &[
            "--interval",
            "1s",
            "-i",
            "eth0",
            "--notify",
            &url,
            "--notify-on",
            "present",
            "--notify-timeout",
            "2s",
            "--metrics",
            METRICS,
        ],
        &[],
    );
    // The first notification's first try is hanging.
    wait_for(SECS(30), "a connection to the hung receiver", || {
        (hung.connections() >= 1).then_some(())
    });
    // Rounds done, and when the latest started.
    let round = || {
        let n = metric(&lab, "v6scout_scans_total")?;
        Some((n, metric(&lab, "v6scout_last_scan_timestamp_seconds")?))
    };
    let (r0, t0) = wait_for(SECS(30), "the metrics", round);
    // It fails after 3 tries of 2 s, 1 s and 2 s apart: counted, once.
    let (r1, t1) = wait_for(SECS(60), "the first failure counted", || {
        let f = metric(&lab, "v6scout_notify_failures_total")?;
        (f >= 1.0).then_some(())?;
        round()
    });
    let during = r1 - r0;
    eprintln!(
        "rounds while the first notification was tried: {during} (rounds {r0}..{r1}, \
         {:.1} s apart on average; --interval 1s)",
        (t1 - t0) / during.max(1.0)
    );
    // Had a delivery held up the loop, the first round could not even have ended.
    assert!(
        during >= 3.0,
        "only {during} rounds while the receiver hung"
    );
    // The schedule held: rounds start about --interval apart (the margin is generous; a
    // round waiting for a notification would take 9 s).
    assert!(
        (t1 - t0) / during < 4.0,
        "rounds {r0}..{r1} took {} s",
        t1 - t0
    );
    assert!(
        hung.connections() >= 3,
        "{} connections",
        hung.connections()
    );
    wait_for(SECS(60), "the second failure counted", || {
        (metric(&lab, "v6scout_notify_failures_total")? >= 2.0).then_some(())
    });
    let dropped = metric(&lab, "v6scout_notify_dropped_total").unwrap();
    let (code, _, stderr) = w.stop(libc::SIGINT);
    assert_eq!(code, Some(0), "{stderr}");
    let failures: Vec<&str> = (stderr.lines())
        .filter(|l| l.contains("notification was not delivered"))
        .collect();
    assert_eq!(failures.len(), 1, "one warning per streak: {stderr}");
    assert!(
        failures[0].contains("no answer within 2s; 3 tries made"),
        "{stderr}"
    );
    eprintln!(
        "hung receiver: {} connections, 2 failures counted, {dropped} dropped",
        hung.connections()
    );
}

/// HTTPS: refused while the receiver's certificate is not trusted (the failure says why),
/// delivered once the trust store (here SSL_CERT_FILE) has it.
#[test]
fn https_checks_the_certificate_against_the_trust_store() {
    let Some(lab) = Lab::create(1, 0) else { return };
    let dir = TempDir(std::env::temp_dir().join(format!("v6t-{}-tls", lab.runid)));
    std::fs::create_dir_all(&dir.0).unwrap();
    let (ca, cert, key) = common::tls::certificates(&dir.0, "::1");
    let plain = Server::start(&lab, Answer::Ok);
    let tls_port = common::in_ns(&lab.scan_ns, || {
        let l = TcpListener::bind("[::1]:0").unwrap();
        l.local_addr().unwrap().port()
    });
    let listen = format!(
        "OPENSSL-LISTEN:{tls_port},pf=ip6,bind=[::1],reuseaddr,fork,cert={},key={},verify=0",
        cert.display(),
        key.display()
    );
    let _socat = Killed(
        lab.command("socat", &[&listen, &format!("TCP6:[::1]:{}", plain.port)])
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let url = format!("https://[::1]:{tls_port}/tls");
    wait_for(SECS(30), "socat listening", || {
        let out = lab.exec("ss", &["-Hltn", &format!("sport = :{tls_port}")]);
        (!out.stdout.is_empty()).then_some(())
    });
    let args = [
        "--jsonl",
        "--interval",
        "1s",
        "-i",
        "eth0",
        "--notify",
        &url,
        "--notify-on",
        "present",
        "--metrics",
        METRICS,
    ];

    // Not trusted: no notification gets through, the failure says why.
    let w = start_watch(&lab, &args, &[]);
    wait_for(SECS(60), "the untrusted receiver's failure", || {
        (metric(&lab, "v6scout_notify_failures_total")? >= 1.0).then_some(())
    });
    let (code, _, stderr) = w.stop(libc::SIGINT);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(plain.got().is_empty(), "{:?}", plain.got());
    let failure = (stderr.lines())
        .find(|l| l.contains("notification was not delivered"))
        .unwrap_or_else(|| panic!("no failure warning: {stderr}"));
    eprintln!("untrusted receiver: {failure}");
    assert!(failure.to_lowercase().contains("certificate"), "{failure}");

    // Trusted: every event once, over TLS.
    let mut w = start_watch(&lab, &args, &[("SSL_CERT_FILE", ca.to_str().unwrap())]);
    let n = lab.hosts_on("eth0").count();
    for _ in 0..n {
        w.expect(SECS(15), "a present line", |v| v["type"] == "present");
    }
    wait_for(SECS(30), "the notifications over TLS", || {
        (plain.got().len() >= n).then_some(())
    });
    let (code, lines, stderr) = w.stop(libc::SIGINT);
    assert_eq!(code, Some(0), "{stderr}");
    let bodies: Vec<String> = plain.got().into_iter().map(|g| g.body).collect();
    assert_eq!(bodies, events_of(&lines, &["present"]), "{stderr}");
}
