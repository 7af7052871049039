//! Typed literals: the text of a value turned, once, into what comparisons need.

use std::net::IpAddr;

/// Parses a decimal or `0x` hexadecimal integer with an optional sign.
///
/// Numbers are kept as `i128` so that every `i64` and `u64` compares exactly without
/// caring which of the two a field source hands over.
pub(crate) fn parse_int(text: &str) -> Option<i128> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (digits, radix) = match unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        Some(hex) => (hex, 16),
        None => (unsigned, 10),
    };
    // from_str_radix would accept a second sign; insist on digits only.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::try_from(u128::from_str_radix(digits, radix).ok()?).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Well-known service names accepted where a port is expected, as sysdig resolves them
/// through `/etc/services`. A fixed table keeps parsing independent of the host.
const SERVICES: &[(&str, u16)] = &[
    ("ftp", 21),
    ("ssh", 22),
    ("telnet", 23),
    ("smtp", 25),
    ("domain", 53),
    ("http", 80),
    ("pop3", 110),
    ("ntp", 123),
    ("imap", 143),
    ("snmp", 161),
    ("ldap", 389),
    ("https", 443),
    ("submission", 587),
    ("imaps", 993),
    ("pop3s", 995),
    ("mysql", 3306),
    ("postgresql", 5432),
    ("redis", 6379),
    ("http-alt", 8080),
];

pub(crate) fn parse_port(text: &str) -> Option<i128> {
    if let Some(&(_, port)) = SERVICES.iter().find(|&&(name, _)| name == text) {
        return Some(port.into());
    }
    parse_int(text).filter(|n| (0..=i128::from(u16::MAX)).contains(n))
}

pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// An address block. A plain address is a block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `10.0.0.1`, `::1`, `10.0.0.0/8` or `fd00::/8`; the address is masked to the prefix.
    pub(crate) fn parse(text: &str) -> Option<IpNet> {
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr = addr_text.parse::<IpAddr>().ok()?.to_canonical();
        let width = max_prefix(addr);
        let prefix = match prefix_text {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
            None => width,
        };
        (prefix <= width).then(|| IpNet {
            addr: mask(addr, prefix),
            prefix,
        })
    }

    pub(crate) fn is_single(&self) -> bool {
        self.prefix == max_prefix(self.addr)
    }

    pub(crate) fn addr(&self) -> IpAddr {
        self.addr
    }

    pub(crate) fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        addr.is_ipv4() == self.addr.is_ipv4() && mask(addr, self.prefix) == self.addr
    }
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() {
        32
    } else {
        128
    }
}

fn mask(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & mask).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & mask).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_int("42"), Some(42));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("+5"), Some(5));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("18446744073709551615"), Some(u64::MAX.into()));
        for bad in [
            "", "-", "abc", "1e3", "0x", "--1", "-+1", "0x+1", "1.5", " 1", "١",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("80"), Some(80));
        assert_eq!(parse_port("http"), Some(80));
        assert_eq!(parse_port("65536"), None);
        assert_eq!(parse_port("-1"), None);
        assert_eq!(parse_port("nosuchservice"), None);
    }

    #[test]
    fn networks() {
        let net = IpNet::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!net.contains("::1".parse().unwrap()));
        assert_eq!(IpNet::parse("10.9.9.9/8"), Some(net));
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));
        assert!(IpNet::parse("fd00::/8")
            .unwrap()
            .contains("fd12::1".parse().unwrap()));
        assert!(IpNet::parse("10.0.0.1").unwrap().is_single());
        for bad in [
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0",
            "::1/129",
            "x",
        ] {
            assert_eq!(IpNet::parse(bad), None, "{bad:?}");
        }
    }
}
