//! The scan engine: one probe worker per link, the collector that takes what they observe
//! and finishes one [`Report`](crate::report::Report), and the [`Scanner`] that runs it
//! over the platform's open links. Generic over [`Link`](crate::probe::Link), so the
//! whole engine is tested on the simulator.

mod announced;
pub mod collector;
pub mod dualstack;
mod links;
pub mod observe;
pub mod scan;
pub mod scanner;
pub mod sure;

pub use collector::{Collector, ScanObserver, Stages};
pub use links::{random_tag, recall_from_cache};
pub use scan::{probe_window, scan_links, scan_links_with, Feeders, Recall, ScanHooks};
pub use scanner::{scan, ScanRequest, Scanner};
