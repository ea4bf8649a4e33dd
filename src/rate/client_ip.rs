//! The client's address: the TCP peer, or — only when the peer is a trusted proxy
//! (`WEFT_TRUSTED_PROXIES`) — the nearest untrusted address in `X-Forwarded-For`.

use std::net::IpAddr;

/// Addresses and CIDR networks of the proxies in front of Weft.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma-separated list of IPs and networks (`10.0.0.0/8`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (ip, bits) = match entry.split_once('/') {
                Some((ip, bits)) => (ip, Some(bits)),
                None => (entry, None),
            };
            let ip: IpAddr = ip
                .parse()
                .map_err(|_| format!("{entry:?} is not an IP address or network"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("{entry:?} has a prefix longer than {max} bits"))?,
            };
            nets.push((ip, bits));
        }
        Ok(Self(nets))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0
            .iter()
            .any(|(net, bits)| match (ip, net.to_canonical()) {
                (IpAddr::V4(a), IpAddr::V4(b)) => {
                    let mask = u32::MAX.checked_shl(32 - u32::from(*bits)).unwrap_or(0);
                    u32::from(a) & mask == u32::from(b) & mask
                }
                (IpAddr::V6(a), IpAddr::V6(b)) => {
                    let mask = u128::MAX.checked_shl(128 - u32::from(*bits)).unwrap_or(0);
                    u128::from(a) & mask == u128::from(b) & mask
                }
                _ => false,
            })
    }
}

/// The client of a request from `peer` carrying `forwarded_for` (the header's values).
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let mut current = peer?;
    if !trusted.contains(current) {
        return Some(current);
    }
    // Right to left: each hop was added by the proxy before it; stop at the first untrusted.
    let hops: Vec<&str> = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                current = ip;
                if !trusted.contains(ip) {
                    return Some(ip);
                }
            }
            Err(_) => return Some(current),
        }
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::{TrustedProxies, client_ip};

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, ::1").expect("valid");
        let ip = |s: &str| s.parse().ok();
        // An untrusted peer: its header is whatever the caller wants; ignored.
        assert_eq!(
            client_ip(ip("203.0.113.9"), &["1.2.3.4"], &trusted),
            ip("203.0.113.9")
        );
        // A trusted proxy: the nearest untrusted hop, not the leftmost (spoofable) one.
        assert_eq!(
            client_ip(
                ip("10.1.2.3"),
                &["6.6.6.6, 198.51.100.7, 10.9.9.9"],
                &trusted
            ),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(ip("10.1.2.3"), &[], &trusted), ip("10.1.2.3"));
        assert_eq!(
            client_ip(ip("10.1.2.3"), &["junk"], &trusted),
            ip("10.1.2.3")
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }
}
