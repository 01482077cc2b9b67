//! Unit tests of this module, in parts.

#[allow(unused_imports)]
use super::*;

#[path = "inventory_label_tests.rs"]
mod label;

#[path = "inventory_measure_tests.rs"]
mod measure;

#[path = "inventory_process_tests.rs"]
mod process;

#[path = "inventory_pure_tests.rs"]
mod pure;

#[path = "inventory_robust_tests.rs"]
mod robust;

#[path = "inventory_site_tests.rs"]
mod site;

#[path = "inventory_store_tests.rs"]
mod store;
