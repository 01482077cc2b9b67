//! Differential test: our table (data/oui.tsv via build.rs) against the independent,
//! older dataset bundled with the `mac_oui` crate (a dev-dependency only).
//!
//! Both come from the IEEE registry, so on the prefixes both have the owner should agree
//! once names are normalized (case, punctuation, legal-form suffixes). A few real renames
//! since mac_oui's snapshot are expected; a conversion bug in our pipeline (shifted
//! columns, truncated names, prefixes off by a nibble) makes nearly everything disagree.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use v6scout::oui::entries;

/// Most distinct (our name, their name) pairs that may differ, in per cent of the distinct
/// pairs: one rename counts once however many prefixes it covers. Measured on the
/// 2026-08-26 table: 0.67 % (24 bits), 0.65 % (28), 0.50 % (36). Deliberately broken
/// conversions measured far higher (names shifted one row: ~100 %; truncated to 24
/// characters: 26 % of 24-bit pairs).
const MAX_PAIR_MISMATCH_PCT: f64 = 2.0;

/// Most prefixes whose names may differ, in per cent. Measured: 2.03 % (24 bits), most
/// of it one corporate rename (Arris -> CommScope, 111 prefixes); 1.04 % (28), 0.48 % (36).
const MAX_PREFIX_MISMATCH_PCT: f64 = 5.0;

/// Words that differ between spellings of the same company and say nothing about it.
const NOISE: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "co",
    "corp",
    "corporation",
    "corporate",
    "company",
    "llc",
    "gmbh",
    "ag",
    "sa",
    "srl",
    "bv",
    "kg",
    "plc",
    "pty",
    "pvt",
    "oy",
    "ab",
    "as",
    "spa",
    "the",
    "and",
    "de",
    "cv",
    "sas",
    "kk",
    "nv",
    "pte",
    "jsc",
    "sl",
    "ltda",
];

/// Lowercase alphanumerics without legal-form words; "technolog…" -> "tech" (mac_oui's
/// source abbreviates it).
fn normalize(name: &str) -> String {
    let lower = name.to_lowercase();
    let words = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let words = words.map(|w| {
        if w.starts_with("technolog") {
            "tech"
        } else {
            w
        }
    });
    let mut s: String = words.filter(|w| !NOISE.contains(w)).collect();
    // Suffixes glued on by dropped dots ("Stechwin.CoLtd").
    while let Some(rest) = ["ltd", "co", "inc", "kg", "llc", "corp"]
        .iter()
        .find_map(|suf| s.strip_suffix(suf).filter(|r| !r.is_empty()))
    {
        s = rest.to_string();
    }
    s
}

/// True where one side only says "Private" (owner hidden, or revealed, since the other
/// snapshot): a registry change, not a name to compare.
fn either_private(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case("private") || b.eq_ignore_ascii_case("private")
}

/// mac_oui's entries by prefix as uppercase hex digits ("0050C229E").
fn mac_oui_table() -> HashMap<String, String> {
    let db = mac_oui::Oui::default().unwrap();
    let mut out = HashMap::new();
    for maker in db.get_unique_manufacturers().unwrap() {
        for e in db
            .lookup_by_manufacturer(&maker)
            .unwrap()
            .into_iter()
            .flatten()
        {
            let hex: String = e
                .oui
                .split('/')
                .next()
                .unwrap()
                .replace([':', '-', '.'], "");
            out.insert(hex.to_uppercase(), e.company_name.clone());
        }
    }
    out
}

#[test]
fn agrees_with_mac_oui() {
    let theirs = mac_oui_table();
    let ours: HashMap<String, &str> = entries()
        .into_iter()
        .map(|p| {
            (
                format!("{:0w$X}", p.value, w = usize::from(p.bits / 4)),
                p.vendor,
            )
        })
        .collect();
    let mut report = Vec::new();
    for digits in [6, 7, 9] {
        let mut shared = 0usize;
        let mut differ = Vec::new();
        let mut only_theirs = 0usize;
        let mut private = 0usize;
        let mut pairs = HashSet::new();
        let mut renames = HashSet::new();
        for (prefix, their_name) in theirs.iter().filter(|(p, _)| p.len() == digits) {
            let Some(our_name) = ours.get(prefix) else {
                only_theirs += 1;
                continue;
            };
            shared += 1;
            if either_private(our_name, their_name) {
                private += 1;
            } else {
                let pair = (normalize(our_name), normalize(their_name));
                if pair.0 != pair.1 {
                    differ.push(format!(
                        "{prefix}: ours {our_name:?} / mac_oui {their_name:?}"
                    ));
                    renames.insert(pair.clone());
                }
                pairs.insert(pair);
            }
        }
        differ.sort();
        let pct = 100.0 * differ.len() as f64 / shared.max(1) as f64;
        let pair_pct = 100.0 * renames.len() as f64 / pairs.len().max(1) as f64;
        let only_ours = ours
            .keys()
            .filter(|p| p.len() == digits && !theirs.contains_key(*p))
            .count();
        println!(
            "{} bits: {shared} shared, {} differ ({pct:.2} %), {private} private on one side, \
             {only_theirs} only in mac_oui, {only_ours} only in ours; distinct name pairs: \
             {} of {} differ ({pair_pct:.2} %)",
            digits * 4,
            differ.len(),
            renames.len(),
            pairs.len()
        );
        for d in differ.iter().take(10) {
            println!("  {d}");
        }
        report.push((digits, shared, pct, pair_pct, only_theirs));
    }
    for (digits, shared, pct, pair_pct, gone) in report {
        let bits = digits * 4;
        let min_shared = if bits == 24 { 30_000 } else { 1_000 };
        assert!(
            shared > min_shared,
            "{bits} bits: only {shared} shared prefixes: wrong prefixes?"
        );
        assert!(
            pair_pct <= MAX_PAIR_MISMATCH_PCT,
            "{bits} bits: {pair_pct:.2} % of name pairs differ"
        );
        assert!(
            pct <= MAX_PREFIX_MISMATCH_PCT,
            "{bits} bits: {pct:.2} % of prefixes differ"
        );
        // Assignments are practically never withdrawn: losing many means a parsing bug.
        assert!(
            gone * 100 < shared,
            "{bits} bits: {gone} mac_oui prefixes missing from ours"
        );
    }
}
