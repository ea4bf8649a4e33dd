//! The SSRF guard: requests to loopback, private, link-local, shared and cloud-metadata addresses
//! are refused unless the operator's allowlist names the host or a network holding the address.
//! Checked on every resolved address (a DNS resolver for the client) and on literal IPs.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// One allowlist entry: a host name, or a network in CIDR form (`10.0.0.0/8`, `::1/128`).
#[derive(Debug, Clone, PartialEq)]
enum Rule {
    Host(String),
    Net(IpAddr, u8),
}

/// Which otherwise-refused destinations the operator permits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Allowlist {
    rules: Vec<Rule>,
}

impl Allowlist {
    /// Parses a comma-separated list of hosts, IPs and CIDR networks.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut rules = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let rule = match entry.split_once('/') {
                Some((ip, bits)) => {
                    let ip: IpAddr = ip
                        .parse()
                        .map_err(|_| format!("{entry:?} is not a network (address/prefix)"))?;
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    let bits: u8 =
                        bits.parse().ok().filter(|b| *b <= max).ok_or_else(|| {
                            format!("{entry:?} has a prefix longer than {max} bits")
                        })?;
                    Rule::Net(ip, bits)
                }
                None => match entry.parse::<IpAddr>() {
                    Ok(ip) => Rule::Net(ip, if ip.is_ipv4() { 32 } else { 128 }),
                    Err(_) => Rule::Host(entry.trim_end_matches('.').to_ascii_lowercase()),
                },
            };
            rules.push(rule);
        }
        Ok(Self { rules })
    }

    fn permits(&self, host: &str, ip: IpAddr) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.rules.iter().any(|rule| match rule {
            Rule::Host(h) => *h == host,
            Rule::Net(net, bits) => in_network(ip, *net, *bits),
        })
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (canonical(ip), canonical(net)) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits.min(32)))
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits.min(128)))
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// IPv6 addresses that carry an IPv4 address are judged as that address: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96` and the local-use
/// `64:ff9b:1::/48`), 6to4 (`2002:aabb:ccdd::/48`) and Teredo (`2001:0::/32`, the client
/// address inverted in the last 32 bits) — each can reach the IPv4 address through a gateway.
fn canonical(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else {
        return ip;
    };
    let s = v6.segments();
    let o = v6.octets();
    let last = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    let embedded = if let Some(v4) = v6.to_ipv4_mapped() {
        Some(v4)
    } else if (s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1))
        || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
        || s[..3] == [0x64, 0xff9b, 1]
    {
        Some(last)
    } else if s[0] == 0x2002 {
        Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]))
    } else if s[..2] == [0x2001, 0] {
        Some(Ipv4Addr::from(!u32::from(last)))
    } else {
        None
    };
    embedded.map_or(ip, IpAddr::V4)
}

/// Why an address is refused by default, if it is.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    Some(match o {
        [169, 254, 169, 254] | [100, 100, 100, 200] => "a cloud metadata address",
        [127, ..] => "a loopback address",
        [10, ..] | [192, 168, ..] => "a private address",
        [172, b, ..] if (16..32).contains(&b) => "a private address",
        [169, 254, ..] => "a link-local address",
        [100, b, ..] if (64..128).contains(&b) => "a shared (carrier-grade NAT) address",
        [0, ..] => "an unspecified address",
        [a, ..] if a >= 224 => "a multicast or reserved address",
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    Some(
        if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
            "a cloud metadata address"
        } else if ip.is_loopback() {
            "a loopback address"
        } else if ip.is_unspecified() {
            "an unspecified address"
        } else if s[0] & 0xfe00 == 0xfc00 {
            "a private address"
        } else if s[0] & 0xffc0 == 0xfe80 {
            "a link-local address"
        } else if s[0] & 0xff00 == 0xff00 {
            "a multicast address"
        } else {
            return None;
        },
    )
}

/// A destination the guard refused; it travels inside the HTTP client's error.
#[derive(Debug, Clone)]
pub struct Refused {
    pub host: String,
    pub ip: IpAddr,
    pub reason: &'static str,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The request to {} was refused: {} is {}",
            self.host, self.ip, self.reason
        )
    }
}

impl Error for Refused {}

/// The guard itself: the default refusals minus the allowlist.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub allow: Allowlist,
}

impl Guard {
    /// `Err` when `ip` (reached as `host`) is refused.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), Refused> {
        match forbidden(ip) {
            Some(reason) if !self.allow.permits(host, ip) => Err(Refused {
                host: host.to_owned(),
                ip,
                reason,
            }),
            _ => Ok(()),
        }
    }

    /// Checks a URL whose host is an IP literal (the resolver never sees those).
    pub fn check_url(&self, url: &reqwest::Url) -> Result<(), Refused> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check(&ip.to_string(), IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check(&ip.to_string(), IpAddr::V6(ip)),
            _ => Ok(()),
        }
    }
}

/// The client's DNS resolver: keeps only addresses the guard accepts, so a name cannot be
/// pointed at an internal address (DNS rebinding included: the checked address is the one used).
pub struct GuardedResolver(pub Arc<Guard>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match guard.check(&host, a.ip()) {
                    Ok(()) => true,
                    Err(r) => {
                        refused = Some(r);
                        false
                    }
                })
                .collect();
            if allowed.is_empty()
                && let Some(r) = refused
            {
                return Err(Box::new(r) as Box<dyn Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The guard's refusal inside an HTTP client error, if that is what it is.
pub fn refusal(err: &(dyn Error + 'static)) -> Option<Refused> {
    let mut current: Option<&(dyn Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r.clone());
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused_by_default() {
        for (addr, why) in [
            ("127.0.0.1", "a loopback address"),
            ("10.1.2.3", "a private address"),
            ("172.20.0.1", "a private address"),
            ("192.168.1.1", "a private address"),
            ("169.254.169.254", "a cloud metadata address"),
            ("169.254.10.1", "a link-local address"),
            ("::1", "a loopback address"),
            ("fd12::1", "a private address"),
            ("fe80::1", "a link-local address"),
            ("::ffff:127.0.0.1", "a loopback address"),
            ("0.0.0.0", "an unspecified address"),
        ] {
            assert_eq!(forbidden(ip(addr)), Some(why), "{addr}");
        }
        assert_eq!(forbidden(ip("93.184.216.34")), None);
        assert_eq!(forbidden(ip("172.32.0.1")), None);
    }

    #[test]
    fn ipv6_forms_that_carry_a_blocked_ipv4_address_are_refused() {
        for blocked in [
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "::a9fe:a9fe",
            "64:ff9b::7f00:1",
            "64:ff9b::169.254.169.254",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
        ] {
            assert!(forbidden(ip(blocked)).is_some(), "{blocked} passed");
        }
        for public in ["64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111"] {
            assert_eq!(forbidden(ip(public)), None, "{public} refused");
        }
        assert!(forbidden(ip("::1")).is_some() && forbidden(ip("::")).is_some());
    }

    #[test]
    fn the_allowlist_lets_named_hosts_and_networks_through() {
        let guard = Guard {
            allow: Allowlist::parse("localhost, 10.0.0.0/8, ::1").unwrap(),
        };
        assert!(guard.check("localhost", ip("127.0.0.1")).is_ok());
        assert!(guard.check("db.internal", ip("10.9.9.9")).is_ok());
        assert!(guard.check("x", ip("::1")).is_ok());
        let refused = guard.check("x", ip("192.168.0.1")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "The request to x was refused: 192.168.0.1 is a private address"
        );
    }

    #[test]
    fn bad_allowlist_entries_are_named() {
        assert!(
            Allowlist::parse("10.0.0.0/33")
                .unwrap_err()
                .contains("10.0.0.0/33")
        );
        assert!(Allowlist::parse("nonsense/8").is_err());
    }
}
