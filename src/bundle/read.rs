//! Reading a bundle as a stream: a line at a time, each checked before it is decoded, with
//! every limit counted as the bytes come.

use std::io::{self, BufRead, BufReader, Read};

use flate2::read::GzDecoder;
use serde_json::Value;

use super::{BundleError, FORMAT, LedgerEntryLine, LedgerItemLine, Limits, SweepHeader, hostile};
use crate::record::DeviceRecord;

/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads a bundle: the header when made, then each line in turn (devices, then the ledger's
/// items and entries). Holds at most a line (and its decoded value) at a time, whatever the
/// bundle's size.
///
/// [`Reader::next_line`] (and [`Reader::next_device`]) give `Ok(None)` only once the trailer
/// has been read, its counts match the lines read and the gzip stream has ended with a good
/// CRC; so a caller that stores lines as they come commits only after that `None`.
pub struct Reader<R: Read> {
    lines: BufReader<Counted<GzDecoder<Source<R>>>>,
    limits: Limits,
    header: SweepHeader,
    format: u32,
    line: u64,
    devices: u64,
    items: u64,
    entries: u64,
    buf: Vec<u8>,
    state: State,
}

/// A line of a bundle after its header.
#[derive(Debug, Clone)]
pub enum Line {
    /// A judged device record.
    Device(Box<DeviceRecord>),
    /// An item of the site's removal ledger (format 2).
    LedgerItem(Box<LedgerItemLine>),
    /// A step of the site's removal ledger (format 2).
    LedgerEntry(Box<LedgerEntryLine>),
}

/// Where the reader is: the kinds of line that may come next follow in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Devices,
    Items,
    Entries,
}

enum State {
    Reading(Section),
    Done,
    Failed(BundleError),
}

impl<R: Read> Reader<R> {
    /// Starts reading the bundle `r` and reads its header.
    pub fn new(mut r: R, limits: Limits) -> Result<Reader<R>, BundleError> {
        let mut magic = [0u8; 2];
        let mut got = 0;
        while got < magic.len() {
            match r.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(BundleError::Io(e.to_string())),
            }
        }
        if got < magic.len() || magic != GZIP_MAGIC {
            return Err(BundleError::NotGzip);
        }
        let source = Source {
            magic,
            given: 0,
            inner: r,
            error: None,
        };
        let mut reader = Reader {
            lines: BufReader::new(Counted {
                inner: GzDecoder::new(source),
                read: 0,
                limit: limits.max_decompressed,
                over: false,
            }),
            limits,
            header: placeholder(),
            format: FORMAT,
            line: 0,
            devices: 0,
            items: 0,
            entries: 0,
            buf: Vec::new(),
            state: State::Reading(Section::Devices),
        };
        reader.header = reader.read_header()?;
        Ok(reader)
    }

    /// The sweep the bundle carries.
    pub fn header(&self) -> &SweepHeader {
        &self.header
    }

    /// The bundle's format, as its header says (1 or 2).
    pub fn format(&self) -> u32 {
        self.format
    }

    /// Devices read so far.
    pub fn devices(&self) -> u64 {
        self.devices
    }

    /// Ledger items read so far.
    pub fn ledger_items(&self) -> u64 {
        self.items
    }

    /// Ledger entries read so far.
    pub fn ledger_entries(&self) -> u64 {
        self.entries
    }

    /// Bytes decompressed so far.
    pub fn decompressed(&self) -> u64 {
        self.lines.get_ref().read
    }

    /// The next line; `Ok(None)` once the bundle has ended well (see [`Reader`]). After an
    /// error, every later call gives the same error.
    pub fn next_line(&mut self) -> Result<Option<Line>, BundleError> {
        let section = match &self.state {
            State::Done => return Ok(None),
            State::Failed(e) => return Err(e.clone()),
            State::Reading(section) => *section,
        };
        let next = self.step(section);
        match &next {
            Ok(None) => self.state = State::Done,
            Err(e) => self.state = State::Failed(e.clone()),
            Ok(Some(Line::Device(_))) => {}
            Ok(Some(Line::LedgerItem(_))) => self.state = State::Reading(Section::Items),
            Ok(Some(Line::LedgerEntry(_))) => self.state = State::Reading(Section::Entries),
        }
        next
    }

    /// The next device, for a caller that wants only the devices: the ledger's lines that
    /// follow them are read, checked and counted as [`Reader::next_line`] does, but not
    /// given. `Ok(None)` once the bundle has ended well.
    pub fn next_device(&mut self) -> Result<Option<DeviceRecord>, BundleError> {
        loop {
            match self.next_line()? {
                None => return Ok(None),
                Some(Line::Device(d)) => return Ok(Some(*d)),
                Some(Line::LedgerItem(_) | Line::LedgerEntry(_)) => {}
            }
        }
    }

    fn read_header(&mut self) -> Result<SweepHeader, BundleError> {
        let Some(value) = self.next_value()? else {
            return Err(BundleError::NotBundle("it holds no header line".into()));
        };
        let value =
            value.map_err(|_| BundleError::NotBundle("its first line is not JSON".into()))?;
        let not_header =
            || BundleError::NotBundle("its first line is not a bundle's header".into());
        let Value::Object(mut map) = value else {
            return Err(not_header());
        };
        let Some(format) = map.get("netorigin_bundle").and_then(Value::as_u64) else {
            return Err(not_header());
        };
        if format > u64::from(FORMAT) {
            return Err(BundleError::NewerFormat { found: format });
        }
        if format == 0 {
            return Err(BundleError::NotBundle(
                "format 0 is no bundle format".into(),
            ));
        }
        self.hostile(&Value::Object(map.clone()))?;
        // At most FORMAT, and FORMAT fits a u32.
        self.format = u32::try_from(format).unwrap_or(FORMAT);
        let sweep = map.remove("sweep");
        map.remove("netorigin_bundle");
        if let Some(key) = map.keys().next() {
            return Err(self.json(format!(
                "the header has an unknown field {:?}",
                hostile::excerpt(key, 40)
            )));
        }
        let Some(sweep) = sweep else {
            return Err(self.json("the header has no sweep".into()));
        };
        let header: SweepHeader = serde_json::from_value(sweep)
            .map_err(|e| self.json(format!("not a sweep header: {e}")))?;
        header.check()?;
        Ok(header)
    }

    fn step(&mut self, section: Section) -> Result<Option<Line>, BundleError> {
        let Some(value) = self.next_value()? else {
            return Err(BundleError::Truncated);
        };
        let value = value.map_err(|e| self.json(format!("not JSON: {e}")))?;
        self.hostile(&value)?;
        let expected = || match self.format {
            1 => "expected a device line or the end line".to_string(),
            _ => "expected a device, ledger_item or ledger_entry line or the end line".to_string(),
        };
        let Value::Object(map) = value else {
            return Err(self.json(expected()));
        };
        if map.len() != 1 {
            return Err(self.json(expected()));
        }
        let Some((key, value)) = map.into_iter().next() else {
            return Err(self.json(expected()));
        };
        match key.as_str() {
            "device" if section > Section::Devices => Err(self.json(
                "a device line after the ledger's lines: a bundle's devices come first".into(),
            )),
            "device" => {
                if self.devices >= self.limits.max_devices {
                    return Err(BundleError::TooManyDevices {
                        limit: self.limits.max_devices,
                    });
                }
                let device = serde_json::from_value(value)
                    .map_err(|e| self.json(format!("not a device record: {e}")))?;
                self.devices += 1;
                Ok(Some(Line::Device(Box::new(device))))
            }
            "ledger_item" | "ledger_entry" if self.format < 2 => Err(self.json(format!(
                "a {key} line in a bundle of format {}, which has no ledger",
                self.format
            ))),
            "ledger_item" if section > Section::Items => Err(self
                .json("a ledger_item line after a ledger_entry line: the items come first".into())),
            "ledger_item" => {
                self.ledger_room()?;
                let item: LedgerItemLine = serde_json::from_value(value)
                    .map_err(|e| self.json(format!("not a ledger item: {e}")))?;
                item.check().map_err(|e| self.json(e))?;
                self.items += 1;
                Ok(Some(Line::LedgerItem(Box::new(item))))
            }
            "ledger_entry" => {
                self.ledger_room()?;
                let entry: LedgerEntryLine = serde_json::from_value(value)
                    .map_err(|e| self.json(format!("not a ledger entry: {e}")))?;
                entry.check().map_err(|e| self.json(e))?;
                self.entries += 1;
                Ok(Some(Line::LedgerEntry(Box::new(entry))))
            }
            "end" => self.end(value).map(|()| None),
            _ => Err(self.json(expected())),
        }
    }

    /// Refuses a ledger line past [`Limits::max_ledger`].
    fn ledger_room(&self) -> Result<(), BundleError> {
        match self.items + self.entries >= self.limits.max_ledger {
            true => Err(BundleError::TooManyLedgerLines {
                limit: self.limits.max_ledger,
            }),
            false => Ok(()),
        }
    }

    /// Checks the trailer's counts (a format 1 bundle's end line counts its devices only, a format 2
    /// bundle's its ledger lines too) and reads on to the end of the gzip stream, where its
    /// CRC is checked.
    fn end(&mut self, value: Value) -> Result<(), BundleError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct End {
            devices: u64,
            ledger_items: Option<u64>,
            ledger_entries: Option<u64>,
        }
        let end: End = serde_json::from_value(value)
            .map_err(|e| self.json(format!("not the end line: {e}")))?;
        let ledger = match (self.format, end.ledger_items, end.ledger_entries) {
            (1, None, None) => None,
            (1, _, _) => {
                return Err(self.json(
                    "not the end line: a format 1 bundle's end line counts its devices only".into(),
                ));
            }
            (_, Some(items), Some(entries)) => Some((items, entries)),
            _ => {
                return Err(self.json(
                    "not the end line: it counts devices, ledger_items and ledger_entries".into(),
                ));
            }
        };
        let counts = [
            ("devices", Some(end.devices), self.devices),
            ("ledger items", ledger.map(|l| l.0), self.items),
            ("ledger entries", ledger.map(|l| l.1), self.entries),
        ];
        for (what, said, read) in counts {
            if let Some(said) = said
                && said != read
            {
                return Err(BundleError::Count { what, said, read });
            }
        }
        if self.fill_line()? {
            return Err(self.json("data after the end line".into()));
        }
        Ok(())
    }

    /// The next line decoded: `None` at the end of the stream; the inner `Err` is the JSON
    /// parser's (the caller says what the line should have been). The line is checked for
    /// depth before it is parsed.
    fn next_value(&mut self) -> Result<Option<Result<Value, serde_json::Error>>, BundleError> {
        if !self.fill_line()? {
            return Ok(None);
        }
        if hostile::too_deep(&self.buf) {
            return Err(BundleError::Hostile {
                line: self.line,
                reason: format!("arrays and objects nest deeper than {}", super::MAX_DEPTH),
            });
        }
        Ok(Some(serde_json::from_slice(&self.buf)))
    }

    /// Reads the next line into `buf` (without its line feed); `false` at the end of the
    /// stream. A last line without a line feed is a line.
    fn fill_line(&mut self) -> Result<bool, BundleError> {
        self.buf.clear();
        let line = self.line + 1;
        loop {
            let chunk = match self.lines.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.failure(e)),
            };
            if chunk.is_empty() {
                if self.buf.is_empty() {
                    return Ok(false);
                }
                break;
            }
            let (part, used, ends) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (&chunk[..i], i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            if self.buf.len() + part.len() > self.limits.max_line {
                return Err(BundleError::LineTooLong {
                    line,
                    limit: self.limits.max_line,
                });
            }
            self.buf.extend_from_slice(part);
            self.lines.consume(used);
            if ends {
                break;
            }
        }
        self.line = line;
        Ok(true)
    }

    fn hostile(&self, value: &Value) -> Result<(), BundleError> {
        hostile::check(value, &self.limits).map_err(|reason| BundleError::Hostile {
            line: self.line,
            reason,
        })
    }

    fn json(&self, reason: String) -> BundleError {
        BundleError::Json {
            line: self.line,
            reason: hostile::excerpt(&reason, 300),
        }
    }

    /// What an error below the lines means: the source's own, the limit, or the gzip stream.
    fn failure(&self, e: io::Error) -> BundleError {
        let counted = self.lines.get_ref();
        if let Some(e) = &counted.inner.get_ref().error {
            return BundleError::Io(e.clone());
        }
        if counted.over {
            return BundleError::TooLarge {
                limit: self.limits.max_decompressed,
            };
        }
        match e.kind() {
            io::ErrorKind::UnexpectedEof => BundleError::Truncated,
            _ => BundleError::Corrupt(hostile::excerpt(&e.to_string(), 300)),
        }
    }
}

/// A header to hold the place while the real one is read.
fn placeholder() -> SweepHeader {
    SweepHeader {
        uuid: uuid::Uuid::nil(),
        site: String::new(),
        started_ms: 0,
        ended_ms: None,
        status: String::new(),
        parameters: Value::Null,
        data_versions: String::new(),
        judged_on: String::new(),
        probed: None,
        responders: None,
        silent: None,
        requests: None,
        timeouts: None,
        note: None,
    }
}

/// The bundle's bytes: the two already read, then the rest; an error of the source itself
/// noted, to tell it from the decoder's.
struct Source<R> {
    magic: [u8; 2],
    given: usize,
    inner: R,
    error: Option<String>,
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.given < self.magic.len() {
            let n = (self.magic.len() - self.given).min(buf.len());
            buf[..n].copy_from_slice(&self.magic[self.given..self.given + n]);
            self.given += n;
            return Ok(n);
        }
        self.inner.read(buf).inspect_err(|e| {
            if e.kind() != io::ErrorKind::Interrupted {
                self.error = Some(e.to_string());
            }
        })
    }
}

/// The decompressed bytes, counted: past the limit, every read fails.
struct Counted<R> {
    inner: R,
    read: u64,
    limit: u64,
    over: bool,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.over {
            return Err(io::Error::other("over the decompressed size limit"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            self.over = true;
            return Err(io::Error::other("over the decompressed size limit"));
        }
        Ok(n)
    }
}
