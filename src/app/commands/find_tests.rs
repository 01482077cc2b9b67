use super::*;

#[test]
fn builds_the_ssh_command_destination_first() {
    let args: Vec<String> = ["-i", "key", "uname", "-a"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        ssh_command(Some("root"), "fe80::1%eth0", &args),
        ["ssh", "root@fe80::1%eth0", "-i", "key", "uname", "-a"]
    );
    assert_eq!(
        ssh_command(None, "2001:db8::5", &[]),
        ["ssh", "2001:db8::5"]
    );
}

#[test]
fn quotes_for_display() {
    assert_eq!(shell_word("root@fe80::1%eth0"), "root@fe80::1%eth0");
    assert_eq!(shell_word("echo hi"), "'echo hi'");
    assert_eq!(shell_word("it's"), r"'it'\''s'");
    assert_eq!(shell_word(""), "''");
}
