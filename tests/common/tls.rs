//! A throw-away certificate authority and a server certificate it signed, for the TLS
//! tests (HTTPS notifications, MQTT over TLS).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs openssl in `dir`; it must succeed.
fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate it signed for the IP address `ip` (`::1`, `127.0.0.1`),
/// in `dir`: the CA's certificate, the server's certificate and key.
pub fn certificates(dir: &Path, ip: &str) -> (PathBuf, PathBuf, PathBuf) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509", "-days", "1", "-subj", "/CN=v6scout test CA"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    openssl(&ca, dir);
    let mut csr = vec!["req", "-subj", "/CN=v6scout test server"];
    csr.extend(ec);
    csr.extend(["-keyout", "key.pem", "-out", "server.csr"]);
    openssl(&csr, dir);
    std::fs::write(
        dir.join("server.ext"),
        format!("basicConstraints=CA:FALSE\nsubjectAltName=IP:{ip}\nextendedKeyUsage=serverAuth\n"),
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "1",
            "-days",
            "1",
            "-extfile",
            "server.ext",
            "-out",
            "cert.pem",
        ],
        dir,
    );
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}
