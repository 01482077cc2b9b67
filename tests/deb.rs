//! The Debian package `cargo deb` builds (metadata in Cargo.toml): its files, its
//! maintainer scripts, its systemd unit as systemd-analyze judges it, and the packaged
//! binary in a lab. The unit's command line at work under its restrictions is
//! tests/deb_service.rs. Needs cargo-deb, dpkg and systemd-analyze (tests/deps.sh);
//! skipped without them, failing instead under V6SCOUT_REQUIRE_LAB=1.
// Namespace labs (`ip netns`) and Debian packages: Linux only.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

mod common;

use common::deb::{self, package, Package, UNIT};
use common::{scan_document, skip_or_fail, Lab};
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `systemd-analyze`, or `None` after saying it is missing.
fn systemd_analyze() -> Option<&'static str> {
    let ok = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip_or_fail("systemd-analyze is missing (Debian's systemd package)");
        return None;
    }
    Some("systemd-analyze")
}

/// Every file the package holds (not directories), as `dpkg-deb -c` lists them.
fn listed_files(pkg: &Package) -> BTreeSet<String> {
    output(Command::new("dpkg-deb").arg("-c").arg(&pkg.deb))
        .lines()
        .filter(|l| !l.starts_with('d'))
        .map(|l| {
            let path = l.split_whitespace().nth(5).unwrap();
            path.trim_start_matches('.').to_string()
        })
        .collect()
}

#[test]
fn package_holds_binary_man_page_completions_unit_and_defaults() {
    let Some(pkg) = package() else { return };
    let version = env!("CARGO_PKG_VERSION");
    let arch = output(Command::new("dpkg").arg("--print-architecture"));
    assert_eq!(
        pkg.deb.file_name().unwrap().to_str().unwrap(),
        format!("v6scout_{version}_{}.deb", arch.trim())
    );
    let files = listed_files(pkg);
    let want: BTreeSet<String> = [
        "/usr/bin/v6scout",
        "/usr/share/man/man1/v6scout.1.gz",
        "/usr/share/bash-completion/completions/v6scout",
        "/usr/share/zsh/vendor-completions/_v6scout",
        "/usr/share/fish/vendor_completions.d/v6scout.fish",
        "/usr/lib/systemd/system/v6scout-watch.service",
        "/etc/default/v6scout",
        "/usr/share/doc/v6scout/README.md",
        "/usr/share/doc/v6scout/service.md",
        "/usr/share/doc/v6scout/copyright",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(files, want, "dpkg-deb -c lists other files");
    eprintln!(
        "package files:\n{}",
        files.into_iter().collect::<Vec<_>>().join("\n")
    );

    // What was unpacked is what the repository holds (the man page gzipped, as Debian
    // wants it), and the binary is executable by everyone.
    let same = |installed: &str, source: &str| {
        assert!(
            std::fs::read(pkg.root.join(installed)).unwrap()
                == std::fs::read(repo(source)).unwrap(),
            "{installed} differs from {source}"
        );
    };
    same(
        "usr/share/bash-completion/completions/v6scout",
        "data/completions/v6scout.bash",
    );
    same(
        "usr/share/zsh/vendor-completions/_v6scout",
        "data/completions/_v6scout",
    );
    same(
        "usr/share/fish/vendor_completions.d/v6scout.fish",
        "data/completions/v6scout.fish",
    );
    same(UNIT, "debian/v6scout-watch.service");
    same(deb::DEFAULTS, "debian/v6scout.default");
    let man = output(Command::new("zcat").arg(pkg.root.join("usr/share/man/man1/v6scout.1.gz")));
    assert!(
        man == std::fs::read_to_string(repo("man/v6scout.1")).unwrap(),
        "man page differs"
    );
    let mode = std::fs::metadata(pkg.bin()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755, "binary mode {mode:o}");

    let info = output(Command::new("dpkg-deb").arg("-I").arg(&pkg.deb));
    assert!(info.contains(&format!("Version: {version}\n")), "{info}");
    assert!(info.contains("Depends: libc6"), "{info}");
    // HTTPS notifications check certificates against the system's trust store.
    assert!(info.contains("Recommends: ca-certificates"), "{info}");
    let control = control_files(pkg);
    assert_eq!(control["conffiles"].trim(), "/etc/default/v6scout");
    // dh_installsystemd's scripts: reload systemd, restart only a running service on
    // upgrade, stop it on remove; never enable or start it on install.
    let postinst = &control["postinst"];
    assert!(
        postinst.contains("systemctl --system daemon-reload"),
        "{postinst}"
    );
    assert!(
        postinst.contains("try-restart v6scout-watch.service"),
        "{postinst}"
    );
    assert!(
        postinst.contains("was-enabled v6scout-watch.service"),
        "{postinst}"
    );
    for never in ["deb-systemd-invoke start", "deb-systemd-invoke restart"] {
        assert!(
            !postinst.contains(never),
            "postinst has {never}: {postinst}"
        );
    }
    assert!(control["prerm"].contains("stop v6scout-watch.service"));
    assert!(control["postrm"].contains("purge v6scout-watch.service"));
}

/// The control archive's files by name.
fn control_files(pkg: &Package) -> std::collections::BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    common::run(
        Command::new("dpkg-deb")
            .arg("-e")
            .arg(&pkg.deb)
            .arg(dir.path()),
    )
    .unwrap();
    std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Copies what `from` holds into `to`, keeping what `to` already has.
fn copy_missing(from: &Path, to: &Path) {
    if from.is_dir() {
        let mut src = from.as_os_str().to_owned();
        src.push("/.");
        common::run(Command::new("cp").arg("-an").arg(src).arg(to)).unwrap();
    }
}

#[test]
fn unit_passes_systemd_analyze_verify() {
    let Some(analyze) = systemd_analyze() else {
        return;
    };
    let Some(pkg) = package() else { return };
    // verify checks that ExecStart's program exists and that Documentation='s man page
    // does, so it runs on a copy of the unpacked package as the root, with this system's
    // units beside ours (the targets it is ordered after) and its man page on MANPATH.
    let root = tempfile::tempdir().unwrap();
    copy_missing(&pkg.root, root.path());
    let units = root.path().join("usr/lib/systemd/system");
    for system in ["/usr/lib/systemd/system", "/lib/systemd/system"] {
        copy_missing(Path::new(system), &units);
    }
    let verify = || {
        Command::new(analyze)
            .env("MANPATH", root.path().join("usr/share/man"))
            .arg("verify")
            .arg(format!("--root={}", root.path().display()))
            .arg("v6scout-watch.service")
            .output()
            .unwrap()
    };
    let out = verify();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "systemd-analyze verify failed:\n{said}"
    );
    assert!(
        said.trim().is_empty(),
        "systemd-analyze verify warns:\n{said}"
    );

    // The same check fails without the program: it looks at the packaged one.
    std::fs::remove_file(root.path().join("usr/bin/v6scout")).unwrap();
    let out = verify();
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("/usr/bin/v6scout"),
        "verify did not look for the program"
    );
}

/// Exposure levels `systemd-analyze security` rates as "OK" or better.
const GOOD_ENOUGH: [&str; 3] = ["PERFECT", "SAFE", "OK"];

#[test]
fn unit_is_rated_ok_by_systemd_analyze_security() {
    let Some(analyze) = systemd_analyze() else {
        return;
    };
    let Some(pkg) = package() else { return };
    let report = output(
        Command::new(analyze)
            .args(["security", "--offline=true", "--no-pager"])
            .arg(pkg.root.join(UNIT)),
    );
    // → Overall exposure level for v6scout-watch.service: 1.8 OK 🙂
    let overall = report
        .lines()
        .find_map(|l| l.split_once("Overall exposure level for v6scout-watch.service:"))
        .map(|(_, rating)| rating.split_whitespace().take(2).collect::<Vec<_>>())
        .unwrap_or_else(|| panic!("no overall rating:\n{report}"));
    let exposure: f64 = overall[0].parse().unwrap();
    eprintln!("systemd-analyze security: exposure {}", overall.join(" "));
    assert!(
        GOOD_ENOUGH.contains(&overall[1]) && exposure < 5.0,
        "exposure {exposure} {}:\n{report}",
        overall[1]
    );
}

#[test]
fn packaged_binary_reports_its_version_and_scans_a_lab() {
    let Some(pkg) = package() else { return };
    let bin = pkg.bin();
    let version = output(Command::new(&bin).arg("--version"));
    assert_eq!(
        version.trim(),
        format!("v6scout {}", env!("CARGO_PKG_VERSION"))
    );

    let Some(lab) = Lab::create(4, 0) else { return };
    let doc = scan_document(&lab.exec(bin.to_str().unwrap(), &["--json", "-i", "eth0"]));
    let found: BTreeSet<&str> = doc["interfaces"][0]["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["hosts"].as_array().unwrap())
        .filter_map(|h| h["mac"].as_str())
        .collect();
    for h in lab.hosts_on("eth0") {
        assert!(
            found.contains(h.mac.as_str()),
            "{} not found: {found:?}",
            h.mac
        );
    }
}

/// The test's own reading of ExecStart= is systemd's: `${X}` one word, `$X` split at
/// blanks (quotes respected), `%S` the state root, values from the options file.
#[test]
fn exec_start_is_read_as_systemd_reads_it() {
    let root = tempfile::tempdir().unwrap();
    let defaults = root.path().join("etc/default/v6scout");
    std::fs::create_dir_all(defaults.parent().unwrap()).unwrap();
    std::fs::write(
        &defaults,
        "# a comment\nV6SCOUT_INTERFACES=\"-i eth0 -i wlan0\"\n\
         V6SCOUT_OPTIONS=\"--interval 30s --exec 'logger -t v6scout'\"\n",
    )
    .unwrap();
    let unit = "[Service]\nEnvironment=\"V6SCOUT_METRICS=[::1]:9469\" V6SCOUT_OPTIONS=\n\
                EnvironmentFile=-/etc/default/v6scout\nEnvironmentFile=-/etc/none\n\
                ExecStart=/usr/bin/v6scout watch --inventory %S/v6scout/inv \
                --metrics ${V6SCOUT_METRICS} $V6SCOUT_INTERFACES $V6SCOUT_OPTIONS $UNSET\n";
    let argv = deb::exec_start(unit, root.path(), Path::new("/state"));
    let bin = root.path().join("usr/bin/v6scout").display().to_string();
    assert_eq!(
        argv,
        [
            bin.as_str(),
            "watch",
            "--inventory",
            "/state/v6scout/inv",
            "--metrics",
            "[::1]:9469",
            "-i",
            "eth0",
            "-i",
            "wlan0",
            "--interval",
            "30s",
            "--exec",
            "logger -t v6scout",
        ]
    );
}
