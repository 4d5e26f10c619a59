//! Writing a bundle: the header, each device as it comes, the trailer; gzip around it all.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;

use super::{BundleError, FORMAT, Limits, SweepHeader, hostile};
use crate::record::DeviceRecord;

/// Writes a bundle one device at a time, so a sweep of any size is never held whole: the
/// header when made, each [`Writer::device`] as a line, the trailer at [`Writer::finish`].
pub struct Writer<W: Write> {
    gz: GzEncoder<W>,
    line: u64,
    devices: u64,
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
        #[derive(Serialize)]
        struct Device<'a> {
            device: &'a DeviceRecord,
        }
        self.line(&Device { device })?;
        self.devices += 1;
        Ok(())
    }

    /// Devices written so far.
    pub fn devices(&self) -> u64 {
        self.devices
    }

    /// Writes the trailer with the count of devices, ends the gzip stream, and gives back the
    /// inner writer.
    pub fn finish(mut self) -> Result<W, BundleError> {
        self.line(&serde_json::json!({"end": {"devices": self.devices}}))?;
        self.gz.finish().map_err(io)
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
