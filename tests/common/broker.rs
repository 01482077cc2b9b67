//! A real MQTT broker for lab tests: mosquitto inside one lab namespace, listening on
//! 127.0.0.1 only, anonymous clients refused (one user with a random password), no
//! persistence; its config, password files and log in a private temp dir
//! (`v6t-<runid>-mqtt`). Stopped by PID, killed and its files removed on drop, panics
//! included. [`Sub`] is a live `mosquitto_sub`; [`Broker::retained`] reads what the broker
//! keeps. Topics under `v6t-sync/` are the harness's own and never show in what they return.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The port the broker listens on (the namespace is private, so the standard one).
pub const PORT: u16 = 1883;
/// The one user the broker knows.
pub const USER: &str = "v6scout";
/// How long the harness waits for the broker or a client before it panics.
const CEILING: Duration = Duration::from_secs(30);
/// Topics of the harness's own sentinel messages.
const SYNC_PREFIX: &str = "v6t-sync/";
/// mosquitto_sub's output: retain flag, payload in hex (possibly empty), topic. The
/// payload may be binary or hold spaces and newlines; only the topic is printed raw, last.
const FORMAT: &str = "%r %x %t";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Whether mosquitto and its clients are installed (tests/deps.sh installs them).
pub fn available() -> bool {
    let on_path = |c: &str| {
        ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
            .iter()
            .any(|d| Path::new(d).join(c).exists())
    };
    [
        "mosquitto",
        "mosquitto_passwd",
        "mosquitto_sub",
        "mosquitto_pub",
    ]
    .into_iter()
    .all(on_path)
}

/// One message as a subscriber received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its topic.
    pub topic: String,
    /// Its payload, byte for byte (empty: a retained topic being cleared, or an empty
    /// message).
    pub payload: Vec<u8>,
    /// The retain flag as the publisher set it ([`Sub`] subscribes with MQTT v5's
    /// retain-as-published); always true from [`Broker::retained_messages`].
    pub retained: bool,
}

impl Message {
    /// The payload as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.payload).into_owned()
    }

    /// `(topic, payload as text)`.
    pub fn pair(&self) -> (String, String) {
        (self.topic.clone(), self.text())
    }
}

/// How to reach the broker from inside its namespace.
#[derive(Clone)]
struct Client {
    ns: String,
    port: u16,
    password: String,
}

impl Client {
    /// `ip netns exec NS PROGRAM` (`ip` execs the program: the child's pid is its own).
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns, program]);
        c
    }

    /// A mosquitto client (`mosquitto_pub`, `mosquitto_sub`) logged in as [`USER`].
    fn tool(&self, program: &str) -> Command {
        let mut c = self.command(program);
        c.args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-u", USER, "-P", &self.password]);
        c
    }

    /// Publishes at QoS 1 (mosquitto_pub returns once the broker has it); `args` give the
    /// payload (`-n`, `-s` or `-f FILE`), `stdin` what `-s` reads.
    fn publish(&self, topic: &str, retain: bool, args: &[&str], stdin: &[u8]) {
        let mut cmd = self.tool("mosquitto_pub");
        cmd.args(["-q", "1", "-t", topic]).args(args);
        if retain {
            cmd.arg("-r");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("mosquitto_pub: {e}"));
        // Dropping the pipe after writing is the end of input for `-s`.
        let written = child.stdin.take().map(|mut s| s.write_all(stdin));
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && !matches!(written, Some(Err(_))),
            "mosquitto_pub -t {topic} {args:?} ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }

    /// Publishes a fresh sentinel (never retained) to `topic`; returns its payload.
    fn sentinel(&self, topic: &str) -> String {
        let nonce = format!("s{}", COUNTER.fetch_add(1, Ordering::Relaxed));
        self.publish(topic, false, &["-m", &nonce], &[]);
        nonce
    }
}

/// A running mosquitto in one lab namespace.
pub struct Broker {
    client: Client,
    dir: PathBuf,
    child: Option<Child>,
}

impl Broker {
    /// Starts mosquitto in `ns` on 127.0.0.1:[`PORT`], its files in `v6t-RUNID-mqtt` under
    /// the temp dir; returns once it accepts connections (panics, with its log, if not).
    pub fn start(ns: &str, runid: &str) -> Broker {
        let dir = std::env::temp_dir().join(format!("v6t-{runid}-mqtt"));
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let client = Client {
            ns: ns.to_owned(),
            port: PORT,
            password: random_password(),
        };
        // From here on, drop removes the directory whatever fails.
        let mut broker = Broker {
            client,
            dir,
            child: None,
        };
        broker.write_config();
        broker.spawn();
        broker
    }

    /// The config, the broker's password file and the client's password file.
    fn write_config(&self) {
        let d = &self.dir;
        let status = Command::new("mosquitto_passwd")
            .args(["-b", "-c"])
            .arg(d.join("passwd"))
            .args([USER, &self.client.password])
            .status()
            .unwrap_or_else(|e| panic!("mosquitto_passwd: {e}"));
        assert!(status.success(), "mosquitto_passwd: {status}");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(self.password_file())
            .and_then(|mut f| writeln!(f, "{}", self.client.password))
            .unwrap_or_else(|e| panic!("write the password file: {e}"));
        // mosquitto 2.0 drops to the `mosquitto` user before it reads the password file,
        // which this private directory keeps from it: `user root` keeps the privileges.
        let config = format!(
            "listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {pw}\n\
             persistence false\nuser root\nlog_dest stderr\n\
             log_timestamp_format %Y-%m-%dT%H:%M:%S\n",
            port = self.client.port,
            pw = d.join("passwd").display()
        );
        std::fs::write(d.join("mosquitto.conf"), config).unwrap();
    }

    /// Runs mosquitto (its stderr appended to the log) and waits until it listens.
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("mosquitto.log"))
            .unwrap();
        let child = self
            .client
            .command("mosquitto")
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start mosquitto in {}: {e}", self.client.ns));
        self.child = Some(child);
        let t0 = Instant::now();
        while !self.listening() {
            if let Some(st) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                self.child = None;
                panic!("mosquitto exited ({st}):\n{}", self.log());
            }
            assert!(
                t0.elapsed() < CEILING,
                "mosquitto not listening within {CEILING:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether a socket listens on 127.0.0.1:PORT in the namespace (only this broker can
    /// own it there). Once it does, connections wait in its backlog until it serves them.
    fn listening(&self) -> bool {
        let filter = format!("sport = :{}", self.client.port);
        let out = self
            .client
            .command("ss")
            .args(["-Hltn", "src", "127.0.0.1", &filter])
            .output()
            .unwrap_or_else(|e| panic!("ss in {}: {e}", self.client.ns));
        out.status.success() && !out.stdout.trim_ascii().is_empty()
    }

    /// Stops the broker: SIGTERM to its PID, then waits for it to exit (SIGKILL and a
    /// panic after a generous ceiling). Retained messages are lost (no persistence).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // SAFETY: kill has no memory preconditions; the pid is our unreaped child's.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let t0 = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if t0.elapsed() > CEILING {
                let _ = child.kill();
                let _ = child.wait();
                panic!("mosquitto ignored SIGTERM for {CEILING:?}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the broker if it runs, then starts it again on the same port with the same
    /// config and password; returns once it accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// `mqtt://v6scout:PASSWORD@127.0.0.1:PORT` (the password is hex: nothing to escape).
    pub fn url(&self) -> String {
        format!(
            "mqtt://{USER}:{}@127.0.0.1:{}",
            self.client.password, self.client.port
        )
    }

    /// `mqtt://v6scout@127.0.0.1:PORT`, for a password given another way.
    pub fn url_without_password(&self) -> String {
        format!("mqtt://{USER}@127.0.0.1:{}", self.client.port)
    }

    /// The user name ([`USER`]).
    pub fn user(&self) -> &str {
        USER
    }

    /// The user's password (random, hex).
    pub fn password(&self) -> &str {
        &self.client.password
    }

    /// A file (mode 0600) holding the password and a newline, nothing else.
    pub fn password_file(&self) -> PathBuf {
        self.dir.join("password")
    }

    /// The namespace the broker runs in.
    pub fn ns(&self) -> &str {
        &self.client.ns
    }

    /// The port it listens on (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.client.port
    }

    /// Its PID while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Its private directory (removed on drop).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What mosquitto logged so far, across restarts (connections and refusals included).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("mosquitto.log")).unwrap_or_default()
    }

    /// `ip netns exec NS PROGRAM`, to run anything next to the broker.
    pub fn command(&self, program: &str) -> Command {
        self.client.command(program)
    }

    /// `ip netns exec NS PROGRAM -h 127.0.0.1 -p PORT -u USER -P PASSWORD`, for
    /// `mosquitto_pub` and `mosquitto_sub` with more options.
    pub fn client(&self, program: &str) -> Command {
        self.client.tool(program)
    }

    /// Publishes `payload` (any bytes, any size, or empty: with `retain`, empty clears the
    /// topic's retained message) at QoS 1; returns once the broker has it. Panics when
    /// mosquitto_pub fails.
    pub fn publish(&self, topic: &str, payload: impl AsRef<[u8]>, retain: bool) {
        let payload = payload.as_ref();
        // mosquitto_pub refuses an empty `-s` input ("Zero length input"): `-n` sends one.
        let args: &[&str] = if payload.is_empty() { &["-n"] } else { &["-s"] };
        self.client.publish(topic, retain, args, payload);
    }

    /// Publishes the content of `file` (`mosquitto_pub -f`; it must not be empty).
    pub fn publish_file(&self, topic: &str, file: &Path, retain: bool) {
        let path = file.to_str().expect("a UTF-8 path");
        self.client.publish(topic, retain, &["-f", path], &[]);
    }

    /// The retained messages the broker holds under `filter`, as `(topic, payload text)`,
    /// sorted by topic. See [`Broker::retained_messages`].
    pub fn retained(&self, filter: &str) -> Vec<(String, String)> {
        self.retained_messages(filter)
            .iter()
            .map(Message::pair)
            .collect()
    }

    /// The retained messages the broker holds under `filter`, sorted by topic. A cleared
    /// topic is absent: the broker keeps no empty retained message.
    ///
    /// mosquitto sends a new subscription's retained messages while it handles the
    /// SUBSCRIBE, and handles one packet at a time, so a live message on a sentinel topic
    /// subscribed in the same packet arrives after all of them. `--retained-only` exits on
    /// that first live message: sentinels are published until it does (one sent before the
    /// subscription exists is simply not delivered). No timing decides what is complete.
    pub fn retained_messages(&self, filter: &str) -> Vec<Message> {
        let sync = format!(
            "{SYNC_PREFIX}retained{}",
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut child = self
            .client
            .tool("mosquitto_sub")
            .args(["--retained-only", "-F", FORMAT, "-t", filter, "-t", &sync])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("mosquitto_sub: {e}"));
        let stdout = read_all(child.stdout.take().unwrap());
        let stderr = read_all(child.stderr.take().unwrap());
        let t0 = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if t0.elapsed() > CEILING {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no end of the retained messages of {filter} within {CEILING:?}");
            }
            self.client.sentinel(&sync);
            wait_exit(&mut child, Duration::from_millis(200));
        };
        let err = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
        assert!(
            status.success(),
            "mosquitto_sub -t {filter} ({status}): {err}"
        );
        let out = stdout.join().unwrap();
        let mut messages: Vec<Message> = out
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| parse_line(l).unwrap_or_else(|| panic!("mosquitto_sub printed {l:?}")))
            .filter(|m| !m.topic.starts_with(SYNC_PREFIX))
            .collect();
        messages.sort_by(|a, b| a.topic.cmp(&b.topic));
        messages
    }

    /// A live subscriber to `filters`, returned once it is subscribed (see [`Sub::sync`]).
    pub fn subscribe(&self, filters: &[&str]) -> Sub {
        Sub::start(self.client.clone(), &self.dir, filters)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A running `mosquitto_sub` (MQTT v5, retain-as-published, QoS 1) in the broker's
/// namespace; what it receives is read on a thread. Killed by PID on drop. It survives a
/// broker restart: libmosquitto reconnects and subscribes again (call [`Sub::sync`] to know
/// it has).
pub struct Sub {
    client: Client,
    child: Child,
    rx: Receiver<Message>,
    reader: Option<JoinHandle<()>>,
    seen: Vec<Message>,
    sync_topic: String,
    stderr: PathBuf,
}

impl Sub {
    fn start(client: Client, dir: &Path, filters: &[&str]) -> Sub {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let sync_topic = format!("{SYNC_PREFIX}sub{n}");
        let stderr = dir.join(format!("sub{n}.err"));
        let mut cmd = client.tool("mosquitto_sub");
        cmd.args([
            "-V",
            "mqttv5",
            "--retain-as-published",
            "-q",
            "1",
            "-F",
            FORMAT,
        ]);
        for f in filters.iter().copied().chain([sync_topic.as_str()]) {
            cmd.args(["-t", f]);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("mosquitto_sub: {e}"));
        let (tx, rx) = std::sync::mpsc::channel();
        let out = BufReader::new(child.stdout.take().unwrap());
        let reader = std::thread::spawn(move || {
            for line in out.split(b'\n') {
                let Ok(line) = line else { return };
                match parse_line(&line) {
                    Some(m) => {
                        if tx.send(m).is_err() {
                            return;
                        }
                    }
                    None => eprintln!("mosquitto_sub printed {line:?}"),
                }
            }
        });
        let mut sub = Sub {
            client,
            child,
            rx,
            reader: Some(reader),
            seen: Vec::new(),
            sync_topic,
            stderr,
        };
        sub.sync();
        sub
    }

    /// Returns once the subscription is live and every message the broker sent it before
    /// is in [`Sub::seen`]: publishes sentinels to this subscriber's own topic until one
    /// comes back (the broker keeps a client's messages in order). The way to assert that
    /// something was *not* received. Panics after a generous ceiling.
    pub fn sync(&mut self) {
        let t0 = Instant::now();
        loop {
            let nonce = self.client.sentinel(&self.sync_topic);
            let round = Instant::now() + Duration::from_millis(300);
            while let Some(m) = self.next_before(round) {
                if m.topic == self.sync_topic && m.payload == nonce.as_bytes() {
                    return;
                }
            }
            assert!(
                t0.elapsed() < CEILING,
                "subscriber not live within {CEILING:?}: {}",
                self.stderr()
            );
        }
    }

    /// The next message received before `deadline`, also kept in `seen` unless it is a
    /// sentinel (returned all the same, for [`Sub::sync`]).
    fn next_before(&mut self, deadline: Instant) -> Option<Message> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(m) => {
                if !m.topic.starts_with(SYNC_PREFIX) {
                    self.seen.push(m.clone());
                }
                Some(m)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                panic!("mosquitto_sub ended: {}", self.stderr())
            }
        }
    }

    /// Moves what has arrived into `seen`.
    fn drain(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            if !m.topic.starts_with(SYNC_PREFIX) {
                self.seen.push(m);
            }
        }
    }

    /// The first message since the start (or the last [`Sub::clear`]) for which
    /// `pred(topic, payload text)` holds, waiting up to `ceiling` for it to arrive.
    pub fn wait_for(
        &mut self,
        mut pred: impl FnMut(&str, &str) -> bool,
        ceiling: Duration,
    ) -> Option<(String, String)> {
        self.wait_for_message(|m| pred(&m.topic, &m.text()), ceiling)
            .map(|m| m.pair())
    }

    /// Like [`Sub::wait_for`], on whole messages (bytes and retain flag).
    pub fn wait_for_message(
        &mut self,
        mut pred: impl FnMut(&Message) -> bool,
        ceiling: Duration,
    ) -> Option<Message> {
        self.drain();
        let mut checked = 0;
        let deadline = Instant::now() + ceiling;
        loop {
            if let Some(m) = self.seen[checked..].iter().find(|m| pred(m)) {
                return Some(m.clone());
            }
            checked = self.seen.len();
            // A sentinel or a timeout: `seen` did not grow, checking again is cheap.
            self.next_before(deadline)?;
        }
    }

    /// Every message since the start (or the last [`Sub::clear`]) as `(topic, payload
    /// text)`, in the order received.
    pub fn seen(&mut self) -> Vec<(String, String)> {
        self.messages().iter().map(Message::pair).collect()
    }

    /// Every message since the start (or the last [`Sub::clear`]), in the order received.
    pub fn messages(&mut self) -> Vec<Message> {
        self.drain();
        self.seen.clone()
    }

    /// Forgets the messages received so far (call [`Sub::sync`] first to be sure they
    /// have all arrived).
    pub fn clear(&mut self) {
        self.drain();
        self.seen.clear();
    }

    /// What mosquitto_sub printed on stderr (connection errors).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Sub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// Parses one line of [`FORMAT`]: `R HEX TOPIC`.
fn parse_line(line: &[u8]) -> Option<Message> {
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.splitn(3, ' ');
    let retained = match parts.next()? {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    let hex = parts.next()?;
    let topic = parts.next()?.to_owned();
    if hex.len() % 2 != 0 {
        return None;
    }
    let payload = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(Message {
        topic,
        payload,
        retained,
    })
}

/// Reads `pipe` to its end on a thread.
fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Waits up to `limit` for `child` to exit (it is reaped later by `try_wait`).
fn wait_exit(child: &mut Child, limit: Duration) {
    let t0 = Instant::now();
    while t0.elapsed() < limit && child.try_wait().ok().flatten().is_none() {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// 16 random bytes in hex, from the kernel.
fn random_password() -> String {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
