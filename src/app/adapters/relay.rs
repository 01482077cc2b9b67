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

#[cfg(test)]
#[path = "relay_tests.rs"]
mod tests;
