//! The shell completion scripts the Debian package installs (data/completions/) are
//! checked in, so `cargo deb` needs nothing but files; this test fails when one of them no
//! longer matches what `v6scout completions SHELL` prints. Regenerate with
//! `V6SCOUT_BLESS=1 cargo test --test completions`, like the man page.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

/// Each shell the package serves, and the checked-in file its script is kept in.
const SCRIPTS: [(&str, &str); 3] = [
    ("bash", "v6scout.bash"),
    ("zsh", "_v6scout"),
    ("fish", "v6scout.fish"),
];

fn printed(shell: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_v6scout"))
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "v6scout completions {shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("v6scout"),
        "the {shell} script does not name v6scout"
    );
    out.stdout
}

#[test]
fn completion_scripts_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/completions");
    let bless = std::env::var_os("V6SCOUT_BLESS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let want = printed(shell);
        let path = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        if std::fs::read(&path).unwrap_or_default() != want {
            stale.push(format!("data/completions/{file}"));
        }
    }
    assert!(
        stale.is_empty(),
        "{} out of date: run `V6SCOUT_BLESS=1 cargo test --test completions` and commit them",
        stale.join(", ")
    );
}
