//! The Debian package under test and its systemd unit: [`package`] builds it once per
//! test process with `cargo deb` and unpacks it (`dpkg -x`) into a root of its own;
//! [`exec_start`] turns the shipped unit's `ExecStart=` into the command line systemd
//! would run, with the shipped `/etc/default/v6scout` and the unit's own defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Where the unit is installed, inside the package.
pub const UNIT: &str = "usr/lib/systemd/system/v6scout-watch.service";
/// The options file the unit reads, inside the package.
pub const DEFAULTS: &str = "etc/default/v6scout";

/// A built package, unpacked.
#[derive(Debug)]
pub struct Package {
    /// The `.deb` file (`target/debian/v6scout_VERSION_ARCH.deb`).
    pub deb: PathBuf,
    /// A directory holding what `dpkg -x` unpacked from it.
    pub root: PathBuf,
}

impl Package {
    /// The packaged binary, as unpacked.
    pub fn bin(&self) -> PathBuf {
        self.root.join("usr/bin/v6scout")
    }

    /// The shipped unit file's text.
    pub fn unit(&self) -> String {
        read(&self.root.join(UNIT))
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Why the package cannot be built and inspected here, or `None` when it can.
fn tools_missing() -> Option<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let has = |cmd: &mut Command| cmd.output().is_ok_and(|o| o.status.success());
    if !has(Command::new(&cargo).args(["deb", "--version"])) {
        return Some("cargo-deb is not installed (tests/deps.sh installs it)".into());
    }
    for tool in ["dpkg-deb", "dpkg"] {
        if !has(Command::new(tool).arg("--version")) {
            return Some(format!("{tool} is missing (Debian's dpkg package)"));
        }
    }
    None
}

/// Builds the package with `cargo deb --locked` (a release build: minutes the first time,
/// seconds after) and unpacks it, once per process. `None` (after saying why, or failing
/// under `V6SCOUT_REQUIRE_LAB=1`) when cargo-deb or dpkg is missing.
pub fn package() -> Option<&'static Package> {
    static BUILT: OnceLock<Result<Package, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        if let Some(why) = tools_missing() {
            return Err(why);
        }
        Ok(build())
    });
    match built {
        Ok(p) => Some(p),
        Err(why) => {
            super::skip_or_fail(why);
            None
        }
    }
}

fn build() -> Package {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = std::time::Instant::now();
    let out = Command::new(&cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["deb", "--locked"])
        .output()
        .unwrap_or_else(|e| panic!("cargo deb: {e}"));
    assert!(
        out.status.success(),
        "cargo deb failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // cargo-deb's last line of output is the path of the package it wrote.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let deb = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
    assert!(deb.is_file(), "cargo deb printed no package path: {stdout}");
    eprintln!("cargo deb: {} in {:.1?}", deb.display(), started.elapsed());
    // One directory per test binary, emptied on each run.
    let exe = std::env::current_exe().unwrap();
    let stem = exe.file_stem().unwrap().to_string_lossy();
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("deb-root-{stem}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    super::run(Command::new("dpkg").arg("-x").arg(&deb).arg(&root))
        .unwrap_or_else(|e| panic!("unpacking the package: {e}"));
    Package { deb, root }
}

/// The values of every `KEY=` line of the unit's `[Service]` section, in order.
pub fn service_values(unit: &str, key: &str) -> Vec<String> {
    let mut section = "";
    let mut out = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if section == "[Service]" && !line.starts_with(['#', ';']) {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == key {
                    out.push(v.trim().to_string());
                }
            }
        }
    }
    out
}

/// Splits a line into words as systemd does: at blanks, with "double" and 'single'
/// quotes grouping words and then removed, and `\` escaping the next character.
pub fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut started) = (Vec::new(), String::new(), None, false);
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') => {
                word.extend(chars.next());
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// The environment the unit gives its command: its `Environment=` assignments, then
/// those of each `EnvironmentFile=` (read below `root`; `-` marks an optional one).
pub fn environment(unit: &str, root: &Path) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for value in service_values(unit, "Environment") {
        for assignment in words(&value) {
            let (k, v) = assignment.split_once('=').unwrap_or((&assignment, ""));
            env.insert(k.to_string(), v.to_string());
        }
    }
    for file in service_values(unit, "EnvironmentFile") {
        let path = root.join(file.trim_start_matches('-').trim_start_matches('/'));
        let Ok(text) = std::fs::read_to_string(&path) else {
            assert!(file.starts_with('-'), "{file} is missing");
            continue;
        };
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with(['#', ';']) {
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{file}: not an assignment: {line}"));
            // One value: its outer quotes go, what they held stays as it is.
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            env.insert(k.trim().to_string(), v.to_string());
        }
    }
    env
}

/// The unit's `ExecStart=` as systemd would run it: `%S` (the state directory root) is
/// `state_root`, `${NAME}` one word holding the variable's value, `$NAME` alone its value
/// split into words; the program is taken from the unpacked `root`.
pub fn exec_start(unit: &str, root: &Path, state_root: &Path) -> Vec<String> {
    let env = environment(unit, root);
    let lines = service_values(unit, "ExecStart");
    assert_eq!(lines.len(), 1, "one ExecStart= expected: {lines:?}");
    let line = lines[0].replace("%S", &state_root.display().to_string());
    let mut argv = Vec::new();
    for word in words(&line) {
        if let Some(name) = word.strip_prefix('$').filter(|n| !n.starts_with('{')) {
            argv.extend(words(env.get(name).map_or("", String::as_str)));
            continue;
        }
        let mut w = word.clone();
        while let Some(start) = w.find("${") {
            let end = start + w[start..].find('}').expect("unclosed ${");
            let value = env.get(&w[start + 2..end]).cloned().unwrap_or_default();
            w.replace_range(start..=end, &value);
        }
        argv.push(w);
    }
    let program = root.join(argv[0].trim_start_matches('/'));
    argv[0] = program.display().to_string();
    argv
}
