use super::{parse, Ask, MAX_REQUEST};

#[test]
fn get_and_head_of_metrics() {
    let get = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_eq!(parse(get), Some(Ask::Metrics { head: false }));
    let q = b"GET /metrics?x=1 HTTP/1.0\r\n\r\n";
    assert_eq!(parse(q), Some(Ask::Metrics { head: false }));
    let head = b"HEAD /metrics HTTP/1.1\r\n\r\n";
    assert_eq!(parse(head), Some(Ask::Metrics { head: true }));
}

#[test]
fn incomplete_is_read_on() {
    assert_eq!(parse(b"GET /metr"), None);
    assert_eq!(parse(b"GET /metrics HTTP/1.1\r\nHost: x\r\n"), None);
}

#[test]
fn other_paths_methods_and_garbage() {
    assert_eq!(parse(b"GET / HTTP/1.1\r\n\r\n"), Some(Ask::NotFound));
    assert_eq!(
        parse(b"POST /metrics HTTP/1.1\r\n\r\n"),
        Some(Ask::BadMethod)
    );
    assert_eq!(parse(b"\x16\x03\x01\x02\x00\x01\x00"), Some(Ask::Malformed));
    assert_eq!(parse(b"GET /metrics HTTP/9\r\n\r\n"), Some(Ask::Malformed));
}

#[test]
fn too_large_or_too_many_headers() {
    let mut big = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
    big.resize(MAX_REQUEST, b'a');
    assert_eq!(parse(&big), Some(Ask::TooLarge));
    let mut many = b"GET /metrics HTTP/1.1\r\n".to_vec();
    for i in 0..100 {
        many.extend_from_slice(format!("X{i}: y\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(parse(&many), Some(Ask::TooLarge));
}
