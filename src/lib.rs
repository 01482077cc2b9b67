//! v6scout: find every IPv6 host on the local link(s) in about a second.
//!
//! The library holds the pure pieces (packet building and parsing, merging, grouping, OUI
//! lookup, rendering) and the small I/O traits they run behind; `app` wires the real I/O.

/// `eprintln!` that never panics: when stderr is a closed pipe (`v6scout 2>&1 | head -1`)
/// the message is dropped, where `eprintln!` would abort the program.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics (see [`say!`]).
#[macro_export]
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

// The vocabulary: plain data every stage shares; depends on no stage.
pub mod mac;
pub mod model;
pub mod oui;
pub mod report;
pub mod router;
pub mod warning;

// The stages, each depending only on the vocabulary and the stages listed before it.
pub mod collect;
pub mod group;
pub mod health;
pub mod iface;
pub mod inventory;
pub mod ipv4;
pub mod names;
pub mod neigh;
pub mod output;
pub mod probe;
pub mod query;
pub mod reach;
pub mod wake;
pub mod watch;
// Watch's devices and events over MQTT, and a hub's check of them (after watch and
// inventory: it publishes the one's rounds and records into the other).
pub mod mqtt;
// Notifications of watch events: which, where, in which format (after watch: they are its
// events).
pub mod notify;
// Watch's state as Prometheus metrics (after watch and notify: it counts their events).
pub mod metrics;

// What to do (plain data), the one seam to the operating system, the engine that wires
// them, and the command line that fills the configuration.
pub mod app;
pub mod cli;
pub mod config;
pub mod platform;
