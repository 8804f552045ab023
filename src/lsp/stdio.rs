//! Stdin and stdout on two plain threads, feeding tower-lsp-server through channels.
//!
//! Why: a hover is tens of microseconds of work, and every hop a message takes between
//! threads costs a wake-up of about as much. tokio's stdin and stdout go through its
//! blocking pool, and the frame filter sat in a task of its own between them and the
//! framework. Here the stdin thread reads, frames and checks (`FrameFilter`) and hands
//! whole frames to the framework; the stdout thread writes the framework's frames and
//! splices the filter's error answers between whole frames.

use super::transport::{frame_lengths, FrameFilter};
use std::io::{Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

/// What the stdout thread is told.
enum Out {
    /// Bytes from the framework (whole frames or parts of them).
    Server(Vec<u8>),
    /// An error answer from the filter, written between whole frames.
    Error(Vec<u8>),
    /// The framework is done: write what is left and stop.
    Close,
}

/// The framework's input: frames the stdin thread accepted.
pub struct FrameReader {
    frames: mpsc::UnboundedReceiver<Vec<u8>>,
    current: Vec<u8>,
    offset: usize,
}

impl AsyncRead for FrameReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.offset == self.current.len() {
            match self.frames.poll_recv(cx) {
                Poll::Ready(Some(frame)) => {
                    self.current = frame;
                    self.offset = 0;
                }
                // The stdin thread ended: end of input.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = buf.remaining().min(self.current.len() - self.offset);
        let start = self.offset;
        buf.put_slice(&self.current[start..start + n]);
        self.offset += n;
        Poll::Ready(Ok(()))
    }
}

/// The framework's output: handed to the stdout thread as written.
pub struct FrameWriter {
    out: std::sync::mpsc::Sender<Out>,
}

impl AsyncWrite for FrameWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.out.send(Out::Server(buf.to_vec())) {
            Ok(()) => Poll::Ready(Ok(buf.len())),
            Err(_) => Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // The stdout thread flushes after each batch it writes.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Ends the stdout thread once the framework is done with its writer.
pub struct Finisher {
    out: std::sync::mpsc::Sender<Out>,
    stdout_thread: std::thread::JoinHandle<()>,
}

impl Finisher {
    /// Writes out everything the framework and the filter produced, then returns.
    pub fn finish(self) {
        let _ = self.out.send(Out::Close);
        let _ = self.stdout_thread.join();
    }
}

/// Starts the stdin and stdout threads: the framework reads the first, writes the
/// second; [`Finisher::finish`] once it is done.
pub fn start() -> std::io::Result<(FrameReader, FrameWriter, Finisher)> {
    let (frames_tx, frames_rx) = mpsc::unbounded_channel();
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    let errors = out_tx.clone();
    std::thread::Builder::new()
        .name("lsp-stdin".into())
        .spawn(move || read_stdin(frames_tx, errors))?;
    let stdout_thread = std::thread::Builder::new()
        .name("lsp-stdout".into())
        .spawn(move || write_stdout(out_rx))?;
    let reader = FrameReader {
        frames: frames_rx,
        current: Vec::new(),
        offset: 0,
    };
    let writer = FrameWriter {
        out: out_tx.clone(),
    };
    Ok((
        reader,
        writer,
        Finisher {
            out: out_tx,
            stdout_thread,
        },
    ))
}

fn read_stdin(frames: mpsc::UnboundedSender<Vec<u8>>, errors: std::sync::mpsc::Sender<Out>) {
    let mut stdin = std::io::stdin().lock();
    let mut filter = FrameFilter::default();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match stdin.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        let mut closed = false;
        filter.push(
            &chunk[..n],
            |frame| closed |= frames.send(frame).is_err(),
            |bad| {
                let _ = errors.send(Out::Error(bad));
            },
        );
        if closed {
            return;
        }
    }
}

fn write_stdout(messages: std::sync::mpsc::Receiver<Out>) {
    let mut stdout = std::io::stdout().lock();
    // Framework bytes not yet a whole frame, and error answers waiting for a boundary.
    let mut partial: Vec<u8> = Vec::new();
    let mut waiting: Vec<Vec<u8>> = Vec::new();
    while let Ok(first) = messages.recv() {
        // Everything already queued is written before one flush.
        let mut batch = vec![first];
        batch.extend(messages.try_iter());
        let mut closing = false;
        for message in batch {
            match message {
                Out::Server(bytes) => {
                    partial.extend_from_slice(&bytes);
                    let whole = whole_frames_len(&partial);
                    if stdout.write_all(&partial[..whole]).is_err() {
                        return;
                    }
                    partial.drain(..whole);
                }
                Out::Error(frame) => waiting.push(frame),
                Out::Close => closing = true,
            }
            if partial.is_empty() || closing {
                for frame in waiting.drain(..) {
                    if stdout.write_all(&frame).is_err() {
                        return;
                    }
                }
            }
        }
        if closing {
            // Whatever the framework left unfinished goes out as it is.
            let _ = stdout.write_all(&partial);
            let _ = stdout.flush();
            return;
        }
        if stdout.flush().is_err() {
            return;
        }
    }
    let _ = stdout.flush();
}

/// The length of the whole frames at the start of `bytes`.
fn whole_frames_len(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some((header_len, body_len)) = frame_lengths(&bytes[at..]) {
        if bytes.len() - at < header_len + body_len {
            break;
        }
        at += header_len + body_len;
    }
    at
}
