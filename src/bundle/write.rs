//! Writing a bundle: the header, each device as it comes, the ledger's items and entries, the
//! trailer; gzip around it all.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;

use super::{
    BundleError, FORMAT, LedgerEntryLine, LedgerItemLine, Limits, Line, SweepHeader, hostile,
};
use crate::record::DeviceRecord;

/// Writes a bundle one line at a time, so a sweep of any size is never held whole: the header
/// when made, each [`Writer::device`], then each [`Writer::ledger_item`], then each
/// [`Writer::ledger_entry`] as a line (in that order: a line out of it is an error), the
/// trailer at [`Writer::finish`].
pub struct Writer<W: Write> {
    gz: GzEncoder<W>,
    line: u64,
    devices: u64,
    items: u64,
    entries: u64,
    buf: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Starts a bundle of `header`'s sweep on `out`. The header is checked first
    /// ([`SweepHeader::check`]): a bundle is never written that a reader would refuse for it.
    pub fn new(header: &SweepHeader, out: W) -> Result<Writer<W>, BundleError> {
        header.check()?;
        let mut writer = Writer {
            gz: GzEncoder::new(out, Compression::default()),
            line: 0,
            devices: 0,
            items: 0,
            entries: 0,
            buf: Vec::new(),
        };
        #[derive(Serialize)]
        struct Head<'a> {
            netorigin_bundle: u32,
            sweep: &'a SweepHeader,
        }
        writer.line(&Head {
            netorigin_bundle: FORMAT,
            sweep: header,
        })?;
        Ok(writer)
    }

    /// Writes one device. Its record is written as the sweep's JSON report has it, made fit
    /// for any reader with the default [`Limits`]: a control character other than tab, line
    /// feed and carriage return (device text, as a record's evidence keeps it) is written as
    /// `\xNN`, and a string over [`Limits::max_string`] is cut, ending in `… (cut)`. A record
    /// whose line would still be over [`Limits::max_line`] is an error here rather than a
    /// refusal at the server.
    pub fn device(&mut self, device: &DeviceRecord) -> Result<(), BundleError> {
        if self.items + self.entries > 0 {
            return Err(self.out_of_order("a device after the ledger's lines"));
        }
        #[derive(Serialize)]
        struct Device<'a> {
            device: &'a DeviceRecord,
        }
        self.line(&Device { device })?;
        self.devices += 1;
        Ok(())
    }

    /// Writes one item of the site's removal ledger, after the devices. Its text is made fit
    /// as a device's is; an item a reader would refuse ([`LedgerItemLine::check`]) is an error.
    pub fn ledger_item(&mut self, item: &LedgerItemLine) -> Result<(), BundleError> {
        if self.entries > 0 {
            return Err(self.out_of_order("a ledger item after the ledger's entries"));
        }
        item.check().map_err(|reason| self.refused(reason))?;
        #[derive(Serialize)]
        struct Item<'a> {
            ledger_item: &'a LedgerItemLine,
        }
        self.line(&Item { ledger_item: item })?;
        self.items += 1;
        Ok(())
    }

    /// Writes one step of the site's removal ledger, after its items (oldest first, as the
    /// caller gives them). Who recorded it and its note are people's text, made fit as device
    /// text is; an entry a reader would refuse ([`LedgerEntryLine::check`]) is an error.
    pub fn ledger_entry(&mut self, entry: &LedgerEntryLine) -> Result<(), BundleError> {
        entry.check().map_err(|reason| self.refused(reason))?;
        #[derive(Serialize)]
        struct Entry<'a> {
            ledger_entry: &'a LedgerEntryLine,
        }
        self.line(&Entry {
            ledger_entry: entry,
        })?;
        self.entries += 1;
        Ok(())
    }

    /// Writes a line as read ([`super::Line`]): a device, a ledger item or a ledger entry.
    pub fn write_line(&mut self, line: &Line) -> Result<(), BundleError> {
        match line {
            Line::Device(d) => self.device(d),
            Line::LedgerItem(i) => self.ledger_item(i),
            Line::LedgerEntry(e) => self.ledger_entry(e),
        }
    }

    /// Devices written so far.
    pub fn devices(&self) -> u64 {
        self.devices
    }

    /// Ledger items written so far.
    pub fn ledger_items(&self) -> u64 {
        self.items
    }

    /// Ledger entries written so far.
    pub fn ledger_entries(&self) -> u64 {
        self.entries
    }

    /// Writes the trailer with the counts of devices, ledger items and ledger entries, ends
    /// the gzip stream, and gives back the inner writer.
    pub fn finish(mut self) -> Result<W, BundleError> {
        #[derive(Serialize)]
        struct Counts {
            devices: u64,
            ledger_items: u64,
            ledger_entries: u64,
        }
        #[derive(Serialize)]
        struct End {
            end: Counts,
        }
        self.line(&End {
            end: Counts {
                devices: self.devices,
                ledger_items: self.items,
                ledger_entries: self.entries,
            },
        })?;
        self.gz.finish().map_err(io)
    }

    fn out_of_order(&self, what: &str) -> BundleError {
        BundleError::Json {
            line: self.line + 1,
            reason: format!(
                "{what}: a bundle's devices come first, then the ledger's items, then its entries"
            ),
        }
    }

    fn refused(&self, reason: String) -> BundleError {
        BundleError::Json {
            line: self.line + 1,
            reason,
        }
    }

    /// Writes one line: serialised as it is (fields in the type's order), and only when that
    /// would not pass a reader's checks, made fit first.
    fn line(&mut self, line: &impl Serialize) -> Result<(), BundleError> {
        self.line += 1;
        let limits = Limits::default();
        let json = |e: serde_json::Error| BundleError::Json {
            line: self.line,
            reason: e.to_string(),
        };
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, line).map_err(json)?;
        let mut value: serde_json::Value = serde_json::from_slice(&self.buf).map_err(json)?;
        if hostile::check(&value, &limits).is_err() {
            hostile::fit(&mut value, limits.max_string);
            hostile::check(&value, &limits).map_err(|reason| BundleError::Hostile {
                line: self.line,
                reason,
            })?;
            self.buf.clear();
            serde_json::to_writer(&mut self.buf, &value).map_err(json)?;
        }
        if self.buf.len() > limits.max_line {
            return Err(BundleError::LineTooLong {
                line: self.line,
                limit: limits.max_line,
            });
        }
        self.buf.push(b'\n');
        self.gz.write_all(&self.buf).map_err(io)
    }
}

fn io(e: std::io::Error) -> BundleError {
    BundleError::Io(e.to_string())
}

/// Writes a bundle of `header`'s sweep with `devices` (in the order given) to `out`, gzipped,
/// and gives back `out`. See [`Writer`] for what is made of each record.
pub fn write<'a, W: Write>(
    header: &SweepHeader,
    devices: impl IntoIterator<Item = &'a DeviceRecord>,
    out: W,
) -> Result<W, BundleError> {
    let mut writer = Writer::new(header, out)?;
    for d in devices {
        writer.device(d)?;
    }
    writer.finish()
}
