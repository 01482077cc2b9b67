//! Wording of what the user reads on stderr: system errors without their `(os error N)`
//! codes, and with what they mean for a scan where that is known.

use std::io;

/// `err` as a sentence for a user: the system's text without the error code, plus what it
/// means for the interface being scanned when that is clear.
pub fn io_reason(err: &io::Error) -> String {
    let text = strip_os_codes(&err.to_string());
    let hint = match err.raw_os_error() {
        Some(libc::ENODEV | libc::ENXIO) => Some("the interface is gone"),
        Some(libc::ENETDOWN) => Some("the interface is down"),
        Some(libc::EADDRNOTAVAIL) => Some("its address went away"),
        Some(libc::ENOBUFS) => Some("the kernel's buffers are full"),
        Some(libc::EINVAL) => Some(
            "the kernel refused the packet: is the interface down, or the neighbour table full?",
        ),
        _ => None,
    };
    match hint {
        Some(h) => format!("{text}: {h}"),
        None => text,
    }
}

/// Removes every ` (os error N)` that Rust's `io::Error` display appends.
pub fn strip_os_codes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(" (os error ") {
        let tail = &rest[at + " (os error ".len()..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..at]);
        if digits > 0 && tail.as_bytes().get(digits) == Some(&b')') {
            rest = &tail[digits + 1..];
        } else {
            out.push_str(" (os error ");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stripped() {
        assert_eq!(
            strip_os_codes("opening: No such device (os error 19)"),
            "opening: No such device"
        );
        assert_eq!(strip_os_codes("a (os error 1): b (os error 22)"), "a: b");
        assert_eq!(strip_os_codes("a (os error x)"), "a (os error x)");
        assert_eq!(strip_os_codes("nothing here"), "nothing here");
    }

    #[test]
    fn reasons_say_what_happened_to_the_interface() {
        let gone = io::Error::from_raw_os_error(libc::ENODEV);
        assert_eq!(io_reason(&gone), "No such device: the interface is gone");
        let down = io::Error::from_raw_os_error(libc::ENETDOWN);
        assert!(io_reason(&down).ends_with("the interface is down"));
        let other = io::Error::other("custom");
        assert_eq!(io_reason(&other), "custom");
    }
}
