//! The JSON document against the schema as docs/json-schema.md documents it (README links
//! it): every field the output has is documented, every documented field is there, with
//! the documented type.

use super::fixture;
use serde_json::Value;
use std::collections::BTreeMap;

/// `(level, field) -> (type text, optional)` from the schema page's field table. Levels: `top`,
/// `iface`, `prefix`, `host`, `router`, `stats`; a type ending in ", optional" may be absent.
fn documented() -> BTreeMap<(&'static str, String), (String, bool)> {
    let page = include_str!("../docs/json-schema.md");
    let start = page.find("## JSON schema, version 1").unwrap();
    let mut out = BTreeMap::new();
    let mut in_hosts = false;
    for line in page[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| field"))
        .skip(2)
    {
        if !line.starts_with('|') {
            break;
        }
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        let (names, ty) = (cols[1], cols[2]);
        let optional = ty.ends_with(", optional");
        let ty = ty.trim_end_matches(", optional");
        let types: Vec<&str> = ty.split(", ").collect();
        for (i, n) in names.split(", ").enumerate() {
            let n = n.trim_matches('`').trim_end_matches("[]");
            let ty = types.get(i).or(types.last()).unwrap().to_string();
            let key = if let Some(f) = n.strip_prefix("routers[].") {
                ("router", f)
            } else if let Some(f) = n.strip_prefix("alerts[].") {
                ("alert", f)
            } else if let Some(f) = n.strip_prefix("stats.") {
                ("stats", f)
            } else if let Some(f) = n.strip_prefix("interfaces[].") {
                ("iface", f.trim_end_matches("[]"))
            } else if let Some(f) = n.strip_prefix("..") {
                ("prefix", f)
            } else if let Some(f) = n.strip_prefix('.') {
                ("iface", f)
            } else if in_hosts {
                ("host", n)
            } else {
                ("top", n)
            };
            out.insert((key.0, key.1.to_string()), (ty, optional));
            if n == "..hosts" || n == "hosts" && key.0 == "prefix" {
                in_hosts = true;
            }
        }
    }
    out.insert(("top", "stats".into()), ("object".into(), false));
    out
}

fn type_ok(v: &Value, ty: &str) -> bool {
    ty.split(" or ").any(|t| match t {
        "string" => v.is_string(),
        "integer" => v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "array of strings" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        "array of integers" => v.as_array().is_some_and(|a| a.iter().all(Value::is_u64)),
        _ => panic!("undocumented type {t:?}"),
    })
}

fn check(level: &'static str, obj: &Value, doc: &BTreeMap<(&'static str, String), (String, bool)>) {
    let fields = obj.as_object().unwrap();
    for ((l, f), (_, optional)) in doc {
        if *l == level && !optional {
            assert!(
                fields.contains_key(f),
                "{level}.{f} is documented but missing: {obj}"
            );
        }
    }
    for (k, v) in fields {
        let Some((ty, _)) = doc.get(&(level, k.clone())) else {
            panic!("{level}.{k} is in the output but not documented in docs/json-schema.md");
        };
        assert!(type_ok(v, ty), "{level}.{k} = {v} is not {ty}");
    }
}

#[test]
fn json_round_trips_through_the_documented_schema() {
    let doc = documented();
    check_report(fixture::dual_stack_report(), &doc);
    let mut r = fixture::report();
    // Cover the null cases too.
    r.interfaces[0].prefixes[0].hosts[1].mac = None;
    r.interfaces[0].prefixes[0].hosts[1].rtt = None;
    // A router with every option.
    let mut r = fixture::report();
    r.interfaces[0].routers = vec![super::routers::tests::router()];
    r.interfaces[0].alerts = vec![crate::report::Alert {
        kind: crate::report::AlertKind::NewRouter,
        addresses: vec!["fe80::1".parse().unwrap()],
        macs: vec![crate::mac::Mac([0, 0x24, 0xa5, 0xf1, 7, 0xca])],
        message: "router fe80::1 was not seen on this link before".into(),
    }];
    check_report(r, &doc);
}

/// Every object of the report's JSON against the documented fields, and a round trip.
fn check_report(r: crate::report::Report, doc: &BTreeMap<(&'static str, String), (String, bool)>) {
    let mut text = Vec::new();
    super::json::render(&r, &mut text).unwrap();
    let v: Value = serde_json::from_slice(&text).unwrap();
    check("top", &v, doc);
    check("stats", &v["stats"], doc);
    for i in v["interfaces"].as_array().unwrap() {
        check("iface", i, doc);
        for r in i["routers"].as_array().unwrap() {
            check("router", r, doc);
        }
        for a in i["alerts"].as_array().unwrap() {
            check("alert", a, doc);
        }
        for p in i["prefixes"].as_array().unwrap() {
            check("prefix", p, doc);
            for h in p["hosts"].as_array().unwrap() {
                check("host", h, doc);
            }
        }
    }
    // Round trip: printed and parsed again, the same document.
    let again: Value = serde_json::from_slice(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(again, v);
}

#[test]
fn schema_page_example_follows_the_documented_schema() {
    let doc = documented();
    let page = include_str!("../docs/json-schema.md");
    let start = page.find("## JSON schema, version 1").unwrap();
    let block = &page[start..];
    let json = &block[block.find("```json\n").unwrap() + 8..];
    let v: Value = serde_json::from_str(&json[..json.find("```").unwrap()]).unwrap();
    check("top", &v, &doc);
    let i = &v["interfaces"][0];
    check("iface", i, &doc);
    check("prefix", &i["prefixes"][0], &doc);
    check("host", &i["prefixes"][0]["hosts"][0], &doc);
}

#[test]
fn readme_links_the_schema_page() {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains("](docs/json-schema.md)"),
        "README must link docs/json-schema.md, where the JSON schema is documented"
    );
}
