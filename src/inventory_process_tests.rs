//! Several processes on one file, and a writer killed with SIGKILL. The children are this
//! test binary itself, run with a filter selecting [`child`] and an environment variable
//! saying what to do; without that variable [`child`] does nothing.

use super::fixture::*;
use super::*;
use rusqlite::Connection;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "V6SCOUT_INVENTORY_TEST_CHILD";

/// Addresses of the device every transaction of the looping writer rewrites.
const BIG: u32 = 100;

fn spawn(task: &str, path: &Path) -> Child {
    let exe = std::env::current_exe().expect("the test binary");
    Command::new(exe)
        .args([
            "inventory::tests::process::child",
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD_ENV, format!("{task}|{}", path.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawning the child")
}

/// Not a test of its own: what a child process does (see the module doc).
#[test]
fn child() {
    let Ok(job) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (task, path) = job.split_once('|').expect("task|path");
    let path = Path::new(path);
    let eth = iface("eth0", Some(1));
    match task.split_once(':') {
        // 100 records, each one new device of this writer and the shared one.
        Some(("burst", n)) => {
            let n: u32 = n.parse().unwrap();
            let mut inv = open(path);
            for i in 0..100u32 {
                let s = [sighting(&eth, n * 1000 + i, &[1]), sighting(&eth, 0, &[n])];
                inv.record(&s, t(u64::from(i)), roomy())
                    .unwrap_or_else(|e| panic!("writer {n}, record {i}: {e}"));
            }
        }
        // Forever: transaction k adds device k and moves all BIG addresses of the big
        // device to time k, until killed.
        Some(("loop", start)) => {
            let mut k: u32 = start.parse().unwrap();
            let mut inv = open(path);
            let addrs: Vec<u32> = (0..BIG).collect();
            loop {
                let s = [sighting(&eth, k + 1, &[1, 2, 3]), sighting(&eth, 0, &addrs)];
                inv.record(&s, t(u64::from(k)), roomy()).unwrap();
                k += 1;
            }
        }
        // The migrations of a version 2 file, stalled after every real step has run
        // inside the one transaction, until killed.
        None if task == "migrate" => {
            let mut conn = Connection::open(path).unwrap();
            let _ = super::schema::migrate(&mut conn, &super::label::stalled_migrations());
            unreachable!("the stalled step never returns");
        }
        _ => panic!("unknown task {task}"),
    }
}

#[test]
fn two_processes_write_at_once() {
    let (_dir, path) = temp();
    let mut kids: Vec<Child> = (1..=2)
        .map(|n| spawn(&format!("burst:{n}"), &path))
        .collect();
    for kid in &mut kids {
        assert!(kid.wait().unwrap().success(), "a writer failed");
    }
    let inv = open(&path);
    let devices = inv.devices(None).unwrap();
    assert_eq!(devices.len(), 201);
    let shared = devices.iter().find(|d| d.mac == mac(0)).unwrap();
    assert_eq!(shared.addresses.len(), 2);
}

/// How far the looping writer got: `None` while it has not committed anything yet.
fn committed(path: &Path) -> Option<u32> {
    let inv = Inventory::open_read_only(path).ok()?;
    let n = inv.devices(None).ok()?.len();
    u32::try_from(n).ok()?.checked_sub(1)
}

/// The file holds exactly the first `k` transactions of the looping writer, for some `k`.
fn consistent_prefix(path: &Path) -> u32 {
    let check = Connection::open(path).unwrap();
    let ok: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(check);
    let inv = open(path);
    let devices = inv.devices(None).unwrap();
    let k = u32::try_from(devices.len() - 1).unwrap();
    let big = devices
        .iter()
        .find(|d| d.mac == mac(0))
        .expect("the big device");
    assert_eq!(
        big.last_seen,
        t(u64::from(k - 1)),
        "big device at the last commit"
    );
    assert_eq!(big.addresses.len(), BIG as usize);
    assert!(
        big.addresses.iter().all(|a| a.last_seen == big.last_seen),
        "every address of one transaction, or none"
    );
    for n in 1..=k {
        let d = devices.iter().find(|d| d.mac == mac(n)).expect("no gap");
        assert_eq!(d.last_seen, t(u64::from(n - 1)));
        assert_eq!(d.addresses.len(), 3);
    }
    k
}

#[test]
fn a_writer_killed_mid_way_leaves_the_previous_or_the_new_state() {
    let (_dir, path) = temp();
    let mut done = 0;
    // Kill it at a few different moments, each time continuing where it stopped.
    for (round, wait_ms) in [0u64, 7, 23, 41].iter().enumerate() {
        let mut kid = spawn(&format!("loop:{done}"), &path);
        let start = Instant::now();
        while committed(&path).is_none_or(|k| k < done + 5) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the writer is stuck"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(*wait_ms));
        kid.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
        kid.wait().unwrap();
        let k = consistent_prefix(&path);
        assert!(k >= done + 5, "round {round}: {k} after {done}");
        eprintln!("round {round}: killed after {k} transactions");
        done = k;
    }
}

#[test]
fn a_migration_killed_mid_way_leaves_the_old_file_whole_and_the_next_open_migrates_it() {
    let (dir, _) = temp();
    let path = super::label::version_2_file(dir.path());
    let marker = super::label::stall_marker(&path);
    let mut kid = spawn("migrate", &path);
    let start = Instant::now();
    while !marker.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the migration never reached its stall"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    kid.kill().expect("SIGKILL");
    kid.wait().unwrap();
    // The killed transaction created the label table and never committed it.
    let check = Connection::open(&path).unwrap();
    assert_eq!(super::schema::user_version(&check).unwrap(), 2);
    let ok: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(check);
    let ro = Inventory::open_read_only(&path).unwrap();
    super::label::holds_the_version_2_rows(&ro);
    drop(ro);
    let mut inv = open(&path);
    assert_eq!(
        super::schema::user_version(&inv.conn).unwrap(),
        SCHEMA_VERSION
    );
    super::label::holds_the_version_2_rows(&inv);
    inv.set_label(mac(3), "phone", t(9000)).unwrap();
    assert_eq!(inv.labels().unwrap().get(mac(3)), Some("phone"));
}
