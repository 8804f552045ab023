//! Framing in front of tower-lsp-server. The framework's decoder ends the input stream
//! at the first malformed message (bad JSON, bad header), which would stop the server.
//! Here every incoming frame is checked first: well-formed ones are passed on unchanged,
//! bad ones are answered with a JSON-RPC error (spliced into the output between whole
//! frames) and skipped, and the server keeps serving.

use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;

/// Messages larger than this are refused (answered with an error, body discarded).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

fn error_frame(code: i64, message: &str) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}})
        .to_string();
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend(body.into_bytes());
    frame
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses the header block; `Ok(len)` or the reason it is unusable.
fn content_length(headers: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(headers).map_err(|_| "header is not UTF-8".to_string())?;
    let mut length = None;
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("malformed header line `{line}`"))?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length `{}`", value.trim()))?,
            );
        }
    }
    length.ok_or_else(|| "missing Content-Length".to_string())
}

/// Reads frames from `input`; forwards good ones to `server`, reports bad ones.
pub async fn filter_input(
    mut input: impl AsyncRead + Unpin,
    mut server: DuplexStream,
    errors: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut buffer: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    // Bytes of an oversized body still to discard.
    let mut discard = 0usize;
    loop {
        // Process everything complete in the buffer.
        loop {
            if discard > 0 {
                let n = discard.min(buffer.len());
                buffer.drain(..n);
                discard -= n;
                if discard > 0 {
                    break;
                }
            }
            let Some(header_end) = find(&buffer, b"\r\n\r\n") else {
                if buffer.len() > 64 * 1024 {
                    // Garbage without a header end: keep only a possible header start.
                    let keep = find(&buffer, b"Content-Length").unwrap_or(buffer.len());
                    buffer.drain(..keep);
                    let _ = errors.send(error_frame(
                        -32700,
                        "Parse error: garbage before a message header",
                    ));
                }
                break;
            };
            let length = match content_length(&buffer[..header_end]) {
                Ok(length) => length,
                Err(reason) => {
                    let _ = errors.send(error_frame(-32700, &format!("Parse error: {reason}")));
                    // Skip to the next plausible header.
                    let skip = find(&buffer[1..], b"Content-Length")
                        .map(|i| i + 1)
                        .unwrap_or(header_end + 4);
                    buffer.drain(..skip);
                    continue;
                }
            };
            let body_start = header_end + 4;
            if length > MAX_MESSAGE_BYTES {
                let _ = errors.send(error_frame(-32600, &format!("Invalid request: message of {length} bytes exceeds the {MAX_MESSAGE_BYTES} byte limit")));
                buffer.drain(..body_start);
                discard = length;
                continue;
            }
            if buffer.len() < body_start + length {
                break;
            }
            let body = &buffer[body_start..body_start + length];
            if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
                let header = format!("Content-Length: {length}\r\n\r\n");
                if server.write_all(header.as_bytes()).await.is_err()
                    || server.write_all(body).await.is_err()
                {
                    return;
                }
            } else {
                let _ = errors.send(error_frame(
                    -32700,
                    "Parse error: the message body is not valid JSON",
                ));
            }
            buffer.drain(..body_start + length);
        }
        match input.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Copies the server's frames to `output`, splicing injected error frames between them.
pub async fn merge_output(
    mut server: DuplexStream,
    mut errors: mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: impl AsyncWrite + Unpin,
) {
    let mut buffer: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut server_open = true;
    while server_open {
        tokio::select! {
            read = server.read(&mut chunk) => match read {
                Ok(0) | Err(_) => server_open = false,
                Ok(n) => {
                    buffer.extend_from_slice(&chunk[..n]);
                    // Write out every complete frame.
                    while let Some(header_end) = find(&buffer, b"\r\n\r\n") {
                        let Ok(length) = content_length(&buffer[..header_end]) else {
                            // The server's own output is well-formed; never expected.
                            let _ = output.write_all(&buffer).await;
                            buffer.clear();
                            break;
                        };
                        let end = header_end + 4 + length;
                        if buffer.len() < end {
                            break;
                        }
                        if output.write_all(&buffer[..end]).await.is_err() {
                            return;
                        }
                        buffer.drain(..end);
                    }
                    let _ = output.flush().await;
                }
            },
            Some(frame) = errors.recv() => {
                if output.write_all(&frame).await.is_err() {
                    return;
                }
                let _ = output.flush().await;
            }
        }
    }
    let _ = output.write_all(&buffer).await;
    while let Ok(frame) = errors.try_recv() {
        let _ = output.write_all(&frame).await;
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(content_length(b"Content-Length: 12"), Ok(12));
        assert_eq!(
            content_length(b"content-length: 3\r\nContent-Type: x"),
            Ok(3)
        );
        assert!(content_length(b"Content-Type: x").is_err());
        assert!(content_length(b"Content-Length: -1").is_err());
    }
}
