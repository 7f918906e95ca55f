//! The client's address for login throttling, lockout and session records.
//!
//! The TCP peer, unless the peer is a configured trusted proxy: then the
//! `X-Forwarded-For` chain is read from the right, skipping trusted hops, and
//! the first address not ours is the client. A header from anyone else is the
//! caller's own word and is ignored: believing it would let an attacker pick
//! a fresh address per guess, or the librarian's address to lock it.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;

const FORWARDED_FOR: &str = "x-forwarded-for";

pub fn client_addr(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let chain: Vec<&str> = req
        .headers()
        .get_all(FORWARDED_FOR)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    Some(from_chain(peer, &chain, trusted))
}

/// The rightmost hop not in `trusted`; a hop that cannot be read ends the
/// walk at the trusted hop that reported it.
fn from_chain(peer: IpAddr, chain: &[&str], trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    for hop in chain.iter().rev() {
        let Some(addr) = parse_hop(hop) else {
            return client;
        };
        client = addr;
        if !trusted.contains(&addr) {
            return addr;
        }
    }
    client
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        let chain = ["198.51.100.7", "203.0.113.5", "10.0.0.2"];
        assert_eq!(from_chain(proxy, &chain, &trusted), ip("203.0.113.5"));
    }

    #[test]
    fn unreadable_or_missing_hops_leave_the_proxy() {
        let proxy = ip("10.0.0.1");
        assert_eq!(from_chain(proxy, &[], &[proxy]), proxy);
        assert_eq!(from_chain(proxy, &["203.0.113.5", "junk"], &[proxy]), proxy);
        assert_eq!(
            from_chain(proxy, &[" 203.0.113.5:4711 "], &[proxy]),
            ip("203.0.113.5")
        );
        assert_eq!(
            from_chain(proxy, &["[2001:db8::1]:80"], &[proxy]),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn a_chain_of_trusted_hops_ends_at_the_leftmost() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        assert_eq!(from_chain(proxy, &["10.0.0.2"], &trusted), ip("10.0.0.2"));
    }
}
