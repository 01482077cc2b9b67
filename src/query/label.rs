//! What a label may be. A label is a QUERY too (`v6scout ssh pi@kitchen-pi`), so it must be
//! something the query parser reads as a name: one word, not a MAC, a MAC prefix or an
//! address, without the `@` that `ssh USER@QUERY` splits at; and it is bounded, since
//! it goes into every output line and metric of its device.

use super::{Query, QueryError};

/// Most characters a label may have (a DNS label's 63, and one).
pub const MAX_LABEL_CHARS: usize = 64;

/// `raw` as a label, or why it cannot be one (one line, with what to do).
pub fn check_label(raw: &str) -> Result<String, QueryError> {
    let err = |why: String| Err(QueryError(why));
    if raw.trim().is_empty() {
        return err(
            "a label cannot be empty: give a name such as kitchen-pi (label --remove QUERY takes one away)"
                .into(),
        );
    }
    let chars = raw.chars().count();
    if chars > MAX_LABEL_CHARS {
        return err(format!(
            "the label is {chars} characters long: a label has at most {MAX_LABEL_CHARS}"
        ));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return err(format!(
            "'{}' is not one word: a label has no spaces or control characters (e.g. living-room-tv)",
            raw.escape_debug()
        ));
    }
    if raw.contains('@') {
        return err(format!(
            "'{raw}' contains '@', which `ssh USER@QUERY` would split at: leave it out"
        ));
    }
    let read_as = match raw.parse::<Query>() {
        Ok(Query::Word(_)) => return Ok(raw.to_string()),
        Ok(Query::Mac(_)) => "a MAC",
        // Six or more bare hex digits: `decade`, `beef01`.
        Ok(Query::MacPrefix(_)) => "a MAC prefix (hex digits only)",
        Ok(Query::Address(..)) => "an address",
        Ok(Query::Prefix(_)) => "a prefix",
        Ok(Query::Ipv4(_)) => "an IPv4 address",
        Err(_) => "a malformed MAC or address",
    };
    err(format!(
        "'{raw}' would be read as {read_as}, so no QUERY could name the device by it: pick a name that is not one"
    ))
}

#[cfg(test)]
#[path = "label_tests.rs"]
mod tests;
