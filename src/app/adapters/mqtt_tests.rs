use super::*;
use std::io::Write as _;

fn broker(url: &str, file: Option<std::path::PathBuf>) -> MqttBroker {
    MqttBroker {
        url: url.parse().unwrap(),
        password_file: file,
    }
}

#[test]
fn the_password_comes_from_the_files_first_line_else_the_url() {
    assert_eq!(
        password(&broker("mqtt://u:p@h", None)).unwrap().as_deref(),
        Some("p")
    );
    assert_eq!(password(&broker("mqtt://u@h", None)).unwrap(), None);
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "s3cret\nignored").unwrap();
    let b = broker("mqtt://u:p@h", Some(f.path().to_owned()));
    assert_eq!(password(&b).unwrap().as_deref(), Some("s3cret"));
    let missing = broker("mqtt://u@h", Some("/nonexistent/v6scout-pw".into()));
    let e = password(&missing).unwrap_err().to_string();
    assert!(
        e.contains("--mqtt-password-file") && !e.contains("os error"),
        "{e}"
    );
}

#[test]
fn client_ids_differ_per_process_start() {
    let (a, b) = (client_id("watch-lab"), client_id("watch-lab"));
    assert!(a.starts_with("v6scout-watch-lab-"), "{a}");
    assert_ne!(a, b);
}
