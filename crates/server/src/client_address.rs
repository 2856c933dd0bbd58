//! Who a request comes from: the TCP peer, or, when that peer is one of the
//! operator's trusted proxies, the client it says it forwarded.
//!
//! Behind a proxy every request's peer is the proxy, so a limit keyed on
//! the peer would put every client in one bucket (one client could lock
//! the whole site out of sign-in). The proxy's forwarded header is believed
//! only when the peer is trusted (`trusted_proxies`; none by default), and
//! only as far as the chain of trusted hops goes: reading
//! `X-Forwarded-For` (or `Forwarded`) from the right, the first address
//! that is not a trusted proxy is the client. Anything a client wrote to
//! the left of that is never read, so forging the header gains nothing.
//!
//! Everything that needs the client's address (the password-guessing
//! limits, the address a session records, request and socket logs) asks
//! `request::client_address`, so they all see the same one.

use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use actix_web::http::header::{HeaderMap, HeaderName};
use serde::{Deserialize, Serialize};

/// Which header a trusted proxy names the client in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx's
    /// `$proxy_add_x_forwarded_for`).
    #[default]
    XForwardedFor,
    /// RFC 7239: `Forwarded: for=client, for="[2001:db8::1]:4711"`.
    Forwarded,
}

impl ForwardedHeader {
    fn name(self) -> HeaderName {
        match self {
            Self::XForwardedFor => HeaderName::from_static("x-forwarded-for"),
            Self::Forwarded => actix_web::http::header::FORWARDED,
        }
    }
}

/// An address or a CIDR block (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip.to_canonical()) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(base) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(base) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("{text:?} is not an address or a CIDR block like 10.0.0.0/8");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base = IpAddr::from_str(address.trim())
            .map_err(|_| bad())?
            .to_canonical();
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { base, prefix })
    }
}

/// The proxies whose forwarded header is believed, and which header that is.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<Network>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// From the settings' list; an entry that is neither an address nor a
    /// CIDR block is an error naming it.
    pub fn parse(entries: &[String], header: ForwardedHeader) -> Result<Self, String> {
        let networks = entries
            .iter()
            .map(|e| e.parse())
            .collect::<Result<Vec<Network>, String>>()?;
        Ok(Self { networks, header })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }

    /// The client behind `peer`: the peer itself unless it is trusted; then
    /// the rightmost hop of the forwarded header that is not. A hop that
    /// cannot be read ends the walk at the last address known, since what
    /// lies to its left was written by someone untrusted.
    pub fn resolve(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        // Test requests built without a socket have no peer: one shared key.
        let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.to_canonical());
        if !self.trusts(peer) {
            return peer;
        }
        // Several headers of the name count as one list, in order.
        let hops: Vec<&str> = headers
            .get_all(self.header.name())
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let parsed = match self.header {
                ForwardedHeader::XForwardedFor => hop_address(hop),
                ForwardedHeader::Forwarded => forwarded_for(hop).and_then(hop_address),
            };
            let Some(ip) = parsed else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// The `for=` of one `Forwarded` element (`for=1.2.3.4;proto=https`).
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`
/// or `[2001:db8::1]:4711`.
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = IpAddr::from_str(hop) {
        return Some(ip.to_canonical());
    }
    if let Ok(socket) = std::net::SocketAddr::from_str(hop) {
        return Some(socket.ip().to_canonical());
    }
    let bracketed = hop.strip_prefix('[')?.split(']').next()?;
    IpAddr::from_str(bracketed).ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn trusting(list: &[&str], header: ForwardedHeader) -> TrustedProxies {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        TrustedProxies::parse(&list, header).expect("valid")
    }

    #[test]
    fn networks_parse_and_match() {
        let net: Network = "10.0.0.0/8".parse().expect("cidr");
        assert!(net.contains(ip("10.200.1.1")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.0.0.1")), "v4-mapped v6 counts");
        let one: Network = "127.0.0.1".parse().expect("address");
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let all: Network = "0.0.0.0/0".parse().expect("everything");
        assert!(all.contains(ip("203.0.113.9")) && !all.contains(ip("::1")));
        let v6: Network = "fd00::/8".parse().expect("v6");
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "nginx",
            "10.0.0.0/x",
            "1.2.3.4/-1",
        ] {
            assert!(bad.parse::<Network>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_trusted() {
        let forged = headers("x-forwarded-for", &["203.0.113.7"]);
        let none = TrustedProxies::default();
        assert_eq!(
            none.resolve(Some(ip("198.51.100.1")), &forged),
            ip("198.51.100.1")
        );
        let other = trusting(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        assert_eq!(
            other.resolve(Some(ip("198.51.100.1")), &forged),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let proxies = trusting(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        let peer = Some(ip("10.0.0.2"));
        // A client's forged entry comes first; the proxy appended the real one.
        let chain = headers("x-forwarded-for", &["1.1.1.1, 203.0.113.7, 10.0.0.9"]);
        assert_eq!(proxies.resolve(peer, &chain), ip("203.0.113.7"));
        // Two headers are one list.
        let split = headers("x-forwarded-for", &["1.1.1.1", "203.0.113.8"]);
        assert_eq!(proxies.resolve(peer, &split), ip("203.0.113.8"));
        // Ports and brackets as proxies write them.
        let ported = headers("x-forwarded-for", &["[2001:db8::5]:4711"]);
        assert_eq!(proxies.resolve(peer, &ported), ip("2001:db8::5"));
        // Nothing readable: the last address known.
        let junk = headers("x-forwarded-for", &["1.1.1.1, unknown"]);
        assert_eq!(proxies.resolve(peer, &junk), ip("10.0.0.2"));
        assert_eq!(proxies.resolve(peer, &HeaderMap::new()), ip("10.0.0.2"));
        // Every hop trusted: the leftmost.
        let inside = headers("x-forwarded-for", &["10.1.1.1, 10.2.2.2"]);
        assert_eq!(proxies.resolve(peer, &inside), ip("10.1.1.1"));
        // The other header is not read.
        let other = headers("forwarded", &["for=203.0.113.7"]);
        assert_eq!(proxies.resolve(peer, &other), ip("10.0.0.2"));
    }

    #[test]
    fn forwarded_elements_name_the_client_in_for() {
        let proxies = trusting(&["127.0.0.1"], ForwardedHeader::Forwarded);
        let peer = Some(ip("127.0.0.1"));
        let chain = headers(
            "forwarded",
            &["for=1.1.1.1, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=127.0.0.1"],
        );
        assert_eq!(proxies.resolve(peer, &chain), ip("2001:db8:cafe::17"));
        let hidden = headers("forwarded", &["for=_hidden"]);
        assert_eq!(proxies.resolve(peer, &hidden), ip("127.0.0.1"));
        let xff = headers("x-forwarded-for", &["203.0.113.7"]);
        assert_eq!(proxies.resolve(peer, &xff), ip("127.0.0.1"));
    }
}
