//! What the policies say of a device: its verdict and the findings behind it.

use serde::{Deserialize, Serialize};

/// A verdict on a device or module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A policy forbids it.
    Banned,
    /// A policy asks for a person to look.
    Review,
    /// Identified, and no rule matched.
    Clear,
    /// Not identified well enough to judge: never silently clear.
    Unknown,
}

impl Verdict {
    /// Every verdict, worst first.
    pub const ALL: [Verdict; 4] = [
        Verdict::Banned,
        Verdict::Review,
        Verdict::Clear,
        Verdict::Unknown,
    ];

    /// As written in records, reports and the database (`banned`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Banned => "banned",
            Verdict::Review => "review",
            Verdict::Clear => "clear",
            Verdict::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that is no verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a verdict: {0:?}")]
pub struct NotAVerdict(pub String);

impl std::str::FromStr for Verdict {
    type Err = NotAVerdict;

    fn from_str(s: &str) -> Result<Verdict, NotAVerdict> {
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| NotAVerdict(s.to_string()))
    }
}

/// A finding of a policy against a device or module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that matched.
    pub rule: String,
    /// The policy it belongs to, with its version.
    pub policy: String,
    /// The policy's jurisdiction.
    pub jurisdiction: Option<String>,
    /// What the rule rules (`banned` or `review`), before any exception.
    pub verdict: Verdict,
    /// How serious it is.
    pub severity: String,
    /// Why, in words.
    pub reason: String,
    /// The ENTITY-MIB module it is about (`None`: the device itself).
    pub module: Option<u32>,
    /// No new installs after this date, if the rule says.
    pub no_new_installs_after: Option<String>,
    /// When the equipment must be gone, if the rule says.
    pub deadline: Option<String>,
    /// Days until the deadline at the date of the report (negative: overdue).
    pub days_left: Option<i64>,
    /// The exception that lifts this finding, if one applies and has not expired.
    pub exception: Option<String>,
}

/// A policy's cap on a group's share of a role or technology (the UK's 35% of full-fibre
/// access), measured over the devices of one sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// The cap's id in its policy.
    pub rule: String,
    /// The policy it belongs to, with its version.
    pub policy: String,
    /// The policy's jurisdiction.
    pub jurisdiction: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// What the share is of, in words: `technology fibre-access`, `role core`.
    pub of: String,
    /// What is counted: `devices`, or `ports` (a device's interfaces).
    pub counted_by: String,
    /// The group's count (devices or ports) among those the share is of.
    pub found: u64,
    /// The count of all the share is of.
    pub total: u64,
    /// `found / total` (0 when nothing was counted).
    pub share: f64,
    /// The cap.
    pub max_share: f64,
    /// Whether the share is over the cap.
    pub exceeded: bool,
    /// Devices left out of the figures because what would count them is unknown: the group's
    /// devices whose context does not say (technology or role unknown), and devices the share
    /// is of whose maker is unknown (they may be the group's). Named so a person can settle
    /// them.
    pub unsettled: u64,
}

/// What the policies said of a device: the verdict and the findings behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// The policy findings behind it.
    #[serde(default)]
    pub findings: Vec<Finding>,
}

/// The judgement of a record observed by discovery and not judged yet: none (it writes no
/// field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotJudged;
