//! Which protocol a connection speaks, and which end the observer holds.
//!
//! The server port decides first (5432 PostgreSQL, 3306 MySQL, 6379 Redis, 53 DNS, and any
//! port the user names), because it is known before a byte is seen and also when the
//! connection was opened before the observer started. Otherwise the first bytes decide:
//! each protocol has an opening no other one shares (an HTTP request line, the HTTP/2
//! preface, a PostgreSQL startup packet, the MySQL server greeting, a RESP command array, a
//! DNS query datagram). A connection whose first few buffers match nothing is left alone;
//! the tracker remembers the choice.

use crate::{dns, http2, mysql, postgres, redis, Proto, Side};
use std::collections::HashMap;

/// What the user may change: ports and protocols.
#[derive(Clone, Debug)]
pub struct Config {
    /// Server ports and the protocol they carry; `None` turns decoding off for that port.
    pub ports: HashMap<u16, Option<Proto>>,
    /// Protocols never decoded.
    pub disabled: Vec<Proto>,
    /// Whether connections on other ports are recognised from their first bytes.
    pub sniff: bool,
}

impl Default for Config {
    fn default() -> Config {
        let ports = [(53, Proto::Dns), (5432, Proto::Postgres), (3306, Proto::Mysql), (6379, Proto::Redis)].into_iter().map(|(p, proto)| (p, Some(proto))).collect();
        Config { ports, disabled: Vec::new(), sniff: true }
    }
}

impl Config {
    /// Reads `PROTO[=PORT[,PORT…]]` or `-PROTO` or `PORT=off` items: a protocol on more
    /// ports, one turned off, a port left alone.
    pub fn apply(&mut self, item: &str) -> Result<(), String> {
        let item = item.trim();
        if let Some(name) = item.strip_prefix('-') {
            let proto = Proto::from_name(name).ok_or_else(|| format!("unknown protocol '{name}' (known: {})", known()))?;
            self.disabled.push(proto);
            return Ok(());
        }
        let (left, right) = item.split_once('=').ok_or_else(|| format!("'{item}': expected PROTO=PORT, -PROTO or PORT=off"))?;
        if let Ok(port) = left.parse::<u16>() {
            if right != "off" {
                return Err(format!("'{item}': a port takes 'off' (PROTO=PORT names a protocol's port)"));
            }
            self.ports.insert(port, None);
            return Ok(());
        }
        let proto = Proto::from_name(left).ok_or_else(|| format!("unknown protocol '{left}' (known: {})", known()))?;
        for port in right.split(',') {
            let port: u16 = port.parse().map_err(|_| format!("'{port}' is not a port"))?;
            self.ports.insert(port, Some(proto));
        }
        Ok(())
    }

    fn enabled(&self, p: Proto) -> bool {
        !self.disabled.contains(&p)
    }
}

fn known() -> String {
    Proto::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
}

/// What the caller knows of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ends {
    pub local_port: u16,
    pub remote_port: u16,
    pub udp: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detection {
    /// Nothing known yet: ask again with the next buffer.
    Undecided,
    /// No protocol decoded here.
    Off,
    Found(Proto, Side),
}

/// Decides from the ports alone.
pub fn by_port(config: &Config, ends: Ends) -> Detection {
    for (port, side) in [(ends.remote_port, Side::Client), (ends.local_port, Side::Server)] {
        match config.ports.get(&port) {
            Some(None) => return Detection::Off,
            Some(Some(p)) if *p == Proto::Dns || !ends.udp => {
                return if config.enabled(*p) { Detection::Found(*p, side) } else { Detection::Off };
            }
            _ => {}
        }
    }
    Detection::Undecided
}

/// Decides from a buffer the observer read (`is_read`) or wrote.
pub fn by_bytes(config: &Config, ends: Ends, is_read: bool, data: &[u8]) -> Detection {
    if !config.sniff || data.is_empty() {
        return Detection::Undecided;
    }
    // The side of the observer when `data` came from the client / from the server.
    let sent_by_client = if is_read { Side::Server } else { Side::Client };
    let sent_by_server = if is_read { Side::Client } else { Side::Server };
    let found = |p: Proto, side: Side| if config.enabled(p) { Detection::Found(p, side) } else { Detection::Off };
    if ends.udp {
        return match dns::parse(data) {
            Some(m) if dns::plausible(data) => found(Proto::Dns, if m.response { sent_by_server } else { sent_by_client }),
            _ => Detection::Undecided,
        };
    }
    if data.starts_with(http2::PREFACE) {
        return found(Proto::Http2, sent_by_client);
    }
    if is_http1_request(data) {
        return found(Proto::Http1, sent_by_client);
    }
    if data.starts_with(b"HTTP/1.") {
        return found(Proto::Http1, sent_by_server);
    }
    if postgres::is_startup(data) {
        return found(Proto::Postgres, sent_by_client);
    }
    if mysql::is_greeting(data) {
        return found(Proto::Mysql, sent_by_server);
    }
    if redis::plausible_client(data) {
        return found(Proto::Redis, sent_by_client);
    }
    if data.len() >= 14 && u16::from_be_bytes([data[0], data[1]]) as usize + 2 >= data.len() && dns::plausible(&data[2..]) {
        let response = dns::parse(&data[2..]).is_some_and(|m| m.response);
        return found(Proto::Dns, if response { sent_by_server } else { sent_by_client });
    }
    Detection::Undecided
}

/// `METHOD /target` with an upper-case method of a few letters.
pub(crate) fn is_http1_request(b: &[u8]) -> bool {
    let method = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    (3..=7).contains(&method) && b.get(method) == Some(&b' ') && matches!(b.get(method + 1), Some(b'/' | b'*' | b'h'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: Ends = Ends { local_port: 40000, remote_port: 41000, udp: false };

    #[test]
    fn ports_then_bytes() {
        let c = Config::default();
        assert_eq!(by_port(&c, Ends { local_port: 50000, remote_port: 5432, udp: false }), Detection::Found(Proto::Postgres, Side::Client));
        assert_eq!(by_port(&c, Ends { local_port: 6379, remote_port: 50000, udp: false }), Detection::Found(Proto::Redis, Side::Server));
        assert_eq!(by_port(&c, TCP), Detection::Undecided);
        assert_eq!(by_bytes(&c, TCP, false, b"*1\r\n$4\r\nPING\r\n"), Detection::Found(Proto::Redis, Side::Client));
        assert_eq!(by_bytes(&c, TCP, true, b"\x00\x00\x00\x08\x04\xd2\x16\x2f"), Detection::Found(Proto::Postgres, Side::Server));
        assert_eq!(by_bytes(&c, TCP, true, b"GET / HTTP/1.1\r\n"), Detection::Found(Proto::Http1, Side::Server));
        assert_eq!(by_bytes(&c, TCP, false, b"\x16\x03\x01\x02\x00"), Detection::Undecided);
    }

    #[test]
    fn user_choices() {
        let mut c = Config::default();
        c.apply("redis=7000,7001").unwrap();
        c.apply("5432=off").unwrap();
        c.apply("-mysql").unwrap();
        assert_eq!(by_port(&c, Ends { local_port: 1, remote_port: 7001, udp: false }), Detection::Found(Proto::Redis, Side::Client));
        assert_eq!(by_port(&c, Ends { local_port: 1, remote_port: 5432, udp: false }), Detection::Off);
        assert_eq!(by_port(&c, Ends { local_port: 1, remote_port: 3306, udp: false }), Detection::Off);
        assert!(c.apply("gopher=70").unwrap_err().contains("unknown protocol 'gopher'"));
        assert!(c.apply("redis=x").is_err());
    }
}
