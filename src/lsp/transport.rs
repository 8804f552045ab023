//! Framing in front of tower-lsp-server. The framework's decoder ends the input stream
//! at the first malformed message (bad JSON, bad header), which would stop the server.
//! Here every incoming frame is checked first (`FrameFilter`, run by the stdin thread of
//! `stdio.rs`): well-formed ones are passed on unchanged, bad ones are answered with a
//! JSON-RPC error (spliced into the output between whole frames) and skipped, and the
//! server keeps serving.

use serde_json::json;

/// Messages larger than this are refused (answered with an error, body discarded).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

fn error_frame(code: i64, message: &str) -> Vec<u8> {
    error_frame_for(serde_json::Value::Null, code, message)
}

fn error_frame_for(id: serde_json::Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string();
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend(body.into_bytes());
    frame
}

/// A body the framework can take: valid JSON (strings included: lone surrogates are
/// not), an object with `"jsonrpc": "2.0"`, and either a string `method` (a request or
/// notification) or an `id` with a `result` or an `error` (a response). Anything else is
/// answered here: -32700 for bad JSON, -32600 for a bad shape, with the id when there is one.
fn check_message(body: &[u8]) -> Result<(), Vec<u8>> {
    use serde_json::Value;
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        error_frame(
            -32700,
            &format!("Parse error: the message body is not valid JSON ({e})"),
        )
    })?;
    let Value::Object(map) = &value else {
        return Err(error_frame(
            -32600,
            "Invalid request: a message must be a JSON object (batches are not part of LSP)",
        ));
    };
    let id = map.get("id").cloned().unwrap_or(Value::Null);
    let id_ok = match &id {
        Value::Null | Value::String(_) => true,
        Value::Number(n) => n.is_i64() || n.is_u64(),
        _ => false,
    };
    let reply_id = if id_ok { id.clone() } else { Value::Null };
    let invalid = |why: &str| {
        Err(error_frame_for(
            reply_id.clone(),
            -32600,
            &format!("Invalid request: {why}"),
        ))
    };
    if map.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid("`jsonrpc` must be \"2.0\"");
    }
    if !id_ok {
        return invalid("`id` must be an integer, a string or null");
    }
    match map.get("method") {
        Some(Value::String(_)) => Ok(()),
        Some(_) => invalid("`method` must be a string"),
        None if map.contains_key("id")
            && (map.contains_key("result") || map.contains_key("error")) =>
        {
            Ok(())
        }
        None => {
            invalid("neither a request (`method`) nor a response (`id` with `result` or `error`)")
        }
    }
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

/// The header length (with its blank line) and the body length of the frame at the start
/// of `bytes`, once its header is complete and well-formed.
pub fn frame_lengths(bytes: &[u8]) -> Option<(usize, usize)> {
    let header_end = find(bytes, b"\r\n\r\n")?;
    let length = content_length(&bytes[..header_end]).ok()?;
    Some((header_end + 4, length))
}

/// The input side's framing state: bytes not framed yet, and what is left to skip of an
/// oversized body. Synchronous, so the stdin thread and the async filter share it.
#[derive(Default)]
pub struct FrameFilter {
    buffer: Vec<u8>,
    discard: usize,
}

impl FrameFilter {
    /// Takes bytes read from the client: `forward` gets each well-formed frame (header and
    /// body), `reject` the error frame answering each bad one.
    pub fn push(
        &mut self,
        bytes: &[u8],
        mut forward: impl FnMut(Vec<u8>),
        mut reject: impl FnMut(Vec<u8>),
    ) {
        self.buffer.extend_from_slice(bytes);
        let buffer = &mut self.buffer;
        loop {
            if self.discard > 0 {
                let n = self.discard.min(buffer.len());
                buffer.drain(..n);
                self.discard -= n;
                if self.discard > 0 {
                    return;
                }
            }
            let Some(header_end) = find(buffer, b"\r\n\r\n") else {
                if buffer.len() > 64 * 1024 {
                    // Garbage without a header end: keep only a possible header start.
                    let keep = find(buffer, b"Content-Length").unwrap_or(buffer.len());
                    buffer.drain(..keep);
                    reject(error_frame(
                        -32700,
                        "Parse error: garbage before a message header",
                    ));
                }
                return;
            };
            let length = match content_length(&buffer[..header_end]) {
                Ok(length) => length,
                Err(reason) => {
                    reject(error_frame(-32700, &format!("Parse error: {reason}")));
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
                reject(error_frame(-32600, &format!("Invalid request: message of {length} bytes exceeds the {MAX_MESSAGE_BYTES} byte limit")));
                buffer.drain(..body_start);
                self.discard = length;
                continue;
            }
            if buffer.len() < body_start + length {
                return;
            }
            let body = &buffer[body_start..body_start + length];
            match check_message(body) {
                Ok(()) => {
                    let mut frame = format!("Content-Length: {length}\r\n\r\n").into_bytes();
                    frame.extend_from_slice(body);
                    forward(frame);
                }
                Err(frame) => reject(frame),
            }
            buffer.drain(..body_start + length);
        }
    }
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

    #[test]
    fn message_shapes() {
        assert!(check_message(br#"{"jsonrpc":"2.0","method":"initialized"}"#).is_ok());
        assert!(check_message(br#"{"jsonrpc":"2.0","id":3,"result":null}"#).is_ok());
        for bad in [
            &br#"{"foo":1}"#[..],
            b"[]",
            b"5",
            br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#,
            br#"{"jsonrpc":"2.0","id":[1],"method":"x"}"#,
            br#"{"jsonrpc":"2.0","method":"x","params":"\ud800"}"#,
            br#"{"jsonrpc":"2.0"}"#,
        ] {
            assert!(
                check_message(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let frame = check_message(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap_err();
        assert!(String::from_utf8_lossy(&frame).contains(r#""id":7"#));
    }
}
