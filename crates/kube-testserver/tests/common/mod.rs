//! A deliberately small HTTP/1.1 client over a bare TCP socket, so the tests see the wire:
//! status lines, headers, chunked framing, and whether a stream ended cleanly (the final
//! zero-length chunk) or was cut.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// How a watch stream ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// The terminating zero-length chunk: the server ended the response.
    Clean,
    /// The connection closed in the middle of the chunked body.
    Cut,
    /// Nothing arrived for the time given.
    Silent,
}

pub struct Stream {
    reader: BufReader<TcpStream>,
    chunked: bool,
    line: Vec<u8>,
    chunk_left: usize,
    ended: bool,
}

async fn send(
    addr: SocketAddr,
    target: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, BufReader<TcpStream>) {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: protocol-test\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut reader = BufReader::new(tcp);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).await.unwrap();
    assert!(
        status_line.starts_with("HTTP/1.1 "),
        "status line {status_line:?}"
    );
    let status: u16 = status_line[9..12].parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').expect("header line");
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    (status, headers, reader)
}

/// A GET read to its end.
pub async fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Reply {
    let (status, hdrs, reader) = send(addr, target, headers).await;
    let chunked = hdrs
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let length: Option<usize> = hdrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok());
    let mut stream = Stream {
        reader,
        chunked,
        line: Vec::new(),
        chunk_left: 0,
        ended: false,
    };
    let body = match length {
        Some(n) if !chunked => {
            let mut body = vec![0; n];
            stream.reader.read_exact(&mut body).await.unwrap();
            body
        }
        _ => {
            let mut body = Vec::new();
            while let Some(bytes) = stream.next_bytes(Duration::from_secs(10)).await.unwrap() {
                body.extend(bytes);
            }
            body
        }
    };
    Reply {
        status,
        headers: hdrs,
        body,
    }
}

/// A GET whose body is read as it comes (a watch).
pub async fn open(
    addr: SocketAddr,
    target: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Stream) {
    let (status, hdrs, reader) = send(addr, target, headers).await;
    let chunked = hdrs
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    (
        status,
        hdrs,
        Stream {
            reader,
            chunked,
            line: Vec::new(),
            chunk_left: 0,
            ended: false,
        },
    )
}

impl Stream {
    /// The next piece of body; `Ok(None)` at the clean end, `Err` if cut or silent.
    async fn next_bytes(&mut self, wait: Duration) -> Result<Option<Vec<u8>>, End> {
        if self.ended {
            return Ok(None);
        }
        assert!(self.chunked, "watch bodies are chunked");
        let read = async {
            if self.chunk_left == 0 {
                let mut size = String::new();
                if self
                    .reader
                    .read_line(&mut size)
                    .await
                    .map_err(|_| End::Cut)?
                    == 0
                {
                    return Err(End::Cut);
                }
                let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| End::Cut)?;
                if n == 0 {
                    let mut crlf = String::new();
                    let _ = self.reader.read_line(&mut crlf).await;
                    self.ended = true;
                    return Ok(None);
                }
                self.chunk_left = n;
            }
            let mut buf = vec![0; self.chunk_left];
            self.reader
                .read_exact(&mut buf)
                .await
                .map_err(|_| End::Cut)?;
            self.chunk_left = 0;
            let mut crlf = [0u8; 2];
            self.reader
                .read_exact(&mut crlf)
                .await
                .map_err(|_| End::Cut)?;
            Ok(Some(buf))
        };
        tokio::time::timeout(wait, read)
            .await
            .map_err(|_| End::Silent)?
    }

    /// The next watch event (one JSON line), or how the stream ended.
    pub async fn next_event(&mut self, wait: Duration) -> Result<Value, End> {
        loop {
            if let Some(pos) = self.line.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.line.drain(..=pos).collect();
                return Ok(serde_json::from_slice(&line)
                    .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&line))));
            }
            match self.next_bytes(wait).await? {
                Some(bytes) => self.line.extend(bytes),
                None => return Err(End::Clean),
            }
        }
    }

    /// Events until one of `event_type`.
    pub async fn until(&mut self, event_type: &str, wait: Duration) -> Value {
        loop {
            let e = self
                .next_event(wait)
                .await
                .unwrap_or_else(|end| panic!("stream ended ({end:?}) before {event_type}"));
            if e["type"] == event_type {
                return e;
            }
        }
    }
}
