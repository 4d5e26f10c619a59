//! `netorigin fleet`: the central server's views, asked over its API and written as the
//! history reports are (table, JSON Lines, JSON, CSV).

use super::observers::{Report, open_output};
use super::{Failure, is_closed_pipe, other, usage, write_failure};
use crate::central::{DevicePage, FleetChange, Summary};
use crate::date::Date;
use crate::record::Verdict;
use crate::server::{Client, ClientError};

/// A verdict on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerdictArg {
    /// A policy forbids it.
    Banned,
    /// A policy asks for a person to look.
    Review,
    /// Identified, no rule matched.
    Clear,
    /// Not identified well enough to judge.
    Unknown,
}

impl From<VerdictArg> for Verdict {
    fn from(v: VerdictArg) -> Verdict {
        match v {
            VerdictArg::Banned => Verdict::Banned,
            VerdictArg::Review => Verdict::Review,
            VerdictArg::Clear => Verdict::Clear,
            VerdictArg::Unknown => Verdict::Unknown,
        }
    }
}

/// Which view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// Per site and in total.
    Summary,
    /// The current devices, a page.
    Devices {
        /// The page, from 1.
        page: u32,
        /// Devices a page.
        per_page: u32,
    },
    /// What changed since a day.
    Diff {
        /// The day.
        since: Date,
    },
    /// Current devices past a deadline, a page.
    Overdue {
        /// The page, from 1.
        page: u32,
        /// Devices a page.
        per_page: u32,
    },
}

/// The filters every view takes, and the day deadlines are judged at.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only this site.
    pub site: Option<String>,
    /// Only this vendor.
    pub vendor: Option<String>,
    /// Only this verdict.
    pub verdict: Option<VerdictArg>,
    /// Only this model.
    pub model: Option<String>,
    /// The day deadlines are judged at (default: the server's today).
    pub on: Option<Date>,
}

impl Filters {
    /// The query string: each filter given, percent-encoded.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(s) = &self.site {
            q.push(("site", s.clone()));
        }
        if let Some(v) = &self.vendor {
            q.push(("vendor", v.clone()));
        }
        if let Some(v) = self.verdict {
            q.push(("verdict", Verdict::from(v).as_str().to_string()));
        }
        if let Some(m) = &self.model {
            q.push(("model", m.clone()));
        }
        if let Some(d) = self.on {
            q.push(("on", d.to_string()));
        }
        q
    }
}

/// The API path of `query` under `filters`.
pub fn path(query: Query, filters: &Filters) -> String {
    let mut q = filters.query();
    let route = match query {
        Query::Summary => "summary",
        Query::Devices { page, per_page } | Query::Overdue { page, per_page } => {
            q.push(("page", page.to_string()));
            q.push(("per_page", per_page.to_string()));
            if matches!(query, Query::Devices { .. }) {
                "devices"
            } else {
                "overdue"
            }
        }
        Query::Diff { since } => {
            q.push(("since", since.to_string()));
            "diff"
        }
    };
    let query: Vec<String> = q
        .into_iter()
        .map(|(k, v)| format!("{k}={}", crate::server::client::encode(&v)))
        .collect();
    if query.is_empty() {
        format!("/api/v1/fleet/{route}")
    } else {
        format!("/api/v1/fleet/{route}?{}", query.join("&"))
    }
}

/// Asks the server for `query` and writes it as `output` says.
pub async fn fleet(
    client: &Client,
    query: Query,
    filters: &Filters,
    output: &Report,
) -> Result<(), Failure> {
    if !crate::report::fleet::writes(output.format) {
        return Err(usage(
            "the fleet views are written as table, jsonl, json or csv",
        ));
    }
    let path = path(query, filters);
    let failed = |e: ClientError| match e {
        ClientError::Url { .. } | ClientError::Tls(_) => usage(e),
        e => other(e),
    };
    let out = open_output(output)?;
    let layout = crate::report::Layout::detect(output.wide, output.output.is_none());
    let written = match query {
        Query::Summary => {
            let s: Summary = client.get_json(&path).await.map_err(failed)?;
            crate::report::fleet::summary(&s, output.format, layout, out)
        }
        Query::Devices { .. } | Query::Overdue { .. } => {
            let p: DevicePage = client.get_json(&path).await.map_err(failed)?;
            crate::report::fleet::devices(&p, output.format, layout, out)
        }
        Query::Diff { .. } => {
            #[derive(serde::Deserialize)]
            struct Answer {
                changes: Vec<FleetChange>,
            }
            let a: Answer = client.get_json(&path).await.map_err(failed)?;
            crate::report::fleet::changes(&a.changes, output.format, layout, out)
        }
    };
    match written {
        Err(e) if is_closed_pipe(&e) => Ok(()),
        r => r.map_err(write_failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_an_encoded_query() {
        let f = Filters {
            site: Some("Leeds & Bradford".into()),
            verdict: Some(VerdictArg::Banned),
            ..Filters::default()
        };
        assert_eq!(
            path(
                Query::Devices {
                    page: 2,
                    per_page: 50
                },
                &f
            ),
            "/api/v1/fleet/devices?site=Leeds%20%26%20Bradford&verdict=banned&page=2&per_page=50"
        );
        assert_eq!(
            path(Query::Summary, &Filters::default()),
            "/api/v1/fleet/summary"
        );
        let since = Date::parse("2026-01-02").unwrap();
        assert_eq!(
            path(Query::Diff { since }, &Filters::default()),
            "/api/v1/fleet/diff?since=2026-01-02"
        );
    }
}
