//! The crate's layering, checked from the source: vocabulary → stages → configuration →
//! platform → app → cli. Every top-level module may use only the modules before it in
//! [`LAYERS`], so the import graph has no cycle and the vocabulary depends on no stage.
//!
//! `cargo test --test layers -- --nocapture` prints the module graph.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules in dependency order (as `src/lib.rs` declares them).
// rustfmt would put one name a line: "inventory" is past its short-item width.
#[rustfmt::skip]
const LAYERS: &[&str] = &[
    // vocabulary
    "mac", "router", "model", "oui", "report", "warning", // stages
    "iface", "neigh", "probe", "collect", "health", "group", "names", "ipv4", "reach", "query", "inventory", "watch",
    "metrics", "output", // what to do, the OS seam, the engine, the command line
    "config", "platform", "app", "cli",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("reading src/") {
        let p = entry.expect("reading src/").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module a file of `src/` belongs to: its first path component.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Test-only code may use anything: test files and everything after `#[cfg(test)]`.
fn non_test_source(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    if name.ends_with("_tests.rs") || name == "tests.rs" || name == "fixture.rs" {
        return None;
    }
    let text = fs::read_to_string(file).ok()?;
    Some(match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    })
}

/// Every `crate::NAME` a source text mentions, including `crate::{a, b::c}` groups.
fn crate_refs(text: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                refs.insert(name);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            refs.insert(name);
        }
    }
    refs
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let Some(top) = top_module(&src, &f) else {
            continue;
        };
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(text) = non_test_source(&f) else {
            continue;
        };
        let uses = edges.entry(top.clone()).or_default();
        for r in crate_refs(&text) {
            if r != top && LAYERS.contains(&r.as_str()) {
                uses.insert(r);
            }
        }
    }
    edges
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let edges = graph();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for (module, uses) in &edges {
        let Some(own) = rank(module) else {
            wrong.push(format!("{module}: not in LAYERS (add it where it belongs)"));
            continue;
        };
        println!(
            "{module:9} -> {}",
            uses.iter().cloned().collect::<Vec<_>>().join(" ")
        );
        for u in uses {
            if rank(u).is_none_or(|r| r >= own) {
                wrong.push(format!("{module} uses {u}, which is not below it"));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    for m in LAYERS {
        assert!(edges.contains_key(*m), "LAYERS names {m}, which src/ lacks");
    }
}

#[test]
fn the_vocabulary_depends_on_no_stage() {
    let edges = graph();
    let vocabulary = ["mac", "router", "model", "oui", "report", "warning"];
    for v in vocabulary {
        let outside: Vec<_> = edges[v]
            .iter()
            .filter(|u| !vocabulary.contains(&u.as_str()))
            .collect();
        assert!(outside.is_empty(), "{v} uses {outside:?}");
    }
}

/// Only the platform module chooses by operating system; everything else is portable.
#[test]
fn operating_systems_are_named_in_one_place() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let seam = src.join("platform").join("mod.rs");
    let mut elsewhere = Vec::new();
    for f in files.iter().filter(|f| **f != seam) {
        let Some(text) = non_test_source(f) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if ["target_os", "cfg(unix", "cfg(windows", "cfg(not(unix"]
                .iter()
                .any(|k| line.contains(k))
            {
                elsewhere.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        elsewhere.is_empty(),
        "platform choices outside src/platform/mod.rs:\n{}",
        elsewhere.join("\n")
    );
}

#[test]
fn reference_scanner_reads_groups_and_paths() {
    let refs = crate_refs("use crate::{model::X, mac};\nlet a = crate::oui::lookup(m);");
    assert_eq!(
        refs,
        ["mac", "model", "oui"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}
