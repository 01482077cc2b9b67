//! The commands: each runs one [`Job`](crate::config::Job) over the engine and the
//! adapters, and says how it went as an exit code.

pub mod find;
pub mod history;
pub mod hub;
pub mod label;
pub mod scan;
mod signals;
pub mod wake;
pub mod watch;
