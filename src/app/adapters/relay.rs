//! Byte relay between stdin/stdout and a stream socket (what an ssh ProxyCommand does).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

/// A bidirectional stream that can be cloned for a second thread and half-closed.
pub trait Duplex: Read + Write + Send + Sized + 'static {
    /// A second handle to the same stream.
    fn try_clone(&self) -> io::Result<Self>;
    /// Ends our sending direction (the peer reads end-of-file), keeping the receiving one.
    fn shutdown_write(&self) -> io::Result<()>;
}

impl Duplex for TcpStream {
    fn try_clone(&self) -> io::Result<Self> {
        TcpStream::try_clone(self)
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

/// Copies `input` to `stream` on a thread and `stream` to `output` here, flushing every
/// chunk (ssh waits for each packet). When `input` ends, the stream is half-closed so the
/// peer sees end-of-file and can finish; the relay returns when the peer closes the stream
/// or `output` is gone. The input thread is left behind: it may sit in a read of a
/// terminal forever, and process exit ends it.
pub fn relay<S: Duplex>(
    stream: S,
    mut input: impl Read + Send + 'static,
    mut output: impl Write,
) -> io::Result<()> {
    let mut up = stream.try_clone()?;
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if up.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = up.shutdown_write();
    });
    let mut down = stream;
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = match down.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(()),
            Err(e) => return Err(e),
        };
        let written = output.write_all(&buf[..n]).and_then(|()| output.flush());
        match written {
            Ok(()) => {}
            // Whoever read our stdout is gone: nothing left to relay to.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
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
}
