//! Client addresses: address ranges from the configuration (`server.trusted_proxies`,
//! `server.metrics_allowed`), and the client's real address behind trusted reverse proxies.
//!
//! Per-address throttles and the `/metrics` allow-list need the address of the client, not
//! of the proxy in front of the server. A proxy tells it in `X-Forwarded-For`, but any client
//! can send that header too, so it is believed only as far as it was written by proxies the
//! operator trusts: read from the right (the hop nearest to the server), every address
//! appended by a trusted proxy is skipped, and the first untrusted one is the client. An
//! address further left was written by the client itself and proves nothing.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::Deserialize;

/// One address (`192.0.2.7`, `::1`) or a CIDR block (`10.0.0.0/8`, `fd00::/8`).
#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct AddrRange {
    network: IpAddr,
    prefix_len: u8,
}

impl AddrRange {
    pub fn contains(&self, addr: IpAddr) -> bool {
        match (self.network, canonical(addr)) {
            (IpAddr::V4(net), IpAddr::V4(a)) => same_prefix(
                u32::from(net).into(),
                u32::from(a).into(),
                self.prefix_len,
                32,
            ),
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                same_prefix(u128::from(net), u128::from(a), self.prefix_len, 128)
            }
            _ => false,
        }
    }
}

/// Whether the first `len` of `bits` bits of `a` and `b` agree.
fn same_prefix(a: u128, b: u128, len: u8, bits: u8) -> bool {
    len == 0 || (a ^ b) >> (bits - len) == 0
}

/// An IPv4 client seen through an IPv6 socket (`::ffff:192.0.2.7`) is the IPv4 address, so
/// one allow-list entry covers both ways of listening.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for AddrRange {
    type Err = String;

    fn from_str(text: &str) -> Result<AddrRange, String> {
        let bad = || format!("'{text}' is not an IP address or a CIDR block (e.g. 10.0.0.0/8)");
        let (addr, len) = match text.trim().split_once('/') {
            Some((addr, len)) => (addr, Some(len.parse::<u8>().map_err(|_| bad())?)),
            None => (text.trim(), None),
        };
        let network = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix_len = len.unwrap_or(bits);
        if prefix_len > bits {
            return Err(bad());
        }
        Ok(AddrRange {
            network,
            prefix_len,
        })
    }
}

impl TryFrom<String> for AddrRange {
    type Error = String;

    fn try_from(text: String) -> Result<AddrRange, String> {
        text.parse()
    }
}

impl fmt::Debug for AddrRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

/// The key of an address in per-address throttles: an IPv4 address, or the /64 an IPv6
/// address is in. One subscriber or host is usually given a whole /64, so counting single
/// IPv6 addresses would let one client take a fresh address for every attempt.
pub fn throttle_key(addr: IpAddr) -> String {
    match canonical(addr) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

pub fn in_any(ranges: &[AddrRange], addr: IpAddr) -> bool {
    ranges.iter().any(|r| r.contains(addr))
}

/// The client's address: the socket `peer`, unless the peer is a trusted proxy; then the
/// first address of `forwarded_for` (the `X-Forwarded-For` headers' values, in order) that
/// is not a trusted proxy, read from the right. When every hop is trusted, the leftmost one
/// is the client; when a trusted proxy wrote something that is not an address (`unknown`),
/// the last trusted hop is the best address known.
pub fn client_addr<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[AddrRange],
) -> IpAddr {
    let peer = canonical(peer);
    if !in_any(trusted, peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
    let mut nearest_trusted = peer;
    for hop in hops.iter().rev() {
        let Some(addr) = parse_hop(hop) else {
            return nearest_trusted;
        };
        if !in_any(trusted, addr) {
            return addr;
        }
        nearest_trusted = addr;
    }
    nearest_trusted
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.7:4711`,
/// `[2001:db8::1]:4711`), as some proxies write it.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(list: &[&str]) -> Vec<AddrRange> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_match_their_prefix_only() {
        let r = ranges(&["10.0.0.0/8", "192.0.2.7", "fd00::/8", "0.0.0.0/0"]);
        assert!(r[0].contains(ip("10.255.0.1")));
        assert!(!r[0].contains(ip("11.0.0.1")));
        assert!(r[1].contains(ip("192.0.2.7")) && !r[1].contains(ip("192.0.2.8")));
        assert!(
            r[1].contains(ip("::ffff:192.0.2.7")),
            "IPv4-mapped IPv6 is IPv4"
        );
        assert!(r[2].contains(ip("fd12::1")) && !r[2].contains(ip("fe80::1")));
        assert!(!r[2].contains(ip("10.0.0.1")));
        assert!(r[3].contains(ip("203.0.113.1")) && !r[3].contains(ip("::1")));
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "localhost",
            "10.0.0/8",
            "1.2.3.4/x",
            "",
        ] {
            assert!(bad.parse::<AddrRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_ipv6_client_is_throttled_by_its_64() {
        let a = throttle_key(ip("2001:db8:1:2:aaaa::1"));
        assert_eq!(a, throttle_key(ip("2001:db8:1:2:ffff:1:2:3")));
        assert_ne!(a, throttle_key(ip("2001:db8:1:3::1")));
        assert_eq!(throttle_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
        assert_ne!(throttle_key(ip("192.0.2.7")), throttle_key(ip("192.0.2.8")));
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let none = ranges(&[]);
        let proxies = ranges(&["127.0.0.1", "10.0.0.0/8"]);
        let peer = ip("127.0.0.1");
        let header = |v: &'static str| std::iter::once(v);
        // No proxy trusted: the header is ignored.
        assert_eq!(client_addr(peer, header("203.0.113.9"), &none), peer);
        // A stranger's header is ignored even when proxies are trusted.
        let stranger = ip("198.51.100.1");
        assert_eq!(
            client_addr(stranger, header("203.0.113.9"), &proxies),
            stranger
        );
        // Through a trusted proxy: the hop it appended.
        assert_eq!(
            client_addr(peer, header("203.0.113.9"), &proxies),
            ip("203.0.113.9")
        );
        // A client's forged entries stay left of the first untrusted hop.
        assert_eq!(
            client_addr(peer, header("1.1.1.1, 203.0.113.9, 10.0.0.2"), &proxies),
            ip("203.0.113.9")
        );
        // Several headers are one list, in order.
        let two = ["1.1.1.1, 203.0.113.9", "10.0.0.2"].into_iter();
        assert_eq!(client_addr(peer, two, &proxies), ip("203.0.113.9"));
        // Ports and brackets as some proxies write them.
        assert_eq!(
            client_addr(peer, header("[2001:db8::1]:4711"), &proxies),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_addr(peer, header("203.0.113.9:4711"), &proxies),
            ip("203.0.113.9")
        );
        // Every hop trusted: the leftmost; no header: the proxy itself.
        assert_eq!(
            client_addr(peer, header("10.0.0.3, 10.0.0.2"), &proxies),
            ip("10.0.0.3")
        );
        assert_eq!(client_addr(peer, std::iter::empty(), &proxies), peer);
        // Garbage from a trusted hop: the nearest trusted address, never a forged one.
        assert_eq!(
            client_addr(peer, header("203.0.113.9, unknown, 10.0.0.2"), &proxies),
            ip("10.0.0.2")
        );
    }
}
