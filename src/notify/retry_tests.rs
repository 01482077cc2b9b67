use super::*;

fn answered(status: u16, detail: &str) -> Outcome {
    Outcome::Answered {
        status,
        detail: detail.into(),
    }
}

#[test]
fn a_2xx_is_delivered() {
    for s in [200, 201, 202, 204, 299] {
        assert_eq!(verdict(&answered(s, "")), Verdict::Delivered, "{s}");
    }
}

#[test]
fn server_errors_and_silence_are_retried() {
    assert_eq!(
        verdict(&answered(500, " oops\n")),
        Verdict::Retry("HTTP 500: oops".into())
    );
    assert_eq!(
        verdict(&answered(503, "")),
        Verdict::Retry("HTTP 503".into())
    );
    assert_eq!(
        verdict(&answered(429, "")),
        Verdict::Retry("HTTP 429".into())
    );
    assert_eq!(
        verdict(&answered(408, "")),
        Verdict::Retry("HTTP 408".into())
    );
    assert_eq!(
        verdict(&Outcome::NoAnswer("connection refused".into())),
        Verdict::Retry("connection refused".into())
    );
}

#[test]
fn client_errors_are_given_up_at_once() {
    for s in [400, 401, 403, 404, 413] {
        assert!(
            matches!(verdict(&answered(s, "")), Verdict::GiveUp(_)),
            "{s}"
        );
    }
    assert_eq!(
        verdict(&answered(400, r#"{"error":"invalid topic"}"#)),
        Verdict::GiveUp(r#"HTTP 400: {"error":"invalid topic"}"#.into())
    );
    // A redirect is not followed: a POST must not turn into a GET elsewhere.
    assert!(matches!(verdict(&answered(301, "")), Verdict::GiveUp(_)));
}

#[test]
fn three_tries_one_then_two_seconds_apart() {
    let b = Backoff::default();
    assert_eq!(b.pause_after(1), Some(Duration::from_secs(1)));
    assert_eq!(b.pause_after(2), Some(Duration::from_secs(2)));
    assert_eq!(b.pause_after(3), None);
    assert_eq!(b.pause_after(0), None);
    let b = Backoff {
        tries: 5,
        first: Duration::from_millis(100),
        factor: 3,
    };
    let pauses: Vec<_> = (1..10).map_while(|n| b.pause_after(n)).collect();
    assert_eq!(
        pauses,
        [100, 300, 900, 2700].map(Duration::from_millis).to_vec()
    );
    let once = Backoff { tries: 1, ..b };
    assert_eq!(once.pause_after(1), None);
    // No overflow however long the schedule.
    let long = Backoff {
        tries: u32::MAX,
        first: Duration::from_secs(1),
        factor: 10,
    };
    assert!(long.pause_after(100).is_some());
}
