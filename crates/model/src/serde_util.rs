//! Small serde helpers shared by the JSON shapes: tolerate `null` where producers write it,
//! read IP addresses the way captures and API servers spell them.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// `null` → `T::default()`. sysdig's jq filters and old API servers emit `"labels": null`,
/// `"selector": null`, `"items": null`; all mean "none".
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An optional IP address written as text. `null`, `""`, `"None"` (headless Service) and the
/// unspecified addresses (`0.0.0.0`, `::`; sysdig writes `0.0.0.0` for containers without
/// their own address) are all "no address". Anything else must parse, or the error says so.
pub(crate) fn opt_ip<'de, D>(d: D) -> Result<Option<IpAddr>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_option(IpVisitor { numeric: false })
}

/// [`opt_ip`] that also takes a number: the container JSON of some sysdig versions holds
/// the IPv4 address as a host-order `u32`.
pub(crate) fn opt_ip_or_u32<'de, D>(d: D) -> Result<Option<IpAddr>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_option(IpVisitor { numeric: true })
}

struct IpVisitor {
    numeric: bool,
}

impl<'de> Visitor<'de> for IpVisitor {
    type Value = Option<IpAddr>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.numeric {
            f.write_str("an IP address string, a u32 IPv4 address or null")
        } else {
            f.write_str("an IP address string or null")
        }
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        let s = s.trim();
        if s.is_empty() || s == "None" {
            return Ok(None);
        }
        let ip: IpAddr = s
            .parse()
            .map_err(|_| E::custom(format_args!("invalid IP address {s:?}")))?;
        Ok((!ip.is_unspecified()).then_some(ip))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        if !self.numeric {
            return Err(E::invalid_type(de::Unexpected::Unsigned(v), &self));
        }
        let v = u32::try_from(v)
            .map_err(|_| E::custom(format_args!("IPv4 address {v} out of range")))?;
        let ip = IpAddr::V4(Ipv4Addr::from(v));
        Ok((!ip.is_unspecified()).then_some(ip))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::invalid_type(de::Unexpected::Signed(v), &self)),
        }
    }
}

/// A list of IP address strings (EndpointSlice `addresses`). Entries that are not IP
/// addresses (FQDN slices) are skipped: they cannot be matched against socket tuples anyway.
pub(crate) fn ip_list<'de, D>(d: D) -> Result<Vec<IpAddr>, D::Error>
where
    D: Deserializer<'de>,
{
    let raw: Option<Vec<String>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .collect())
}
