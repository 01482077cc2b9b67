//! What the commands plug into the engine from outside: the inventory, the relay that
//! hands a search's answer to ssh or a TCP stream, the metrics endpoint, the
//! notifications' delivery, the terminal.

pub mod memory;
pub mod metrics_http;
pub mod mqtt;
pub mod notify;
pub mod relay;
pub mod terminal;
