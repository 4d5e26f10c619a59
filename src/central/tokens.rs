//! Sites and tokens. A token is `no1_` and 64 hex digits of 32 random bytes; it is returned
//! once and only its SHA-256 is stored, so the database (and its backups) cannot be used to
//! upload or read.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Central, CentralError, query_error, valid_site};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Upload its own site's sweeps, nothing else.
    Site,
    /// Read the fleet views.
    Viewer,
    /// Manage sites and tokens, and read.
    Admin,
}

impl Role {
    /// As stored and shown: `site`, `viewer`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Site => "site",
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        [Role::Site, Role::Viewer, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Who a token is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// What it may do.
    pub role: Role,
    /// For a site token, its site.
    pub site: Option<String>,
}

/// The token prefix: says what the string is when it turns up somewhere it should not.
const PREFIX: &str = "no1_";

/// A fresh token: `no1_` and 64 hex digits of 32 bytes from the system's randomness.
fn new_token() -> Result<String, CentralError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| CentralError::Query(format!("no randomness for a token: {e}")))?;
    let mut token = String::with_capacity(PREFIX.len() + 64);
    token.push_str(PREFIX);
    crate::wire::push_hex(&mut token, &bytes);
    Ok(token)
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl Central {
    /// Adds a site and returns its upload token, the only time it is shown. A site that
    /// exists is [`CentralError::SiteExists`]; a name that cannot be one is
    /// [`CentralError::BadSite`].
    pub async fn add_site(&self, name: &str) -> Result<String, CentralError> {
        if !valid_site(name) {
            return Err(CentralError::BadSite(name.to_string()));
        }
        let token = new_token()?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(query_error)?;
        let row = tx
            .query_opt(
                "INSERT INTO site (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
                &[&name],
            )
            .await
            .map_err(query_error)?;
        let Some(row) = row else {
            return Err(CentralError::SiteExists(name.to_string()));
        };
        let id: i64 = row.get(0);
        tx.execute(
            "INSERT INTO token (hash, role, site_id, label) VALUES ($1, 'site', $2, $3)",
            &[&hash(&token), &id, &format!("site {name}")],
        )
        .await
        .map_err(query_error)?;
        tx.commit().await.map_err(query_error)?;
        Ok(token)
    }

    /// Adds a viewer or admin token labelled `label` and returns it, the only time it is
    /// shown. A site token comes with its site ([`Central::add_site`]).
    pub async fn add_token(&self, role: Role, label: &str) -> Result<String, CentralError> {
        if role == Role::Site {
            return Err(CentralError::BadRole(
                "a site token comes with its site: `netorigin server site add NAME`".into(),
            ));
        }
        let token = new_token()?;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO token (hash, role, label) VALUES ($1, $2, $3)",
                &[&hash(&token), &role.as_str(), &label],
            )
            .await
            .map_err(query_error)?;
        Ok(token)
    }

    /// Who `token` is, if it is one of ours.
    pub async fn principal(&self, token: &str) -> Result<Option<Principal>, CentralError> {
        if !token.starts_with(PREFIX) {
            return Ok(None);
        }
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT t.role, s.name FROM token t LEFT JOIN site s ON s.id = t.site_id
                 WHERE t.hash = $1",
                &[&hash(token)],
            )
            .await
            .map_err(query_error)?;
        Ok(row.and_then(|r| {
            let role: String = r.get(0);
            Some(Principal {
                role: Role::parse(&role)?,
                site: r.get(1),
            })
        }))
    }

    /// Every site's name, in order.
    pub async fn sites(&self) -> Result<Vec<String>, CentralError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT name FROM site ORDER BY name", &[])
            .await
            .map_err(query_error)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }
}
