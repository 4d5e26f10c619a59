//! The `netorigin` binary: parse the command line, run it, map failures to exit codes
//! (0 success, 1 failure, 2 bad input from a person).
#![forbid(unsafe_code)]

use clap::Parser;
use netorigin::cli::{Cli, run};

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            // A silent address is not an error: the client's own timeout logs stay off unless asked.
            tracing_subscriber::EnvFilter::try_from_env("NETORIGIN_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,netorigin::server=info,async_snmp=off")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("netorigin: cannot start: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        if !e.is_quiet() {
            eprintln!("netorigin: {e}");
        }
        std::process::exit(e.exit_code());
    }
}
