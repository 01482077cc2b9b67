//! The `watch --metrics` endpoint: `GET /metrics` answered from the latest rendered text.
//!
//! The watch loop only swaps the shared snapshot after a round, so a scrape never blocks
//! a probe round. What a client can cost is bounded: at most [`MAX_CONNECTIONS`] served at
//! once (more are closed at once), a request of at most [`MAX_REQUEST`] bytes read within
//! [`REQUEST_DEADLINE`], a response written within [`WRITE_TIMEOUT`], then the connection
//! is closed. Requests are parsed by `httparse`.

use crate::metrics::text::CONTENT_TYPE;
use anyhow::{Context, Result};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Connections served at once; more are closed without an answer.
pub const MAX_CONNECTIONS: usize = 16;
/// Most bytes of request line and headers read (no body is ever read).
pub const MAX_REQUEST: usize = 8192;
/// A client must send its whole request within this time.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(5);
/// Writing the response may take this long.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Most headers a request may have.
const MAX_HEADERS: usize = 64;
/// Stack of a connection thread: it holds a request buffer and a few locals.
const STACK: usize = 256 * 1024;

/// The text served, replaced after every round.
#[derive(Clone, Debug, Default)]
pub struct Snapshot(Arc<Mutex<Arc<String>>>);

impl Snapshot {
    /// Serves `text` from now on.
    pub fn publish(&self, text: String) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(text);
    }

    fn current(&self) -> Arc<String> {
        Arc::clone(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Binds `addr` (before any socket of the scan, so a bad address ends watch at once).
pub fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).with_context(|| format!("serving metrics on {addr}"))
}

/// Serves `snapshot` on `listener` from a background thread for the rest of the process.
/// Returns the bound address (the port chosen when the address had port 0).
pub fn serve(listener: TcpListener, snapshot: Snapshot) -> Result<SocketAddr> {
    let bound = listener.local_addr().context("serving metrics")?;
    std::thread::Builder::new()
        .name("metrics".into())
        .spawn(move || accept_loop(&listener, &snapshot))
        .context("starting the metrics server")?;
    Ok(bound)
}

fn accept_loop(listener: &TcpListener, snapshot: &Snapshot) {
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            // Out of descriptors, a connection reset before accept…: wait, go on.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            drop(stream);
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let guard = Active(Arc::clone(&active));
        let snap = snapshot.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-conn".into())
            .stack_size(STACK)
            .spawn(move || {
                let _guard = guard;
                handle(stream, &snap);
            });
        // No thread (the system is short of them): the closure, stream and guard are
        // dropped, which closes the connection and frees its slot.
        drop(spawned);
    }
}

/// Gives back a connection slot when dropped.
struct Active(Arc<AtomicUsize>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Ask {
    /// `GET /metrics` (`head`: `HEAD`, no body).
    Metrics {
        /// Only the headers.
        head: bool,
    },
    /// Another path.
    NotFound,
    /// Another method.
    BadMethod,
    /// Not HTTP/1.x.
    Malformed,
    /// More than [`MAX_REQUEST`] bytes or [`MAX_HEADERS`] headers.
    TooLarge,
}

/// Parses what was read so far: `None` while the request is incomplete.
pub fn parse(buf: &[u8]) -> Option<Ask> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) if buf.len() >= MAX_REQUEST => return Some(Ask::TooLarge),
        Ok(httparse::Status::Partial) => return None,
        Err(httparse::Error::TooManyHeaders) => return Some(Ask::TooLarge),
        Err(_) => return Some(Ask::Malformed),
    }
    let path = req.path.unwrap_or("");
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let head = match req.method {
        Some("GET") => false,
        Some("HEAD") => true,
        _ => return Some(Ask::BadMethod),
    };
    Some(if path == "/metrics" {
        Ask::Metrics { head }
    } else {
        Ask::NotFound
    })
}

fn handle(mut stream: TcpStream, snapshot: &Snapshot) {
    let Some(ask) = read_request(&mut stream) else {
        return;
    };
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let (status, ctype, body, head): (&str, &str, Arc<String>, bool) = match ask {
        Ask::Metrics { head } => ("200 OK", CONTENT_TYPE, snapshot.current(), head),
        Ask::NotFound => ("404 Not Found", "text/plain", text("try /metrics\n"), false),
        Ask::BadMethod => ("405 Method Not Allowed", "text/plain", text(""), false),
        Ask::Malformed => ("400 Bad Request", "text/plain", text(""), false),
        Ask::TooLarge => (
            "431 Request Header Fields Too Large",
            "text/plain",
            text(""),
            false,
        ),
    };
    let mut allow = String::new();
    if status.starts_with("405") {
        allow.push_str("Allow: GET, HEAD\r\n");
    }
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{allow}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    if !head {
        let _ = stream.write_all(body.as_bytes());
    }
    let _ = stream.flush();
}

fn text(s: &str) -> Arc<String> {
    Arc::new(s.to_string())
}

/// Reads until the request line and headers are complete, too large or malformed;
/// `None` when the client closes, errs or is too slow (it gets no answer then).
fn read_request(stream: &mut TcpStream) -> Option<Ask> {
    let deadline = Instant::now() + REQUEST_DEADLINE;
    let mut buf = vec![0u8; MAX_REQUEST];
    let mut len = 0;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return None;
        }
        match stream.read(&mut buf[len..]) {
            Ok(0) => return None,
            Ok(n) => len += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
        if let Some(ask) = parse(&buf[..len]) {
            return Some(ask);
        }
    }
}

#[cfg(test)]
#[path = "metrics_http_tests.rs"]
mod tests;
