//! Prometheus metrics of a scheduler, in the text exposition format (version 0.0.4): devices
//! of the last complete sweep by verdict and vendor, when the last sweep ended and how long it
//! took, sweeps by how they ended, and errors.

use std::collections::BTreeMap;
use std::fmt::Write;

/// What a scheduler knows of its sweeps.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// Devices of the last complete sweep, by (verdict, vendor).
    pub devices: BTreeMap<(String, String), u64>,
    /// Sweeps run, by how they ended (`complete`, `interrupted`, `failed`).
    pub sweeps: BTreeMap<&'static str, u64>,
    /// Sweeps that failed or could not be stored.
    pub errors: u64,
    /// When the last sweep ended (Unix seconds).
    pub last_sweep_end: Option<f64>,
    /// How long the last sweep took (seconds).
    pub last_sweep_duration: Option<f64>,
    /// The last sweep's addresses probed, answered and silent.
    pub last_addresses: Option<(u64, u64, u64)>,
    /// The last sweep's requests that timed out.
    pub last_timeouts: Option<u64>,
    /// When the next sweep is due (Unix seconds).
    pub next_sweep: Option<f64>,
    /// The removal ledger's items by state, after the last sweep (empty: no ledger read).
    pub ledger: BTreeMap<&'static str, u64>,
    /// Ledger items a sweep saw again after they were marked off the network.
    pub ledger_reappeared: u64,
    /// Ledger items still on the network that sweeps of their range no longer see.
    pub ledger_unconfirmed_absent: u64,
}

/// A label value with `\`, `"` and newlines escaped, as the format asks.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// The removal ledger's gauges, when a ledger was read.
    fn render_ledger(&self, o: &mut String) {
        if self.ledger.is_empty() {
            return;
        }
        let _ = writeln!(
            o,
            "# HELP netorigin_ledger_items Banned and review gear in the removal ledger, by state.\n# TYPE netorigin_ledger_items gauge"
        );
        for (state, n) in &self.ledger {
            let _ = writeln!(o, "netorigin_ledger_items{{state=\"{state}\"}} {n}");
        }
        for (name, help, v) in [
            (
                "netorigin_ledger_reappeared",
                "Ledger items a sweep saw again after they were marked off the network.",
                self.ledger_reappeared,
            ),
            (
                "netorigin_ledger_unconfirmed_absent",
                "Ledger items still on the network that sweeps of their range no longer see.",
                self.ledger_unconfirmed_absent,
            ),
        ] {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
    }

    /// The metrics as the text exposition format.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let head = |o: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        head(
            &mut o,
            "netorigin_devices",
            "gauge",
            "Devices found by the last complete sweep, by verdict and vendor.",
        );
        for ((verdict, vendor), n) in &self.devices {
            let _ = writeln!(
                o,
                "netorigin_devices{{verdict=\"{}\",vendor=\"{}\"}} {n}",
                label(verdict),
                label(vendor)
            );
        }
        head(
            &mut o,
            "netorigin_sweeps_total",
            "counter",
            "Sweeps this scheduler ran, by how they ended.",
        );
        for status in ["complete", "interrupted", "failed"] {
            let n = self.sweeps.get(status).copied().unwrap_or(0);
            let _ = writeln!(o, "netorigin_sweeps_total{{status=\"{status}\"}} {n}");
        }
        head(
            &mut o,
            "netorigin_sweep_errors_total",
            "counter",
            "Sweeps that failed or could not be stored.",
        );
        let _ = writeln!(o, "netorigin_sweep_errors_total {}", self.errors);
        let gauge = |o: &mut String, name: &str, help: &str, v: Option<f64>| {
            if let Some(v) = v {
                let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            }
        };
        gauge(
            &mut o,
            "netorigin_last_sweep_timestamp_seconds",
            "When the last sweep ended (Unix time).",
            self.last_sweep_end,
        );
        gauge(
            &mut o,
            "netorigin_last_sweep_duration_seconds",
            "How long the last sweep took.",
            self.last_sweep_duration,
        );
        gauge(
            &mut o,
            "netorigin_last_sweep_timeouts",
            "Requests of the last sweep that timed out.",
            self.last_timeouts.map(|t| t as f64),
        );
        gauge(
            &mut o,
            "netorigin_next_sweep_timestamp_seconds",
            "When the next sweep is due (Unix time).",
            self.next_sweep,
        );
        self.render_ledger(&mut o);
        if let Some((probed, answered, silent)) = self.last_addresses {
            head(
                &mut o,
                "netorigin_last_sweep_addresses",
                "gauge",
                "Addresses of the last sweep: probed, answered, silent.",
            );
            for (state, n) in [
                ("probed", probed),
                ("answered", answered),
                ("silent", silent),
            ] {
                let _ = writeln!(o, "netorigin_last_sweep_addresses{{state=\"{state}\"}} {n}");
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_exposition_format_with_escaped_labels() {
        let mut m = Metrics::default();
        m.devices.insert(("banned".into(), "Huawei".into()), 3);
        m.devices
            .insert(("clear".into(), "A \"quoted\"\\vendor\n".into()), 1);
        m.sweeps.insert("complete", 2);
        m.last_sweep_duration = Some(1.5);
        let text = m.render();
        assert!(text.contains("netorigin_devices{verdict=\"banned\",vendor=\"Huawei\"} 3\n"));
        assert!(
            text.contains(r#"vendor="A \"quoted\"\\vendor\n"} 1"#),
            "{text}"
        );
        assert!(text.contains("netorigin_sweeps_total{status=\"complete\"} 2\n"));
        assert!(text.contains("netorigin_sweeps_total{status=\"failed\"} 0\n"));
        assert!(text.contains("netorigin_last_sweep_duration_seconds 1.5\n"));
        assert!(!text.contains("netorigin_last_sweep_timestamp_seconds"));
        // Every sample line names a metric that has a TYPE line.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(text.contains(&format!("# TYPE {name} ")), "{line}");
        }
    }
}
