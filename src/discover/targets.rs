//! Targets: addresses, CIDRs (IPv4 and IPv6) and `@file` lists, with exclusions, iterated
//! lazily so that a large range is never materialised.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ipnet::IpNet;

/// A mistake in a target given by a person.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Not an address or a CIDR.
    #[error(
        "{origin}: {text:?} is not an address or CIDR (expected e.g. 192.0.2.1, 192.0.2.0/24 or 2001:db8::/120)"
    )]
    Unparsable {
        /// Where it came from: `argument` or `FILE:LINE`.
        origin: String,
        /// What was given.
        text: String,
    },
    /// An `@file` could not be read.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The targets of a sweep.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    nets: Vec<IpNet>,
    exclude: Vec<IpNet>,
}

impl Targets {
    /// Parses command-line targets; `@FILE` reads one target per line (`#` comments allowed).
    pub fn parse(args: &[String]) -> Result<Targets, TargetError> {
        let mut nets = Vec::new();
        for arg in args {
            if let Some(path) = arg.strip_prefix('@') {
                let path = Path::new(path);
                let text = std::fs::read_to_string(path).map_err(|source| TargetError::File {
                    path: path.to_path_buf(),
                    source,
                })?;
                for (i, line) in text.lines().enumerate() {
                    let line = line.split('#').next().unwrap_or("").trim();
                    if !line.is_empty() {
                        nets.push(parse_net(line, || format!("{}:{}", path.display(), i + 1))?);
                    }
                }
            } else {
                nets.push(parse_net(arg, || "argument".to_string())?);
            }
        }
        Ok(Targets {
            nets,
            exclude: Vec::new(),
        })
    }

    /// Adds exclusions (`--exclude`).
    pub fn exclude(mut self, excludes: &[String]) -> Result<Targets, TargetError> {
        for e in excludes {
            self.exclude.push(parse_net(e, || "--exclude".to_string())?);
        }
        Ok(self)
    }

    /// How many addresses the ranges hold, before exclusions and counting an address named by
    /// several targets each time: an upper bound, for progress and --max-hosts.
    pub fn len_hint(&self) -> u128 {
        self.nets.iter().map(host_count).sum()
    }

    /// Whether a sweep of these targets probes `address` (a target holds it, no exclusion
    /// does).
    pub fn contains(&self, address: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&address))
            && !self.exclude.iter().any(|e| e.contains(&address))
    }

    /// Every address to probe, in order, exclusions skipped; lazy. An address that several
    /// targets hold (`10.0.0.0/24 10.0.0.5`, a line repeated in an `@file`, overlapping
    /// ranges) is probed once, where it first comes.
    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + Send + 'static {
        let exclude = self.exclude.clone();
        let overlaps = Arc::new(Overlaps::new(&self.nets));
        let firsts = overlaps.clone();
        let nets: Vec<(usize, IpNet)> = self.nets.iter().copied().enumerate().collect();
        nets.into_iter()
            // A target named again (the same range, the same address) adds nothing.
            .filter(move |(i, n)| firsts.first.get(&n.trunc()) == Some(i))
            .flat_map(move |(i, net)| {
                let overlaps = overlaps.clone();
                let mut earlier = overlaps.earlier(i, net.trunc());
                hosts(net).filter(move |a| !earlier.holds(a, &overlaps, i))
            })
            .filter(move |a| !exclude.iter().any(|e| e.contains(a)))
    }
}

/// Which targets overlap which, found once per sweep: where each range and each address is
/// first named, and the ranges in order of their network address. Finding what came before a
/// target costs a few lookups (one per prefix length named) and a binary search, and checking
/// an address a few comparisons, so that a file of a hundred thousand targets, or a /8 named
/// after a thousand /24s inside it, stays cheap.
#[derive(Debug, Default)]
struct Overlaps {
    /// Where each target (its network) is first named.
    first: HashMap<IpNet, usize>,
    /// Whether any single address is named (else none need looking up).
    singles: bool,
    /// The prefix lengths of the ranges named, by family (v4, v6).
    lengths: [Vec<u8>; 2],
    /// The ranges named, each with where it is first named, in order of network address.
    ranges: Vec<(IpAddr, IpNet, usize)>,
}

/// What the targets before one target gave of its addresses.
struct Earlier {
    /// Earlier ranges that hold the whole target.
    wider: Vec<IpNet>,
    /// The addresses that earlier ranges inside the target gave, as merged intervals in order.
    inside: Vec<(u128, u128)>,
    /// The first of `inside` not wholly behind the addresses seen so far (they ascend).
    at: usize,
}

impl Overlaps {
    fn new(nets: &[IpNet]) -> Overlaps {
        let mut o = Overlaps::default();
        for (i, n) in nets.iter().enumerate() {
            let n = n.trunc();
            if o.first.contains_key(&n) {
                continue;
            }
            o.first.insert(n, i);
            if is_single(&n) {
                o.singles = true;
            } else {
                let family = usize::from(n.addr().is_ipv6());
                if !o.lengths[family].contains(&n.prefix_len()) {
                    o.lengths[family].push(n.prefix_len());
                }
                o.ranges.push((n.network(), n, i));
            }
        }
        o.ranges.sort_unstable();
        o
    }

    /// What the targets before the `i`th (`net`, truncated to its network) gave of it.
    fn earlier(&self, i: usize, net: IpNet) -> Earlier {
        let family = usize::from(net.addr().is_ipv6());
        let wider = self.lengths[family]
            .iter()
            .filter(|&&len| len < net.prefix_len())
            .filter_map(|&len| IpNet::new(net.addr(), len).ok().map(|w| w.trunc()))
            .filter(|w| self.first.get(w).is_some_and(|&j| j < i))
            .collect();
        let from = self.ranges.partition_point(|(a, _, _)| *a < net.network());
        let mut inside: Vec<(u128, u128)> = Vec::new();
        for (_, r, j) in &self.ranges[from..] {
            if !net.contains(&r.network()) {
                break;
            }
            if *j >= i || r.prefix_len() <= net.prefix_len() {
                continue;
            }
            let (lo, hi) = produced(r);
            match inside.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => inside.push((lo, hi)),
            }
        }
        Earlier {
            wider,
            inside,
            at: 0,
        }
    }
}

impl Earlier {
    /// Whether a target before the `i`th gave `a` already; `a`s come in ascending order.
    fn holds(&mut self, a: &IpAddr, overlaps: &Overlaps, i: usize) -> bool {
        let n = number(a);
        while self.inside.get(self.at).is_some_and(|&(_, hi)| hi < n) {
            self.at += 1;
        }
        self.inside.get(self.at).is_some_and(|&(lo, _)| lo <= n)
            || self.wider.iter().any(|w| holds(w, a))
            || (overlaps.singles && overlaps.first.get(&IpNet::from(*a)).is_some_and(|&j| j < i))
    }
}

/// An address as a number, for ordering within its family.
fn number(a: &IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(u32::from(*a)),
        IpAddr::V6(a) => u128::from(*a),
    }
}

/// The first and the last address that [`hosts`] gives of a range.
fn produced(net: &IpNet) -> (u128, u128) {
    let (lo, hi) = (number(&net.network()), number(&net.broadcast()));
    match net {
        IpNet::V4(n) if n.prefix_len() <= 30 => (lo + 1, hi - 1),
        _ => (lo, hi),
    }
}

/// A target of one address (/32, /128).
fn is_single(net: &IpNet) -> bool {
    net.prefix_len() == net.max_prefix_len()
}

/// Whether `net`'s hosts (as [`hosts`] gives them) include `a`.
fn holds(net: &IpNet, a: &IpAddr) -> bool {
    let (lo, hi) = produced(net);
    net.contains(a) && (lo..=hi).contains(&number(a))
}

fn parse_net(text: &str, origin: impl Fn() -> String) -> Result<IpNet, TargetError> {
    let t = text.trim();
    if let Ok(net) = t.parse::<IpNet>() {
        return Ok(net);
    }
    t.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| TargetError::Unparsable {
            origin: origin(),
            text: text.to_string(),
        })
}

/// A CIDR's hosts: for IPv4 prefixes up to /30 the network and broadcast addresses are left
/// out, as a person sweeping a subnet means; /31, /32 and IPv6 keep every address.
fn hosts(net: IpNet) -> Box<dyn Iterator<Item = IpAddr> + Send> {
    match net {
        IpNet::V4(_) => Box::new(net.hosts()),
        IpNet::V6(n) => {
            Box::new(ipnet::Ipv6AddrRange::new(n.network(), n.broadcast()).map(IpAddr::V6))
        }
    }
}

fn host_count(net: &IpNet) -> u128 {
    match net {
        IpNet::V4(n) => {
            let all = 1u128 << (32 - n.prefix_len());
            if n.prefix_len() >= 31 { all } else { all - 2 }
        }
        IpNet::V6(n) => 1u128
            .checked_shl(128 - u32::from(n.prefix_len()))
            .unwrap_or(u128::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn addresses_cidrs_and_exclusions() {
        let t = Targets::parse(&args(&["127.0.0.1", "127.1.0.0/29", "::1/128"]))
            .unwrap()
            .exclude(&args(&["127.1.0.2/31"]))
            .unwrap();
        let all: Vec<String> = t.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            all,
            [
                "127.0.0.1",
                "127.1.0.1",
                "127.1.0.4",
                "127.1.0.5",
                "127.1.0.6",
                "::1"
            ]
        );
        assert_eq!(t.len_hint(), 1 + 6 + 1);
    }

    /// Overlapping targets give each address once, where it first comes; a network address
    /// named on its own is probed although its /29 leaves it out.
    #[test]
    fn overlapping_targets_give_each_address_once() {
        let t = Targets::parse(&args(&[
            "127.1.0.0/29",
            "127.1.0.3",
            "127.1.0.0",
            "127.1.0.0/30",
            "127.1.0.4/30",
            "127.1.0.0",
            "::1",
            "::1/128",
            "::/127",
        ]))
        .unwrap();
        let all: Vec<String> = t.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            all,
            [
                "127.1.0.1",
                "127.1.0.2",
                "127.1.0.3",
                "127.1.0.4",
                "127.1.0.5",
                "127.1.0.6",
                "127.1.0.0",
                "::1",
                "::"
            ]
        );
    }

    /// A range named after smaller ranges inside it gives only what they did not: their
    /// network and broadcast addresses included, as they leave those out.
    #[test]
    fn a_wider_range_after_narrower_ones_gives_the_rest() {
        let t = Targets::parse(&args(&["127.1.0.8/29", "127.1.0.5/29", "127.1.0.0/28"])).unwrap();
        let all: Vec<String> = t.iter().map(|a| a.to_string()).collect();
        let mut want: Vec<String> = (9..=14).map(|i| format!("127.1.0.{i}")).collect();
        // 127.1.0.5/29 is 127.1.0.0/29: .1-.6, then the /28 adds .7, .8 and nothing else.
        want.extend((1..=8).map(|i| format!("127.1.0.{i}")));
        assert_eq!(all, want);

        // Two hundred /24s, then the /16 that holds them: every host once.
        let mut targets: Vec<String> = (0..200).map(|i| format!("127.2.{i}.0/24")).collect();
        targets.push("127.2.0.0/16".into());
        let t = Targets::parse(&targets).unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut n = 0;
        for a in t.iter() {
            assert!(seen.insert(a), "{a} twice");
            n += 1;
        }
        assert_eq!(n, 65_534);
    }

    #[test]
    fn large_ranges_stay_lazy() {
        let t = Targets::parse(&args(&["10.0.0.0/8", "2001:db8::/64"])).unwrap();
        assert_eq!(t.iter().nth(1_000_000).unwrap().to_string(), "10.15.66.65");
        assert_eq!(t.len_hint(), (1 << 24) - 2 + (1u128 << 64));
    }

    #[test]
    fn bad_targets_name_their_origin() {
        let err = Targets::parse(&args(&["127.0.0.300"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("argument") && err.contains("127.0.0.300"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t.txt");
        std::fs::write(&f, "# segment\n127.0.0.1\n127.0.0.0/33\n").unwrap();
        let err = Targets::parse(&[format!("@{}", f.display())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.txt:3"), "{err}");
    }
}
