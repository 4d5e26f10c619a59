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

    /// How many addresses the ranges hold before exclusions (an upper bound for progress).
    pub fn len_hint(&self) -> u128 {
        self.nets.iter().map(host_count).sum()
    }

    /// Every address to probe, in order, exclusions skipped; lazy. An address that several
    /// targets hold (`10.0.0.0/24 10.0.0.5`, a line repeated in an `@file`, overlapping
    /// ranges) is probed once, where it first comes.
    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + Send + 'static {
        let exclude = self.exclude.clone();
        // Ranges are few, single addresses may be many (a file of them): each target is checked
        // against the earlier ranges that overlap it, and a single address against the single
        // addresses before it, so that the cost stays linear in the number of targets.
        let ranges: Vec<(usize, IpNet)> = self
            .nets
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, n)| !is_single(n))
            .collect();
        // Where each single address is first named.
        let mut singles: HashMap<IpAddr, usize> = HashMap::new();
        for (i, n) in self.nets.iter().enumerate() {
            if is_single(n) {
                singles.entry(n.addr()).or_insert(i);
            }
        }
        let plan: Vec<(usize, IpNet, Vec<IpNet>)> = self
            .nets
            .iter()
            .enumerate()
            .filter(|(i, n)| !is_single(n) || singles.get(&n.addr()) == Some(i))
            .map(|(i, n)| {
                let earlier = ranges
                    .iter()
                    .take_while(|(j, _)| *j < i)
                    .map(|(_, r)| *r)
                    .filter(|r| r.contains(&n.network()) || n.contains(&r.network()))
                    .collect();
                (i, *n, earlier)
            })
            .collect();
        let singles = Arc::new(singles);
        plan.into_iter()
            .flat_map(move |(i, net, earlier)| {
                let singles = singles.clone();
                hosts(net).filter(move |a| {
                    !earlier.iter().any(|e| holds(e, a))
                        && (is_single(&net) || singles.get(a).is_none_or(|&j| j > i))
                })
            })
            .filter(move |a| !exclude.iter().any(|e| e.contains(a)))
    }
}

/// A target of one address (/32, /128).
fn is_single(net: &IpNet) -> bool {
    net.prefix_len() == net.max_prefix_len()
}

/// Whether `net`'s hosts (as [`hosts`] gives them) include `a`.
fn holds(net: &IpNet, a: &IpAddr) -> bool {
    match net {
        IpNet::V4(n) if n.prefix_len() <= 30 => {
            net.contains(a) && *a != IpAddr::V4(n.network()) && *a != IpAddr::V4(n.broadcast())
        }
        _ => net.contains(a),
    }
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
