//! `netorigin evidence keygen | pack | verify`: signed evidence packs of a stored sweep
//! ([`crate::pipeline::evidence`]).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::pipeline::Failure;
use crate::pipeline::evidence::{PackOptions, keygen, pack, verify};
use crate::pipeline::history::SweepRef;

/// `netorigin evidence`.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EvidenceCommand,
}

/// The evidence commands.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Make an Ed25519 signing key: PREFIX.key (private, mode 0600) and PREFIX.pub (give it to
    /// whoever checks the packs). Existing files are never overwritten.
    Keygen {
        /// Where the two files go: PREFIX.key and PREFIX.pub.
        #[arg(short = 'o', long = "output", value_name = "PREFIX")]
        prefix: PathBuf,
    },
    /// Pack a stored sweep's saved walks (`sweep --save-walks DIR`), the captures given, its
    /// reports (JSON Lines, CSV, HTML) and the removal ledger into one signed file, with the
    /// SHA-256 of every file in it (SHA256SUMS, which `sha256sum -c` checks).
    Pack {
        /// The sweep: its number, or `last`.
        #[arg(value_name = "SWEEP", value_parser = super::history::parse_sweep_ref)]
        sweep: SweepRef,
        /// The pack's file (a gzip'd tar); it must not exist yet.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// The private key to sign with (PREFIX.key from `evidence keygen`; refused if others
        /// than its owner can read it).
        #[arg(long, value_name = "PREFIX.key")]
        key: PathBuf,
        /// The history database. Default: netorigin.db in the data folder.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// A capture (pcap or pcapng) to pack as it is (repeatable), e.g. from `listen
        /// --save-pcap`.
        #[arg(long = "capture", value_name = "FILE")]
        captures: Vec<PathBuf>,
    },
    /// Check a pack offline: every file's SHA-256, files added or removed, and the signature
    /// (by the key the pack names, or by --key). Exit 0 when it is as signed, 1 naming each
    /// file that differs, 2 when the file is no pack.
    Verify {
        /// The pack.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The public key the pack must be signed by (PREFIX.pub). Without it the signature is
        /// checked against the key the pack itself names, which proves only that the pack is
        /// whole: give --key to know who signed it.
        #[arg(long, value_name = "PUB")]
        key: Option<PathBuf>,
    },
}

/// Runs an evidence command.
pub fn evidence_command(args: EvidenceArgs) -> Result<(), Failure> {
    match args.command {
        EvidenceCommand::Keygen { prefix } => keygen(&prefix),
        EvidenceCommand::Pack {
            sweep,
            output,
            key,
            db,
            captures,
        } => pack(&PackOptions {
            db,
            sweep,
            output,
            key,
            captures,
        }),
        EvidenceCommand::Verify { file, key } => verify(&file, key.as_deref()),
    }
}
