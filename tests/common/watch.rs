//! A running `v6scout watch`: its stdout lines on a channel, its stderr gathered, killed
//! on drop (panics included). Each test builds the command line it needs (namespace,
//! environment, options) and hands it to [`Watch::spawn`].

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::wait_for;

/// A running watch; see the module doc.
pub struct Watch {
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    /// The thread copying stderr into `stderr`: done once the pipe is closed.
    stderr_reader: JoinHandle<()>,
    /// Every line read so far, for failure messages and [`Watch::stop`].
    seen: Vec<String>,
}

impl Watch {
    /// Starts `cmd` (`ip netns exec` execs the program, so the child's pid is v6scout's).
    pub fn spawn(cmd: &mut Command) -> Watch {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                sink.lock().unwrap().push_str(&text);
            }
        });
        Watch {
            child,
            lines,
            stderr,
            stderr_reader,
            seen: Vec::new(),
        }
    }

    /// What it printed so far, for a failure message.
    pub fn context(&self) -> String {
        format!(
            "stdout so far:\n{}\nstderr:\n{}",
            self.seen.join("\n"),
            self.stderr.lock().unwrap()
        )
    }

    /// What it printed on stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// The next line, or panics after `timeout`.
    pub fn next_line(&mut self, timeout: Duration, what: &str) -> String {
        match self.lines.recv_timeout(timeout) {
            Ok(l) => {
                self.seen.push(l.clone());
                l
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("no {what} within {timeout:?}; {}", self.context())
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("watch ended before {what}; {}", self.context())
            }
        }
    }

    /// Reads JSON lines until one satisfies `pred`; panics after `timeout`.
    pub fn expect(
        &mut self,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.next_line(left, what);
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}"));
            if pred(&v) {
                return v;
            }
        }
    }

    /// Reads lines until one is `line`; panics after `timeout`.
    pub fn expect_line(&mut self, timeout: Duration, line: &str) {
        let deadline = Instant::now() + timeout;
        while self.next_line(deadline.saturating_duration_since(Instant::now()), line) != line {}
    }

    /// Sends `sig` and waits for the exit; returns its status code, every stdout line it
    /// printed and its stderr.
    pub fn stop(mut self, sig: libc::c_int) -> (Option<i32>, Vec<String>, String) {
        // SAFETY: kill has no memory preconditions; the pid is our own live child.
        unsafe { libc::kill(self.child.id() as libc::pid_t, sig) };
        let status = wait_for(Duration::from_secs(30), "watch to exit", || {
            self.child.try_wait().unwrap()
        });
        // The reader thread drains what is left of stderr: done at the pipe's end (a
        // command of --exec still running may hold it open a little longer).
        wait_for(Duration::from_secs(30), "end of stderr", || {
            self.stderr_reader.is_finished().then_some(())
        });
        // Every line it printed, now that stdout is closed.
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(10)) {
            self.seen.push(l);
        }
        let err = self.stderr.lock().unwrap().clone();
        (status.code(), std::mem::take(&mut self.seen), err)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
