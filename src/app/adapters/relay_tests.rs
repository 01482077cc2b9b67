#![cfg(unix)]

use super::*;
use std::os::unix::net::UnixStream;

// The tests relay over socket pairs: no network, not even loopback.
impl Duplex for UnixStream {
    fn try_clone(&self) -> io::Result<Self> {
        UnixStream::try_clone(self)
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

/// A writer whose contents the test can read after the relay has consumed it.
#[derive(Clone, Default)]
struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self.0.lock() {
            Ok(mut v) => v.extend_from_slice(b),
            Err(_) => return Err(io::ErrorKind::Other.into()),
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn relays_both_ways_and_half_closes() {
    let (ours, mut peer) = UnixStream::pair().unwrap();
    let sink = Sink::default();
    let out = sink.clone();
    let input: &'static [u8] = b"SSH-2.0-client\r\n";
    let t = std::thread::spawn(move || relay(ours, input, out));
    // The peer reads what came from our input, up to the half-close.
    let mut got = Vec::new();
    peer.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"SSH-2.0-client\r\n");
    // It can still answer after our end-of-file; its close ends the relay.
    peer.write_all(b"SSH-2.0-server\r\nno newline at the end")
        .unwrap();
    drop(peer);
    t.join().unwrap().unwrap();
    assert_eq!(
        sink.0.lock().unwrap().as_slice(),
        b"SSH-2.0-server\r\nno newline at the end"
    );
}

#[test]
fn a_closed_output_ends_the_relay() {
    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let (ours, mut peer) = UnixStream::pair().unwrap();
    peer.write_all(b"x").unwrap();
    // Input that never ends: the relay must still return.
    let (_keep, never) = UnixStream::pair().unwrap();
    relay(ours, never, Closed).unwrap();
}
