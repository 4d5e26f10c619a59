//! `netorigin listen`: identify the devices heard in LLDP and CDP frames, from a capture file
//! or live on an interface, with no packet sent ([`crate::pipeline::listen`]).

use std::path::PathBuf;

use clap::Args;

use crate::pipeline::Failure;
use crate::pipeline::listen::{Listening, listen};

/// Options of `listen`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["pcap", "interface"]))]
pub struct ListenArgs {
    /// A capture file (pcap or pcapng) to read LLDP and CDP frames from.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<PathBuf>,
    /// A network interface to listen on (Linux; needs CAP_NET_RAW: run as root, or
    /// `setcap cap_net_raw+ep` the binary). The interface is put in promiscuous mode while
    /// listening, as tcpdump does. Nothing is sent.
    #[arg(long, value_name = "IF")]
    pub interface: Option<String>,
    /// How long to listen on --interface, in seconds. LLDP agents send every 30 s and CDP
    /// agents every 60 s by default, so the default hears every neighbour at least once.
    #[arg(long, value_name = "S", default_value_t = 61, requires = "interface",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub duration: u64,
    /// Stop listening as soon as this many distinct devices have been heard.
    #[arg(long, value_name = "N", requires = "interface",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub until_heard: Option<u64>,
    /// Save the LLDP and CDP frames heard on --interface to this pcap file, as evidence that
    /// `listen --pcap` reads again.
    #[arg(long, value_name = "FILE", requires = "interface")]
    pub save_pcap: Option<PathBuf>,
    /// Report options.
    #[command(flatten)]
    pub output: super::OutputArgs,
    /// Policy options.
    #[command(flatten)]
    pub policy: super::PolicyArgs,
}

/// Runs `listen`.
pub async fn listen_command(args: ListenArgs) -> Result<(), Failure> {
    listen(Listening {
        pcap: args.pcap,
        interface: args.interface,
        duration: args.duration,
        until_heard: args.until_heard,
        save_pcap: args.save_pcap,
        output: args.output.report(),
        policy: args.policy.policies(),
    })
    .await
}
