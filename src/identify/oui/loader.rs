//! Reading IEEE's registry CSVs into an [`OuiRegistry`], every malformed row an error naming
//! its file and line.

use std::borrow::Cow;

use super::{Assignment, HEADER, OuiError, OuiRegistry, Registry};

impl OuiRegistry {
    /// Adds the rows of one CSV; returns how many it held.
    pub(super) fn add_csv(&mut self, file: &str, text: &str) -> Result<usize, OuiError> {
        let malformed = |line: u64, reason: String| OuiError::Malformed {
            file: file.to_string(),
            line,
            reason,
        };
        // IEEE's rows are 80 to 110 bytes.
        self.reserve(text.len() / 100);
        let mut records = Records::new(text);
        let mut record: Vec<Cow<'_, str>> = Vec::with_capacity(HEADER.len());
        let mut header = false;
        let mut rows = 0;
        loop {
            let line = match records.next_into(&mut record) {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err((line, e)) => return Err(malformed(line, format!("not CSV: {e}"))),
            };
            if !header {
                let fields: Vec<&str> = record
                    .iter()
                    .map(|f| f.as_ref())
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

/// The records of a CSV text as the `csv` crate reads them (no header row, rows of any
/// length): a byte order mark at the start dropped, fields separated by commas, a field in
/// double quotes may hold commas, line breaks and doubled quotes, a record ends at CR, LF or
/// CRLF, blank lines are skipped. Each comes with the line it starts on, counted in LFs (the
/// `csv` crate's own count lags by one after a CRLF record end, and IEEE's files end lines
/// with CRLF); the first record after a byte order mark is said to be on line 1 whatever
/// blank lines follow the mark, as this loader said when it read through the `csv` crate alone.
///
/// A record is read here when each of its fields is unquoted and free of quotes, or quoted on
/// one line and followed by a comma or the record's end: every line of the bundled files. Any
/// other (a quote inside an unquoted field, text after a closing quote, a quoted line break,
/// a quote left open) is read by the `csv` crate, from the record's start.
pub(super) struct Records<'a> {
    text: &'a str,
    /// Where the next record is looked for.
    at: usize,
    /// The line `at` is on, from 1.
    line: u64,
    /// Whether the text opened with a byte order mark and no record has been read.
    bom: bool,
}

impl<'a> Records<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let bom = text.starts_with('\u{feff}');
        Records {
            text,
            at: if bom { '\u{feff}'.len_utf8() } else { 0 },
            line: 1,
            bom,
        }
    }

    /// The next record's fields into `fields` (cleared first), and the line it starts on;
    /// `None` after the last. An error is the `csv` crate's, with its record's line (it has
    /// none but I/O and UTF-8 errors, which text already read as UTF-8 cannot have).
    pub(super) fn next_into(
        &mut self,
        fields: &mut Vec<Cow<'a, str>>,
    ) -> Result<Option<u64>, (u64, csv::Error)> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.at)
            && matches!(b, b'\r' | b'\n')
        {
            self.line += u64::from(b == b'\n');
            self.at += 1;
        }
        if self.at == bytes.len() {
            return Ok(None);
        }
        let line = if std::mem::take(&mut self.bom) {
            1
        } else {
            self.line
        };
        fields.clear();
        let end = match quick_record(self.text, self.at, fields) {
            Some(end) => end,
            None => {
                fields.clear();
                let rest = &self.text[self.at..];
                let taken =
                    csv_record(rest, fields).map_err(|e| (e.position().map_or(0, |_| line), e))?;
                // A quoted field may hold line breaks.
                self.line += rest.as_bytes()[..taken]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                self.at + taken
            }
        };
        self.at = end;
        Ok(Some(line))
    }
}

/// The record that starts at byte `start` (not a CR or LF) into `fields`, if it has only the
/// simple fields [`Records`] reads itself; returns where it ends (its CR or LF, or the end of
/// the text). `None` for any other record, `fields` then holding part of it.
fn quick_record<'a>(text: &'a str, start: usize, fields: &mut Vec<Cow<'a, str>>) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = start;
    loop {
        let field_end = if bytes.get(at) == Some(&b'"') {
            let (field, close) = quoted(text, at)?;
            fields.push(field);
            close + 1
        } else {
            let end = next_special(bytes, at);
            fields.push(Cow::Borrowed(&text[at..end]));
            end
        };
        match bytes.get(field_end) {
            Some(b',') => at = field_end + 1,
            Some(b'\r' | b'\n') | None => return Some(field_end),
            Some(_) => return None,
        }
    }
}

/// The field in double quotes that opens at byte `open`, doubled quotes made one, and where
/// its closing quote is; `None` if a line break comes first or the quote is never closed.
fn quoted(text: &str, open: usize) -> Option<(Cow<'_, str>, usize)> {
    let bytes = text.as_bytes();
    let mut field: Option<String> = None;
    let (mut from, mut scan) = (open + 1, open + 1);
    loop {
        let at = next_special(bytes, scan);
        match bytes.get(at) {
            Some(b',') => scan = at + 1,
            Some(b'"') if bytes.get(at + 1) == Some(&b'"') => {
                // A doubled quote: one quote of the field.
                field.get_or_insert_default().push_str(&text[from..=at]);
                (from, scan) = (at + 2, at + 2);
            }
            Some(b'"') => {
                let field = match field {
                    None => Cow::Borrowed(&text[from..at]),
                    Some(mut f) => {
                        f.push_str(&text[from..at]);
                        Cow::Owned(f)
                    }
                };
                return Some((field, at));
            }
            _ => return None,
        }
    }
}

/// The first comma, double quote, CR or LF at or after `from`, or the end: eight bytes at a
/// time (a byte equal to one of them is a zero byte of the word XORed with it; the lowest
/// such byte is found exactly).
fn next_special(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let found = [b',', b'"', b'\r', b'\n'].iter().fold(0, |found, &b| {
            found | zero_bytes(word ^ (ONES * u64::from(b)))
        });
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at.min(bytes.len())..]
        .iter()
        .position(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        .unwrap_or(bytes.len().saturating_sub(at))
}

/// The first record of `text` as the `csv` crate reads it in the middle of a file, into
/// `fields`; returns how many bytes it took.
fn csv_record<'a>(text: &'a str, fields: &mut Vec<Cow<'a, str>>) -> Result<usize, csv::Error> {
    // A line break first, which the reader skips as a blank line, so that it does not drop a
    // byte order mark as it would at the start of a file.
    let input = std::io::Read::chain(&b"\n"[..], text.as_bytes());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    if !reader.read_record(&mut record)? {
        // No record (not for a text that starts with neither CR nor LF): the rest is taken.
        return Ok(text.len());
    }
    fields.extend(record.iter().map(|f| Cow::Owned(f.to_string())));
    let taken =
        usize::try_from(reader.position().byte()).map_or(text.len(), |n| n.saturating_sub(1));
    Ok(taken.min(text.len()))
}
