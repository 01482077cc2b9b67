use super::*;

fn ok(s: &str) -> Target {
    Target::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn err(s: &str) -> String {
    Target::parse(s).unwrap_err().to_string()
}

#[test]
fn webhooks_are_http_and_https_urls() {
    let t = ok("https://hooks.example.com/v6scout?token=abc");
    assert_eq!(t.url, "https://hooks.example.com/v6scout?token=abc");
    assert_eq!((t.format, t.fixed), (Format::Webhook, false));
    assert_eq!(ok("http://[::1]:8080/hook").url, "http://[::1]:8080/hook");
    assert_eq!(ok("http://127.0.0.1:9000").url, "http://127.0.0.1:9000/");
    assert_eq!(ok("HTTP://example.com?x=1").url, "http://example.com/?x=1");
    assert_eq!(
        ok("http://[fe80::1%25eth0]:80/").url,
        "http://[fe80::1%25eth0]:80/"
    );
}

#[test]
fn ntfy_urls_name_their_format() {
    let t = ok("ntfy://ntfy.sh/my-topic");
    assert_eq!(t.url, "https://ntfy.sh/my-topic");
    assert_eq!((t.format, t.fixed), (Format::Ntfy, true));
    let t = ok("ntfy+http://[::1]:2586/lab?auth=tk");
    assert_eq!(t.url, "http://[::1]:2586/lab?auth=tk");
    assert_eq!(t.format, Format::Ntfy);
    assert_eq!(ok("ntfy+https://n.example/t").url, "https://n.example/t");
    // --notify-format changes http(s) URLs only.
    assert_eq!(
        ok("ntfy://n.example/t").with_format(Format::Webhook).format,
        Format::Ntfy
    );
    assert_eq!(
        ok("https://ntfy.sh/t").with_format(Format::Ntfy).format,
        Format::Ntfy
    );
    assert_eq!(
        ok("https://h.example/").with_format(Format::Webhook).format,
        Format::Webhook
    );
}

#[test]
fn messages_leave_the_query_out() {
    assert_eq!(
        ok("ntfy://ntfy.sh/t?auth=secret").display(),
        "https://ntfy.sh/t"
    );
    assert_eq!(ok("http://[::1]:80/h").display(), "http://[::1]:80/h");
}

#[test]
fn bad_urls_say_what_is_wrong() {
    assert!(err("ntfy.sh/topic").contains("not a URL"));
    assert!(err("ftp://x/y").contains("unknown scheme ftp://"));
    assert!(err("ntfy://ntfy.sh").contains("names its topic"));
    assert!(err("ntfy://ntfy.sh/?x=1").contains("names its topic"));
    assert!(err("http:///x").contains("no host"));
    assert!(err("http://user:pw@h/x").contains("credentials"));
    assert!(err("http://h:0/").contains("not a port"));
    assert!(err("http://h:99999/").contains("not a port"));
    assert!(err("http://h:x/").contains("not a port"));
    assert!(err("http://::1/").contains("brackets"));
    assert!(err("http://[::1/").contains("ends with ]"));
    assert!(err("http://[nothing]/").contains("not an IPv6 address"));
    assert!(err("http://[::1]x/").contains(":PORT"));
    assert!(err("http://h/a b").contains("percent-encoded"));
    assert!(err("http://h/a\r\nX: y").contains("percent-encoded"));
    assert!(err("http://h/a#frag").contains("fragment"));
    assert!(err("http://h\u{e9}/").contains("not a host name"));
}
