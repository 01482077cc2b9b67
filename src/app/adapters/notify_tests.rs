use super::*;
use crate::mac::Mac;
use crate::notify::Format;
use crate::oui::Vendor;
use crate::watch::render::json_line;
use crate::watch::EventKind;
use std::collections::VecDeque;
use std::sync::mpsc::Sender;
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

/// A transport that answers from a script (200 once it is spent), records every request,
/// and, with a gate, waits for a token before each answer.
#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<Outcome>>>,
    posts: Arc<Mutex<Vec<Request>>>,
    gate: Option<Arc<Mutex<Receiver<()>>>>,
    entered: Option<Sender<()>>,
}

impl Transport for Fake {
    fn post(&mut self, r: &Request) -> Outcome {
        self.posts.lock().unwrap().push(r.clone());
        if let Some(e) = &self.entered {
            let _ = e.send(());
        }
        if let Some(g) = &self.gate {
            let _ = g.lock().unwrap().recv();
        }
        let next = self.script.lock().unwrap().pop_front();
        next.unwrap_or(Outcome::Answered {
            status: 200,
            detail: String::new(),
        })
    }
}

impl Fake {
    fn scripted(outcomes: &[Outcome]) -> Fake {
        Fake {
            script: Arc::new(Mutex::new(outcomes.iter().cloned().collect())),
            ..Fake::default()
        }
    }

    /// Each answer waits for a token sent to the returned sender; each try's start is
    /// reported on the returned receiver.
    fn gated() -> (Fake, Sender<()>, Receiver<()>) {
        let (open, gate) = mpsc::channel();
        let (entered, tries) = mpsc::channel();
        let f = Fake {
            gate: Some(Arc::new(Mutex::new(gate))),
            entered: Some(entered),
            ..Fake::default()
        };
        (f, open, tries)
    }

    fn bodies(&self) -> Vec<String> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.body.clone())
            .collect()
    }
}

fn status(n: u16) -> Outcome {
    Outcome::Answered {
        status: n,
        detail: String::new(),
    }
}

fn event(kind: EventKind, last: u8) -> Event {
    Event {
        kind,
        time: UNIX_EPOCH + Duration::from_secs(1_795_000_000),
        interface: "eth0".into(),
        mac: Some(Mac([0xb8, 0x27, 0xeb, 0, 0, last])),
        vendor: Vendor::Known("Raspberry Pi Foundation"),
        router: false,
        addresses: Vec::new(),
        last_seen: None,
        remembered: false,
        label: None,
        known: false,
        message: None,
    }
}

fn appeared(last: u8) -> Event {
    event(EventKind::Appeared { returning: false }, last)
}

/// No pauses between tries, so the tests run at once.
const QUICK: Backoff = Backoff {
    tries: 3,
    first: Duration::ZERO,
    factor: 2,
};

fn hook() -> Target {
    Target::parse("http://[::1]:9/hook").unwrap()
}

/// A notifier over `fakes` (one target each), with warnings collected.
fn notifier(fakes: &[Fake], queue: usize) -> (Notifier, Arc<Mutex<Vec<Warning>>>) {
    let said = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&said);
    let warn: Warn = Arc::new(move |w| sink.lock().unwrap().push(w));
    let targets = fakes.iter().map(|f| {
        let t: Box<dyn Transport> = Box::new(f.clone());
        (hook(), t)
    });
    let n = Notifier::with("all".parse().unwrap(), targets, QUICK, queue, warn).unwrap();
    (n, said)
}

fn done(n: Notifier) -> Counts {
    n.finish(Duration::from_secs(30))
}

#[test]
fn a_webhook_gets_each_event_once_as_its_json_line() {
    let fake = Fake::default();
    let (n, said) = notifier(std::slice::from_ref(&fake), 8);
    let events = [appeared(1), event(EventKind::Gone, 2)];
    for e in &events {
        n.offer(e);
    }
    let c = done(n);
    assert_eq!(
        c,
        Counts {
            sent: 2,
            ..Counts::default()
        }
    );
    let want: Vec<String> = events.iter().map(json_line).collect();
    assert_eq!(fake.bodies(), want);
    assert!(said.lock().unwrap().is_empty());
}

#[test]
fn only_the_chosen_kinds_go_out() {
    let fake = Fake::default();
    let warn: Warn = Arc::new(|_| {});
    let t: Box<dyn Transport> = Box::new(fake.clone());
    let n = Notifier::with("gone".parse().unwrap(), [(hook(), t)], QUICK, 8, warn).unwrap();
    n.offer(&appeared(1));
    n.offer(&event(EventKind::Present, 3));
    n.offer(&event(EventKind::Gone, 2));
    assert_eq!(done(n).sent, 1);
    assert_eq!(fake.bodies(), [json_line(&event(EventKind::Gone, 2))]);
}

#[test]
fn a_server_error_is_retried_and_delivered_once() {
    let fake = Fake::scripted(&[status(500)]);
    let (n, said) = notifier(std::slice::from_ref(&fake), 8);
    n.offer(&appeared(1));
    let c = done(n);
    assert_eq!(
        c,
        Counts {
            sent: 1,
            retried: 1,
            ..Counts::default()
        }
    );
    assert_eq!(fake.bodies().len(), 2, "one retry, no duplicate");
    assert!(said.lock().unwrap().is_empty(), "delivered: nothing lost");
}

#[test]
fn a_client_error_is_not_retried() {
    let fake = Fake::scripted(&[Outcome::Answered {
        status: 404,
        detail: "no such hook".into(),
    }]);
    let (n, said) = notifier(std::slice::from_ref(&fake), 8);
    n.offer(&appeared(1));
    let c = done(n);
    assert_eq!(
        c,
        Counts {
            failed: 1,
            ..Counts::default()
        }
    );
    assert_eq!(fake.bodies().len(), 1);
    assert_eq!(
        *said.lock().unwrap(),
        [Warning::NotifyFailed {
            target: "http://[::1]:9/hook".into(),
            event: "appeared",
            why: "HTTP 404: no such hook".into(),
            tries: 1,
        }]
    );
}

#[test]
fn a_failure_streak_is_said_once_and_its_end_with_the_losses() {
    let down = Outcome::NoAnswer("connection refused".into());
    // Two notifications fail every try, the third goes through.
    let fake = Fake::scripted(&vec![down; 6]);
    let (n, said) = notifier(std::slice::from_ref(&fake), 8);
    for i in 1..=3 {
        n.offer(&appeared(i));
    }
    let c = done(n);
    assert_eq!(
        c,
        Counts {
            sent: 1,
            retried: 4,
            failed: 2,
            dropped: 0
        }
    );
    assert_eq!(fake.bodies().len(), 7);
    let said = said.lock().unwrap();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        matches!(&said[0], Warning::NotifyFailed { why, tries: 3, .. } if why == "connection refused"),
        "{said:?}"
    );
    assert_eq!(
        said[1],
        Warning::NotifyRecovered {
            target: "http://[::1]:9/hook".into(),
            lost: 2
        }
    );
}

#[test]
fn a_full_queue_drops_and_counts_without_waiting() {
    let (fake, open, tries) = Fake::gated();
    let (n, said) = notifier(std::slice::from_ref(&fake), 4);
    n.offer(&appeared(0));
    // The first is being sent (and hangs): 4 more fit in the queue, 3 more do not.
    tries.recv_timeout(Duration::from_secs(30)).unwrap();
    for i in 1..=7 {
        n.offer(&appeared(i));
    }
    assert_eq!(
        n.counts(),
        Counts {
            dropped: 3,
            ..Counts::default()
        }
    );
    assert_eq!(
        *said.lock().unwrap(),
        [Warning::NotifyQueueFull {
            target: "http://[::1]:9/hook".into(),
            waiting: 5
        }]
    );
    for _ in 0..5 {
        open.send(()).unwrap();
    }
    let c = done(n);
    assert_eq!(
        c,
        Counts {
            sent: 5,
            dropped: 3,
            ..Counts::default()
        }
    );
    let want: Vec<String> = (0..=4).map(|i| json_line(&appeared(i))).collect();
    assert_eq!(fake.bodies(), want, "the first five, in order");
    assert!(matches!(
        said.lock().unwrap().last(),
        Some(Warning::NotifyRecovered { lost: 3, .. })
    ));
}

#[test]
fn a_hung_target_holds_up_neither_the_watch_nor_another_target() {
    let (hung, _open, tries) = Fake::gated();
    let fine = Fake::default();
    let (n, said) = notifier(&[hung.clone(), fine.clone()], 64);
    n.offer(&appeared(0));
    tries.recv_timeout(Duration::from_secs(30)).unwrap();
    for i in 1..50 {
        n.offer(&appeared(i));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while fine.bodies().len() < 50 {
        assert!(
            Instant::now() < deadline,
            "the fine target got {:?}",
            fine.bodies().len()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let c = n.finish(Duration::from_millis(200));
    // What the hung one still held when the watch stopped is counted, and said.
    assert_eq!(
        c,
        Counts {
            sent: 50,
            dropped: 50,
            ..Counts::default()
        }
    );
    assert_eq!(hung.bodies().len(), 1);
    assert_eq!(
        *said.lock().unwrap(),
        [Warning::NotifyUndelivered {
            target: "http://[::1]:9/hook".into(),
            count: 50
        }]
    );
}

#[test]
fn ntfy_targets_get_the_message_and_headers() {
    let fake = Fake::default();
    let warn: Warn = Arc::new(|_| {});
    let t: Box<dyn Transport> = Box::new(fake.clone());
    let target = Target::parse("https://ntfy.sh/t")
        .unwrap()
        .with_format(Format::Ntfy);
    let n = Notifier::with("all".parse().unwrap(), [(target, t)], QUICK, 8, warn).unwrap();
    let e = appeared(1);
    n.offer(&e);
    done(n);
    let posts = fake.posts.lock().unwrap();
    assert_eq!(
        posts[0],
        notify::request(&Target::parse("ntfy://ntfy.sh/t").unwrap(), &e)
    );
    assert!(posts[0].body.starts_with("+ b8:27:eb:00:00:01 "));
}
