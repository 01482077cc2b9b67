//! README.md and the pages under docs/ against the repository and the command line: every
//! relative link reaches a file (and a heading, when it names one), the two commands for a
//! fresh machine are there as CI runs them, and the v6scout commands and options the pages
//! show are ones the CLI accepts.
#![allow(clippy::unwrap_used)]

use clap::{CommandFactory, Parser};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use v6scout::cli::Cli;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, bench/README.md and every page in docs/.
fn pages() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md"), root().join("bench/README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "docs/ has no pages");
    out.extend(docs);
    out
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The lines outside fenced code blocks.
fn prose(text: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    text.lines().filter(move |l| {
        if l.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The lines inside fenced blocks tagged `sh`.
fn shell_lines(text: &str) -> Vec<&str> {
    let (mut out, mut inside, mut fenced) = (Vec::new(), false, false);
    for l in text.lines() {
        let t = l.trim_start();
        if let Some(tag) = t.strip_prefix("```") {
            fenced = !fenced;
            inside = fenced && tag.trim() == "sh";
        } else if inside {
            out.push(l);
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, blanks become `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    prose(text)
        .filter_map(|l| l.strip_prefix('#'))
        .map(|h| slug(h.trim_start_matches('#')))
        .collect()
}

/// `(target, anchor)` of every Markdown link outside code blocks.
fn links(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in prose(text) {
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let tail = &rest[i + 2..];
            let Some(end) = tail.find(')') else { break };
            let link = &tail[..end];
            let (path, anchor) = link.split_once('#').unwrap_or((link, ""));
            out.push((path.to_string(), anchor.to_string()));
            rest = &tail[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_reaches_a_file_and_heading() {
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        for (path, anchor) in links(&text) {
            if path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(&path)
            };
            assert!(
                target.exists(),
                "{}: link to {path} reaches no file",
                page.display()
            );
            if !anchor.is_empty() && target.extension().is_some_and(|e| e == "md") {
                assert!(
                    anchors(&read(&target)).contains(&anchor),
                    "{}: {path}#{anchor} names no heading of {}",
                    page.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the parser broken?"
    );
}

#[test]
fn readme_links_every_docs_page() {
    let readme = read(&root().join("README.md"));
    let linked: BTreeSet<String> = links(&readme).into_iter().map(|(p, _)| p).collect();
    for page in pages()
        .iter()
        .filter(|p| p.parent().unwrap().ends_with("docs"))
    {
        let name = format!("docs/{}", page.file_name().unwrap().to_str().unwrap());
        assert!(linked.contains(&name), "README does not link {name}");
    }
}

/// CI (`.ci/run`) and every newcomer run exactly these; the scripts must be where README says.
#[test]
fn readme_gives_the_two_commands_for_a_fresh_machine() {
    let readme = read(&root().join("README.md"));
    let lines = shell_lines(&readme);
    for (command, script) in [
        ("sudo tests/lab/demo.sh", "tests/lab/demo.sh"),
        ("sudo tests/run.sh", "tests/run.sh"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.split('#').next().unwrap().trim() == command
                    || l.starts_with(&format!("{command} "))),
            "README's shell blocks no longer give `{command}`"
        );
        let mode = fs::metadata(root().join(script)).unwrap();
        assert!(
            std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o111 != 0,
            "{script} is not executable"
        );
    }
}

/// Shell words of one line, up to an unquoted `|`, `&&`, `;` or `#`; `None` when a quote
/// is left open (the command goes on over the next line).
fn words(line: &str) -> Option<Vec<String>> {
    let (mut out, mut word, mut quote, mut started) = (Vec::new(), String::new(), None, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, '|' | ';' | '#') => break,
            (None, '&') if chars.peek() == Some(&'&') => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if started {
        out.push(word);
    }
    Some(out)
}

/// Every `v6scout …` line of a shell block in README and docs/ parses as the CLI is today.
#[test]
fn documented_commands_parse() {
    let mut parsed = 0;
    for page in pages() {
        let text = read(&page);
        for line in shell_lines(&text) {
            let Some(mut w) = words(line) else { continue };
            if w.first().is_some_and(|s| s == "sudo") {
                w.remove(0);
            }
            if w.first().is_none_or(|s| s != "v6scout") {
                continue;
            }
            if let Err(e) = Cli::try_parse_from(&w) {
                panic!("{}: `{line}` no longer parses:\n{e}", page.display());
            }
            parsed += 1;
        }
    }
    assert!(parsed >= 10, "only {parsed} v6scout commands found");
}

/// Options of other tools the pages show (cargo, the bench and lab scripts, curl).
const OTHER_TOOLS: &[&str] = &[
    "--all-targets",
    "--before",
    "--bench",
    "--bin",
    "--data",
    "--features",
    "--fuzz-dir",
    "--hosts",
    "--lib",
    "--locked",
    "--mode",
    "--multi",
    "--nocapture",
    "--now",
    "--offline",
    "--path",
    "--privacy",
    "--probe-runs",
    "--release",
    "--resolve",
    "--runs",
    "--scan6",
    "--seed",
    "--sizes",
    "--test",
    "--tools",
];

/// Every `--option` README or a docs page names is an option of v6scout or one of its
/// subcommands (or of a tool in [`OTHER_TOOLS`]).
#[test]
fn documented_options_exist() {
    let mut known: BTreeSet<String> = OTHER_TOOLS.iter().map(|s| s.to_string()).collect();
    let cmd = Cli::command();
    let mut stack = vec![&cmd];
    while let Some(c) = stack.pop() {
        for a in c.get_arguments() {
            known.extend(a.get_long().map(|l| format!("--{l}")));
            known.extend(
                a.get_all_aliases()
                    .into_iter()
                    .flatten()
                    .map(|l| format!("--{l}")),
            );
        }
        stack.extend(c.get_subcommands());
    }
    known.insert("--help".into());
    known.insert("--version".into());
    let mut pages = pages();
    pages.retain(|p| !p.ends_with("bench/README.md"));
    for page in pages {
        let text = read(&page);
        for (i, _) in text.match_indices("--") {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '-') {
                continue;
            }
            let name: String = text[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
                continue;
            }
            let option = format!("--{name}");
            assert!(
                known.contains(&option),
                "{}: {option} is not an option of v6scout",
                page.display()
            );
        }
    }
}
