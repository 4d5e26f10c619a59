//! Reading IEEE's registry CSVs into an [`OuiRegistry`], every malformed row an error naming
//! its file and line.

use super::{Assignment, HEADER, OuiError, OuiRegistry, Registry};

impl OuiRegistry {
    /// Adds the rows of one CSV; returns how many it held.
    pub(super) fn add_csv(&mut self, file: &str, text: &str) -> Result<usize, OuiError> {
        let malformed = |line: u64, reason: String| OuiError::Malformed {
            file: file.to_string(),
            line,
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut lines = LineCounter::new(text);
        let mut header = false;
        let mut rows = 0;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| lines.record_at(p.byte()));
                    return Err(malformed(line, format!("not CSV: {e}")));
                }
            }
            let line = record.position().map_or(0, |p| lines.record_at(p.byte()));
            if !header {
                let fields: Vec<&str> = record
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        if i == 0 {
                            f.trim_start_matches('\u{feff}')
                        } else {
                            f
                        }
                    })
                    .map(str::trim)
                    .collect();
                if fields != HEADER {
                    return Err(malformed(
                        line,
                        format!(
                            "expected the header {} of IEEE's registry CSVs",
                            HEADER.join(",")
                        ),
                    ));
                }
                header = true;
                continue;
            }
            if record.len() != HEADER.len() {
                return Err(malformed(
                    line,
                    format!(
                        "expected 4 columns ({}), found {}",
                        HEADER.join(","),
                        record.len()
                    ),
                ));
            }
            let Some(registry) = Registry::from_name(record[0].trim()) else {
                return Err(malformed(
                    line,
                    format!(
                        "expected the registry MA-L, MA-M, MA-S, IAB or CID, found {:?}",
                        &record[0]
                    ),
                ));
            };
            let prefix = record[1].trim();
            if prefix.len() != registry.digits() || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(malformed(
                    line,
                    format!(
                        "expected {} hex digits for a {registry} assignment, found {prefix:?}",
                        registry.digits()
                    ),
                ));
            }
            let organization = record[2].trim();
            if organization.is_empty() {
                return Err(malformed(line, "expected an organization name".into()));
            }
            self.insert(Assignment {
                registry,
                prefix: prefix.to_ascii_uppercase(),
                organization: organization.to_string(),
            });
            rows += 1;
        }
        if !header {
            return Err(malformed(
                1,
                format!(
                    "empty file: expected the header {} of IEEE's registry CSVs",
                    HEADER.join(",")
                ),
            ));
        }
        Ok(rows)
    }
}

/// Line numbers of records from their byte offsets. The `csv` crate's own line count lags by
/// one after a CRLF record end (it takes the LF as the start of the next record), and IEEE's
/// files end lines with CRLF.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record that starts at `byte` (or after the line ends there), from 1.
    /// Offsets must not decrease from one call to the next.
    fn record_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .clamp(self.offset, self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let skipped = self.text.get(self.offset..start).unwrap_or_default();
        self.line += skipped.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = start;
        self.line
    }
}
