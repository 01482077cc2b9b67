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
    "iface", "neigh", "probe", "collect", "health", "group", "names", "ipv4", "reach", "query", "inventory", "wake", "watch",
    "mqtt", "notify", "metrics", "output", // what to do, the OS seam, the engine, the command line
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
    let seam = src.join("platform.rs");
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
        "platform choices outside src/platform.rs:\n{}",
        elsewhere.join("\n")
    );
}

/// The module path of a file of `src/` (`app/engine/scan.rs` → `app::engine::scan`,
/// `names/mod.rs` → `names`, `lib.rs` → the crate root).
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .map(|c| c.trim_end_matches(".rs").to_string())
        .collect();
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    } else if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every path a source text names after `crate::`, `super::` or `self::`, each as the
/// module path it starts from plus its segments; `use a::{b, c::{d}}` groups are
/// expanded. `here` is the module path of the file.
fn module_refs(text: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = code.as_bytes();
    for (i, _) in code.match_indices("::") {
        // The start of the path this `::` belongs to, if it is its first.
        let start = code[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |j| j + 1);
        let first = &code[start..i];
        if start >= 2 && &bytes[start - 2..start] == b"::" {
            continue;
        }
        let mut base: Vec<String> = match first {
            "crate" => Vec::new(),
            "self" => here.to_vec(),
            "super" => here[..here.len().saturating_sub(1)].to_vec(),
            _ => continue,
        };
        let mut rest = &code[i + 2..];
        // `super::super::x`
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        expand(rest, base, &mut out);
    }
    out
}

/// The paths of `rest` (after a `::`), each appended to `base`.
fn expand(rest: &str, base: Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut item_start = 0;
        for (k, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    expand(&group[item_start..k], base.clone(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&group[item_start..k], base.clone(), out);
                    item_start = k + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let rest = rest.trim_start();
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() {
        out.push(base);
        return;
    }
    let mut path = base;
    path.push(name.clone());
    match rest[name.len()..].strip_prefix("::") {
        Some(more) => expand(more, path, out),
        None => out.push(path),
    }
}

/// For every module, which of its child modules use which (through any file inside
/// them), each edge with the file that makes it.
type SiblingUses = BTreeMap<Vec<String>, BTreeMap<(String, String), String>>;

fn sibling_uses() -> SiblingUses {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_path(&src, f)).collect();
    let mut uses = SiblingUses::new();
    for f in &files {
        let Some(text) = non_test_source(f) else {
            continue;
        };
        let here = module_path(&src, f);
        for path in module_refs(&text, &here) {
            // The longest prefix of the path that is a module: what the file depends on.
            let Some(target) = (0..=path.len())
                .rev()
                .map(|n| &path[..n])
                .find(|p| modules.contains(*p))
            else {
                continue;
            };
            let common = here.iter().zip(target).take_while(|(a, b)| a == b).count();
            if common < here.len() && common < target.len() {
                let rel = f.strip_prefix(&src).unwrap_or(f).display().to_string();
                uses.entry(here[..common].to_vec())
                    .or_default()
                    .entry((here[common].clone(), target[common].clone()))
                    .or_insert(rel);
            }
        }
    }
    uses
}

/// Each circle among the children of one module, as `a -> b -> a`, with the files.
fn circles(uses: &SiblingUses) -> Vec<String> {
    let mut found = Vec::new();
    for (parent, edges) in uses {
        let parent = if parent.is_empty() {
            "crate".to_string()
        } else {
            parent.join("::")
        };
        let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (a, b) in edges.keys() {
            next.entry(a).or_default().push(b);
        }
        // Depth-first from each child; a circle is reported once, from its least member.
        for &start in next.keys() {
            let mut stack = vec![vec![start]];
            while let Some(trail) = stack.pop() {
                let last = trail[trail.len() - 1];
                for &b in next.get(last).into_iter().flatten() {
                    if b == start {
                        let mut round = trail.clone();
                        round.push(start);
                        let steps: Vec<String> = round
                            .windows(2)
                            .map(|w| {
                                let file = &edges[&(w[0].to_string(), w[1].to_string())];
                                format!("{} -> {} ({file})", w[0], w[1])
                            })
                            .collect();
                        found.push(format!("in {parent}: {}", steps.join(", ")));
                    } else if b > start && !trail.contains(&b) {
                        let mut t = trail.clone();
                        t.push(b);
                        stack.push(t);
                    }
                }
            }
        }
    }
    found
}

/// No two files (or directories) inside one module use each other, directly or round a
/// longer circle: each module's files depend only one way, like the top-level layers.
#[test]
fn no_import_circle_between_files_of_a_module() {
    let found = circles(&sibling_uses());
    assert!(
        found.is_empty(),
        "import circles between files of one module:\n{}",
        found.join("\n")
    );
}

#[test]
fn circles_are_found_and_named() {
    let here = vec!["m".to_string(), "a".to_string()];
    let refs = module_refs(
        "//! see super::c\nuse super::{b::X, c};\nuse crate::m::d::{e::{F}, G};\nlet x = 3;",
        &here,
    );
    let want: Vec<Vec<String>> = [
        vec!["m", "b", "X"],
        vec!["m", "c"],
        vec!["m", "d", "e", "F"],
        vec!["m", "d", "G"],
    ]
    .iter()
    .map(|p| p.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(refs, want);
    let mut uses = SiblingUses::new();
    let edges = uses.entry(vec!["m".to_string()]).or_default();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        edges.insert((a.to_string(), b.to_string()), format!("m/{a}.rs"));
    }
    assert_eq!(
        circles(&uses),
        ["in m: a -> b (m/a.rs), b -> c (m/b.rs), c -> a (m/c.rs)"]
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

/// One module style and one way of attaching unit tests, everywhere: a module with
/// submodules is `foo.rs` beside `foo/` (no `mod.rs`), and a module's unit tests are its
/// `tests` child in `<stem>_tests.rs` beside it (`#[cfg(test)] #[path = …] mod tests;`,
/// never inline); a large `tests` splits into children of its own.
#[test]
fn one_module_style_and_one_way_to_attach_tests() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name == "mod.rs" {
            wrong.push(format!(
                "{}: a mod.rs (use foo.rs beside foo/)",
                f.display()
            ));
        }
        if name.ends_with("_tests.rs") {
            continue;
        }
        let text = fs::read_to_string(f).unwrap();
        let stem = name.trim_end_matches(".rs");
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let l = line.trim_start();
            let declares_tests = l.starts_with("mod ") || l.contains(" mod ");
            if !declares_tests || !l.contains("tests") {
                continue;
            }
            let attached = l.ends_with("mod tests;")
                && n >= 2
                && lines[n - 1].trim() == format!("#[path = \"{stem}_tests.rs\"]")
                && lines[n - 2].trim() == "#[cfg(test)]";
            if !attached {
                wrong.push(format!("{}:{}: {}", f.display(), n + 1, l));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "unit tests attached another way:\n{}",
        wrong.join("\n")
    );
}
