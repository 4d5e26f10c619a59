//! `netorigin server`, `netorigin upload` and `netorigin fleet`: the central server, a site's
//! uploads to it, and the fleet views read from it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::OutputArgs;
use crate::central::Role;
use crate::pipeline::{Failure, other, usage};
use crate::server::Client;

/// `netorigin server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ServerCommand,
}

/// The server's commands.
#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Serve the API: bundles from sites in, fleet views out.
    Run(RunArgs),
    /// Sites that upload.
    Site {
        /// What to do.
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Tokens that read (viewer) or manage (admin).
    Token {
        /// What to do.
        #[command(subcommand)]
        command: TokenCommand,
    },
}

/// The database a server command uses. `Debug` leaves out the URL, which may hold a password.
#[derive(Args)]
pub struct DatabaseArgs {
    /// PostgreSQL's URL (postgres://USER@HOST:PORT/DB). Default: $NETORIGIN_DATABASE_URL, which
    /// keeps a password out of the process list.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

impl std::fmt::Debug for DatabaseArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseArgs")
            .field("database", &self.database.as_ref().map(|_| "<not shown>"))
            .finish()
    }
}

impl DatabaseArgs {
    fn url(&self) -> Result<String, Failure> {
        crate::pipeline::server::database_url(self.database.as_deref())
    }
}

/// `netorigin server run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Where to listen.
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// The server's certificate chain (PEM), for TLS.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Serve plain HTTP on a non-loopback address (tokens cross the network in clear): only
    /// behind a TLS proxy or on a protected path.
    #[arg(long, conflicts_with = "cert")]
    pub insecure_http: bool,
    /// The largest bundle accepted, in MiB as sent (gzip); larger ones are refused with 413.
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub max_bundle_mib: u64,
}

/// `netorigin server site`.
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a site; its upload token is printed once (the server keeps only its hash).
    Add {
        /// The site's name, as its collectors give it with `--site`.
        name: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// `netorigin server token`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token; it is printed once (the server keeps only its hash).
    Add {
        /// A token that reads the fleet views.
        #[arg(long, conflicts_with = "admin", required_unless_present = "admin")]
        viewer: bool,
        /// A token that manages sites (and reads).
        #[arg(long)]
        admin: bool,
        /// Who or what the token is for, kept beside its hash.
        #[arg(long, default_value = "")]
        label: String,
        /// The database.
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// How to reach a server: its URL, the CA that signed its certificate, the token.
#[derive(Debug, Args)]
pub struct ServerClientArgs {
    /// The CA certificate (PEM) the server's certificate is checked against. Default: the
    /// system's trusted roots.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// A file holding the token (its first line). Default: $NETORIGIN_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Allow http:// to a server that is not on loopback (the token crosses in clear).
    #[arg(long)]
    pub insecure_http: bool,
}

impl ServerClientArgs {
    /// The client of the server at `url`.
    pub fn client(&self, url: &str) -> Result<Client, Failure> {
        let token = crate::pipeline::upload::token(self.token_file.as_deref())?;
        Client::new(url, token, self.ca.as_deref(), self.insecure_http).map_err(usage)
    }
}

/// `netorigin upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The server's URL (https://HOST:PORT).
    #[arg(value_name = "URL")]
    pub url: String,
    /// The history database whose sweeps are sent. Default: netorigin.db in the data folder.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Upload every sweep as this site's (a field engineer's laptop database), instead of the
    /// site each sweep was made with (`sweep --site`).
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// How long to keep retrying, with back-off, while the server is unreachable.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub retry_for: Duration,
    /// The server's client options.
    #[command(flatten)]
    pub client: ServerClientArgs,
}

/// `--upload` on `sweep` and `schedule`: after storing, send what the server lacks.
#[derive(Debug, Args)]
pub struct UploadAfterArgs {
    /// After each stored sweep, send every stored sweep the server does not have yet to this
    /// server (https://HOST:PORT); when it is unreachable they wait for the next time.
    #[arg(long, value_name = "URL")]
    pub upload: Option<String>,
    /// How long one upload keeps retrying, with back-off, while the server is unreachable.
    #[arg(long = "upload-retry-for", value_name = "DURATION", default_value = "1m", value_parser = parse_duration)]
    pub upload_retry_for: Duration,
    /// The server's client options.
    #[command(flatten)]
    pub client: ServerClientArgs,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    if s == "0" || s == "0s" {
        return Ok(Duration::ZERO);
    }
    crate::cron::parse_duration(s).map_err(|e| e.to_string())
}

/// `netorigin fleet`.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// What to show.
    #[command(subcommand)]
    pub view: FleetView,
}

/// The fleet's views.
#[derive(Debug, Subcommand)]
pub enum FleetView {
    /// Per site and in total: devices by verdict, overdue, removed, moved in.
    Summary(FleetCommon),
    /// The current devices of every site, worst first, a page at a time.
    Devices {
        /// The page.
        #[command(flatten)]
        page: PageArgs,
        /// The rest.
        #[command(flatten)]
        common: FleetCommon,
    },
    /// What changed since a day: devices new, removed, moved between sites, changed.
    Diff {
        /// The day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
        since: crate::date::Date,
        /// The rest.
        #[command(flatten)]
        common: FleetCommon,
    },
    /// Current devices past a finding's deadline, a page at a time.
    Overdue {
        /// The page.
        #[command(flatten)]
        page: PageArgs,
        /// The rest.
        #[command(flatten)]
        common: FleetCommon,
    },
}

/// Which page of a list of devices.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// The page, from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,
    /// Devices a page.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub per_page: u32,
}

/// What every fleet view takes.
#[derive(Debug, Args)]
pub struct FleetCommon {
    /// The server's URL (https://HOST:PORT).
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// Only this site.
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// Only this vendor.
    #[arg(long, value_name = "NAME")]
    pub vendor: Option<String>,
    /// Only this verdict.
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub verdict: Option<crate::pipeline::fleet::VerdictArg>,
    /// Only this model.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Judge deadlines as of this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub today: Option<crate::date::Date>,
    /// The server's client options.
    #[command(flatten)]
    pub client: ServerClientArgs,
    /// Report options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `netorigin server ...`.
pub async fn server_command(args: ServerArgs) -> Result<(), Failure> {
    use crate::pipeline::server;
    match args.command {
        ServerCommand::Run(a) => {
            let options = server::ServerOptions {
                database: a.database.url()?,
                listen: a.listen,
                tls: a.cert.zip(a.key),
                insecure_http: a.insecure_http,
                max_bundle: a.max_bundle_mib << 20,
            };
            server::run(options).await
        }
        ServerCommand::Site {
            command: SiteCommand::Add { name, database },
        } => {
            let token = server::add_site(&database.url()?, &name).await?;
            println!("{token}");
            eprintln!(
                "site {name} added: its token is above, shown this once (the server keeps only its hash)"
            );
            Ok(())
        }
        ServerCommand::Token {
            command:
                TokenCommand::Add {
                    viewer: _,
                    admin,
                    label,
                    database,
                },
        } => {
            let role = if admin { Role::Admin } else { Role::Viewer };
            let token = server::add_token(&database.url()?, role, &label).await?;
            println!("{token}");
            eprintln!(
                "{} token added: shown this once (the server keeps only its hash)",
                if admin { "an admin" } else { "a viewer" }
            );
            Ok(())
        }
    }
}

/// Runs `netorigin upload`.
pub async fn upload_command(args: UploadArgs) -> Result<(), Failure> {
    let db = match args.db {
        Some(db) => db,
        None => {
            crate::store::default_path().ok_or_else(|| other("no data folder: give --db FILE"))?
        }
    };
    if let Some(site) = &args.site {
        crate::bundle::check_site(site).map_err(|e| usage(format!("--site: {e}")))?;
    }
    let options = crate::pipeline::upload::UploadOptions {
        client: args.client.client(&args.url)?,
        site: args.site,
        retry_for: args.retry_for,
    };
    let done = crate::pipeline::upload::upload(&db, &options).await?;
    eprintln!(
        "upload: {} sent, {} the server had already",
        crate::words::count(done.sent.len() as u64, "sweep", "sweeps"),
        done.already
    );
    Ok(())
}

/// Runs `netorigin fleet ...`.
pub async fn fleet_command(args: FleetArgs) -> Result<(), Failure> {
    use crate::pipeline::fleet::{self, Query};
    let (query, common) = match args.view {
        FleetView::Summary(c) => (Query::Summary, c),
        FleetView::Devices { page, common } => (
            Query::Devices {
                page: page.page,
                per_page: page.per_page,
            },
            common,
        ),
        FleetView::Diff { since, common } => (Query::Diff { since }, common),
        FleetView::Overdue { page, common } => (
            Query::Overdue {
                page: page.page,
                per_page: page.per_page,
            },
            common,
        ),
    };
    let client = common.client.client(&common.server)?;
    let filter = fleet::Filters {
        site: common.site,
        vendor: common.vendor,
        verdict: common.verdict,
        model: common.model,
        on: common.today,
    };
    fleet::fleet(&client, query, &filter, &common.output.report()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_database_url() {
        let url = "postgres://netorigin:hunter2@db.example.net/netorigin";
        let args = DatabaseArgs {
            database: Some(url.into()),
        };
        let options = crate::pipeline::server::ServerOptions {
            database: url.into(),
            listen: "127.0.0.1:8443".parse().unwrap(),
            tls: None,
            insecure_http: false,
            max_bundle: 1,
        };
        for shown in [format!("{args:?}"), format!("{options:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("not shown"), "{shown}");
        }
    }
}
