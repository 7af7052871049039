//! The benchmarks' HTTP client: one GET on a connection of its own, as a browser's page
//! asks, answering the status and the bytes of the whole reply.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

pub fn get(addr: SocketAddr, path: &str) -> (u16, usize) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..buf.len().min(64)]).to_string();
    (head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0), buf.len())
}
