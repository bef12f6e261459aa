//! Just enough HTTP/1.1 for an inspector's `/json/list`: one GET, read to the end of the body.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The inspector's answer is a few KB; anything far larger is not an inspector.
const MAX_RESPONSE: usize = 4 << 20;

/// GETs `path` from `addr`; returns the status code and the body.
pub fn get(addr: SocketAddr, host: &str, path: &str, timeout: Duration) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        if let Some((status, body)) = complete(&buf)? {
            return Ok((status, body));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return match complete_at_eof(&buf)? {
                Some(r) => Ok(r),
                None => Err(invalid("the connection closed before a whole HTTP response arrived")),
            };
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_RESPONSE {
            return Err(invalid("the HTTP response is too large for an inspector's target list"));
        }
    }
}

fn invalid(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_owned())
}

struct Head {
    status: u16,
    body_start: usize,
    content_length: Option<usize>,
    chunked: bool,
}

fn head(buf: &[u8]) -> std::io::Result<Option<Head>> {
    let Some(end) = memchr::memmem::find(buf, b"\r\n\r\n") else {
        return Ok(None);
    };
    let text = std::str::from_utf8(&buf[..end]).map_err(|_| invalid("not an HTTP response"))?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    let status = match (parts.next(), parts.next()) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => code.parse().map_err(|_| invalid("not an HTTP response"))?,
        _ => return Err(invalid("not an HTTP response")),
    };
    let mut content_length = None;
    let mut chunked = false;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                content_length = Some(value.parse().map_err(|_| invalid("a bad Content-Length"))?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    Ok(Some(Head {
        status,
        body_start: end + 4,
        content_length,
        chunked,
    }))
}

/// The response, once all of it is in `buf`.
fn complete(buf: &[u8]) -> std::io::Result<Option<(u16, Vec<u8>)>> {
    let Some(h) = head(buf)? else { return Ok(None) };
    let body = &buf[h.body_start..];
    if h.chunked {
        return Ok(dechunk(body)?.map(|b| (h.status, b)));
    }
    Ok(match h.content_length {
        Some(n) if body.len() >= n => Some((h.status, body[..n].to_vec())),
        _ => None,
    })
}

fn complete_at_eof(buf: &[u8]) -> std::io::Result<Option<(u16, Vec<u8>)>> {
    match head(buf)? {
        Some(h) if h.content_length.is_none() && !h.chunked => Ok(Some((h.status, buf[h.body_start..].to_vec()))),
        _ => Ok(None),
    }
}

/// A chunked body, or `None` while its last chunk has not arrived.
fn dechunk(mut body: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = memchr::memmem::find(body, b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&body[..eol]).map_err(|_| invalid("a bad chunk size"))?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| invalid("a bad chunk size"))?;
        let start = eol + 2;
        if size == 0 {
            return Ok(Some(out));
        }
        let end = start
            .checked_add(size)
            .and_then(|e| e.checked_add(2))
            .filter(|&e| e <= MAX_RESPONSE + start)
            .ok_or_else(|| invalid("a chunk larger than any target list"))?;
        if body.len() < end {
            return Ok(None);
        }
        out.extend_from_slice(&body[start..start + size]);
        body = &body[start + size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_by_length_by_chunks_and_by_close() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello+garbage";
        assert_eq!(complete(r).unwrap(), Some((200, b"hello".to_vec())));
        assert_eq!(
            complete(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel").unwrap(),
            None
        );
        let c = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=1\r\nlo\r\n0\r\n\r\n";
        assert_eq!(complete(c).unwrap(), Some((200, b"hello".to_vec())));
        assert_eq!(complete(&c[..c.len() - 7]).unwrap(), None);
        let e = b"HTTP/1.0 404 Not Found\r\n\r\nnope";
        assert_eq!(complete(e).unwrap(), None);
        assert_eq!(complete_at_eof(e).unwrap(), Some((404, b"nope".to_vec())));
        assert!(complete(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        let huge = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx";
        assert!(complete(huge).is_err());
    }
}
