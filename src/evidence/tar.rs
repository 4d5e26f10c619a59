//! POSIX tar (ustar), as much of it as a pack needs: a [`Writer`] of plain files and a
//! streaming [`Reader`] that is total on any bytes. The reader accepts files and folders (as
//! GNU tar writes them when a pack is unpacked and packed again) and refuses, with a
//! [`TarError`], everything else: links, devices, FIFOs and extended headers; absolute paths,
//! `.` and `..`, empty components, backslashes and control characters in a path; entries and
//! bytes past its [`Limits`], and a truncated archive.

use std::io::{self, Read, Write};

use super::Limits;

/// A tar block.
pub const BLOCK: usize = 512;

/// Tar files are written in records of 20 blocks.
const RECORD: u64 = 20 * BLOCK as u64;

/// The largest size an octal size field holds (11 digits).
const MAX_OCTAL_SIZE: u64 = 0o777_7777_7777;

/// Why a tar archive cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TarError {
    /// A header block is not a ustar header (its magic, checksum or numbers).
    #[error("the block at byte {offset} is not a tar header: {reason}")]
    Header {
        /// Where the block starts in the tar.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// An entry's path is refused.
    #[error("the entry {path:?} is refused: {reason}")]
    Path {
        /// The path, shortened and with control characters escaped.
        path: String,
        /// Why.
        reason: String,
    },
    /// An entry is not a file or a folder.
    #[error("the entry {path:?} is refused: it is {kind}, and a pack holds only files")]
    Kind {
        /// The path.
        path: String,
        /// What it is.
        kind: &'static str,
    },
    /// The archive ends inside an entry or before its end marker.
    #[error("the archive is truncated")]
    Truncated,
    /// More bytes than the limit.
    #[error("the archive holds more than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// More entries than the limit.
    #[error("the archive holds more than {limit} entries")]
    TooManyEntries {
        /// The limit.
        limit: u64,
    },
    /// Bytes other than zeros after the archive's end marker.
    #[error("data follows the archive's end (near byte {offset})")]
    AfterEnd {
        /// About where, in the uncompressed archive.
        offset: u64,
    },
    /// Reading failed below the archive (a damaged gzip stream, the disk).
    #[error("{0}")]
    Io(String),
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Folder,
}

/// An entry's header, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path, checked: relative, `/`-separated, no `.`, `..` or empty component (a folder's
    /// trailing `/` removed).
    pub path: String,
    /// A file or a folder.
    pub kind: Kind,
    /// Its data's size in bytes (0 for a folder).
    pub size: u64,
}

/// Reads a tar archive one entry at a time, never holding more than a block.
pub struct Reader<R: Read> {
    inner: R,
    limits: Limits,
    /// Bytes read from `inner`.
    offset: u64,
    /// Data bytes of the current entry not yet read.
    data_left: u64,
    /// Padding after them.
    padding: u64,
    entries: u64,
    ended: bool,
}

impl<R: Read> Reader<R> {
    /// A reader of the tar `inner`.
    pub fn new(inner: R, limits: Limits) -> Reader<R> {
        Reader {
            inner,
            limits,
            offset: 0,
            data_left: 0,
            padding: 0,
            entries: 0,
            ended: false,
        }
    }

    /// Bytes read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next entry's header (what is left of the one before is skipped); `None` at the end
    /// marker. After an error, what follows is not to be read.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, TarError> {
        if self.ended {
            return Ok(None);
        }
        self.data(|_| {})?;
        let skip = std::mem::take(&mut self.padding);
        self.skip(skip)?;
        let at = self.offset;
        let mut block = [0u8; BLOCK];
        if !self.fill(&mut block, true)? {
            return Err(TarError::Truncated);
        }
        if block.iter().all(|&b| b == 0) {
            self.ended = true;
            return Ok(None);
        }
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(TarError::TooManyEntries {
                limit: self.limits.max_entries,
            });
        }
        let entry = parse_header(&block, at, &self.limits)?;
        if entry.size > self.limits.max_decompressed.saturating_sub(self.offset) {
            return Err(TarError::TooLarge {
                limit: self.limits.max_decompressed,
            });
        }
        self.data_left = entry.size;
        self.padding = padding(entry.size);
        Ok(Some(entry))
    }

    /// Hands the current entry's data (what is left of it) to `each`, a chunk at a time.
    pub fn data(&mut self, mut each: impl FnMut(&[u8])) -> Result<(), TarError> {
        let mut buf = [0u8; 8 * BLOCK];
        while self.data_left > 0 {
            let want = buf
                .len()
                .min(usize::try_from(self.data_left).unwrap_or(buf.len()));
            let got = self.read_some(&mut buf[..want])?;
            if got == 0 {
                return Err(TarError::Truncated);
            }
            self.data_left -= got as u64;
            each(&buf[..got]);
        }
        Ok(())
    }

    /// Reads past what follows the end marker (GNU tar's record padding), up to the limit, so
    /// that a compressed stream's checksum is read; anything there but zeros (entries appended
    /// after the end, which `tar --ignore-zeros` would still unpack) is an error.
    pub fn drain(&mut self) -> Result<(), TarError> {
        let mut buf = [0u8; 8 * BLOCK];
        loop {
            let n = self.read_some(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            if buf[..n].iter().any(|&b| b != 0) {
                return Err(TarError::AfterEnd {
                    offset: self.offset - n as u64,
                });
            }
        }
    }

    /// Skips `n` bytes, which must be there.
    fn skip(&mut self, mut n: u64) -> Result<(), TarError> {
        let mut buf = [0u8; BLOCK];
        while n > 0 {
            let want = buf.len().min(usize::try_from(n).unwrap_or(BLOCK));
            let got = self.read_some(&mut buf[..want])?;
            if got == 0 {
                return Err(TarError::Truncated);
            }
            n -= got as u64;
        }
        Ok(())
    }

    /// Fills `block`; false if the archive ended before its first byte (when `may_end`).
    fn fill(&mut self, block: &mut [u8], may_end: bool) -> Result<bool, TarError> {
        let mut got = 0;
        while got < block.len() {
            match self.read_some(&mut block[got..])? {
                0 if got == 0 && may_end => return Ok(false),
                0 => return Err(TarError::Truncated),
                n => got += n,
            }
        }
        Ok(true)
    }

    /// One read, counted against the limit.
    fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, TarError> {
        let n = loop {
            match self.inner.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(TarError::Io(e.to_string())),
            }
        };
        self.offset += n as u64;
        if self.offset > self.limits.max_decompressed {
            return Err(TarError::TooLarge {
                limit: self.limits.max_decompressed,
            });
        }
        Ok(n)
    }
}

/// The padding after `size` bytes of data, to the next block.
fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

/// Reads and checks a header block that is not all zeros.
fn parse_header(block: &[u8; BLOCK], offset: u64, limits: &Limits) -> Result<Entry, TarError> {
    let bad = |reason: &str| TarError::Header {
        offset,
        reason: reason.to_string(),
    };
    let magic = &block[257..265];
    if magic != b"ustar\x0000" && magic != b"ustar  \x00" {
        return Err(bad("no ustar magic"));
    }
    let stored = number(&block[148..156]).ok_or_else(|| bad("its checksum is not a number"))?;
    let unsigned: u64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| u64::from(if (148..156).contains(&i) { b' ' } else { b }))
        .sum();
    let signed: i64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            i64::from(if (148..156).contains(&i) {
                b' ' as i8
            } else {
                b as i8
            })
        })
        .sum();
    if stored != unsigned && i64::try_from(stored).ok() != Some(signed) {
        return Err(bad("its checksum does not match"));
    }
    let size = number(&block[124..136]).ok_or_else(|| bad("its size is not a number"))?;
    let path = header_path(block, limits)?;
    let kind = match block[156] {
        b'0' | b'\0' | b'7' => Kind::File,
        b'5' => Kind::Folder,
        other => {
            return Err(TarError::Kind {
                path: shown(&path),
                kind: kind_name(other),
            });
        }
    };
    let path = match kind {
        Kind::Folder => path.strip_suffix('/').unwrap_or(&path).to_string(),
        Kind::File => path,
    };
    check_path(&path, limits.max_path)?;
    Ok(Entry {
        path,
        kind,
        size: if kind == Kind::Folder { 0 } else { size },
    })
}

/// The path of a header: its prefix, a `/` and its name, each up to its first NUL.
fn header_path(block: &[u8; BLOCK], limits: &Limits) -> Result<String, TarError> {
    let field = |b: &[u8]| -> Vec<u8> { b.iter().copied().take_while(|&c| c != 0).collect() };
    let name = field(&block[0..100]);
    let prefix = field(&block[345..500]);
    let mut bytes = prefix;
    if !bytes.is_empty() {
        bytes.push(b'/');
    }
    bytes.extend(name);
    String::from_utf8(bytes)
        .map_err(|e| TarError::Path {
            path: shown(&String::from_utf8_lossy(e.as_bytes())),
            reason: "it is not UTF-8".into(),
        })
        .and_then(|p| {
            if p.len() > limits.max_path {
                Err(TarError::Path {
                    path: shown(&p),
                    reason: format!("it is longer than {} bytes", limits.max_path),
                })
            } else {
                Ok(p)
            }
        })
}

/// Checks a path as a pack's entry must be: not empty, relative, `/`-separated components that
/// are neither empty, `.` nor `..`, no backslash or control character, at most `max` bytes.
pub fn check_path(path: &str, max: usize) -> Result<(), TarError> {
    let refuse = |reason: &str| {
        Err(TarError::Path {
            path: shown(path),
            reason: reason.to_string(),
        })
    };
    if path.is_empty() {
        return refuse("it is empty");
    }
    if path.len() > max {
        return refuse(&format!("it is longer than {max} bytes"));
    }
    if path.starts_with('/') {
        return refuse("it is absolute");
    }
    if path.chars().any(|c| c.is_control()) {
        return refuse("it holds a control character");
    }
    if path.contains('\\') {
        return refuse("it holds a backslash");
    }
    for part in path.split('/') {
        match part {
            "" => return refuse("it has an empty component"),
            "." | ".." => return refuse("it has a `.` or `..` component"),
            _ => {}
        }
    }
    Ok(())
}

/// A path fit to show in a message: at most 100 characters, control characters escaped.
fn shown(path: &str) -> String {
    let mut s: String = path
        .chars()
        .take(100)
        .flat_map(char::escape_debug)
        .collect();
    if path.chars().count() > 100 {
        s.push('…');
    }
    s
}

/// What an entry type other than a file or folder is, in words.
fn kind_name(flag: u8) -> &'static str {
    match flag {
        b'1' => "a hard link",
        b'2' => "a symbolic link",
        b'3' => "a character device",
        b'4' => "a block device",
        b'6' => "a FIFO",
        b'x' | b'g' => "a pax extended header",
        b'L' | b'K' => "a GNU long name",
        _ => "of an unknown type",
    }
}

/// A numeric field: octal digits, with leading spaces and a NUL or space after them; or
/// GNU's base-256 (first byte 0x80), up to 64 bits.
fn number(field: &[u8]) -> Option<u64> {
    if field.first() == Some(&0x80) {
        let rest = &field[1..];
        let start = rest.len().saturating_sub(8);
        if rest[..start].iter().any(|&b| b != 0) {
            return None;
        }
        return Some(
            rest[start..]
                .iter()
                .fold(0u64, |n, &b| n << 8 | u64::from(b)),
        );
    }
    let text: &[u8] = {
        let start = field.iter().position(|&b| b != b' ')?;
        let rest = &field[start..];
        let end = rest
            .iter()
            .position(|&b| b == 0 || b == b' ')
            .unwrap_or(rest.len());
        &rest[..end]
    };
    if text.is_empty() || text.len() > 21 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| match b {
        b'0'..=b'7' => Some(n << 3 | u64::from(b - b'0')),
        _ => None,
    })
}

/// Writes a tar archive of plain files (mode 0644, owner 0, one modification time).
pub struct Writer<W: Write> {
    out: W,
    mtime: u64,
    written: u64,
}

impl<W: Write> Writer<W> {
    /// A writer into `out`, every entry with modification time `mtime` (Unix seconds).
    pub fn new(out: W, mtime: u64) -> Writer<W> {
        Writer {
            out,
            mtime,
            written: 0,
        }
    }

    /// Appends the file `path` (checked as [`check_path`] does) of exactly `size` bytes, read
    /// from `data`; an error if `data` holds fewer or more.
    pub fn append(&mut self, path: &str, size: u64, data: impl Read) -> io::Result<()> {
        let header = header(path, size, self.mtime)?;
        self.put(&header)?;
        let mut data = data;
        let copied = io::copy(&mut (&mut data).take(size), &mut Counting(self))?;
        if copied != size {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "it held {copied} bytes where {size} were expected (did it change while it was packed?)"
                ),
            ));
        }
        let mut probe = [0u8; 1];
        if data.read(&mut probe)? != 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "it holds more than the {size} bytes expected (did it change while it was packed?)"
                ),
            ));
        }
        self.put(&vec![0u8; padding(size) as usize])
    }

    /// Writes the end marker (two zero blocks), pads to a whole record, and gives `out` back.
    pub fn finish(mut self) -> io::Result<W> {
        self.put(&[0u8; 2 * BLOCK])?;
        let pad = (RECORD - self.written % RECORD) % RECORD;
        self.put(&vec![0u8; pad as usize])?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }
}

/// Counts what goes through to the writer.
struct Counting<'a, W: Write>(&'a mut Writer<W>);

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.out.write(buf)?;
        self.0.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.out.flush()
    }
}

/// The ustar header of a plain file.
fn header(path: &str, size: u64, mtime: u64) -> io::Result<[u8; BLOCK]> {
    check_path(path, 255).map_err(io::Error::other)?;
    if size > MAX_OCTAL_SIZE {
        return Err(io::Error::other(format!(
            "{path}: {size} bytes is more than a tar entry holds"
        )));
    }
    let (prefix, name) = split_path(path)
        .ok_or_else(|| io::Error::other(format!("{path}: the path does not fit a tar header")))?;
    let mut h = [0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    let mut put = |at: usize, text: &str| h[at..at + text.len()].copy_from_slice(text.as_bytes());
    put(100, "0000644\0");
    put(108, "0000000\0");
    put(116, "0000000\0");
    put(124, &format!("{size:011o}\0"));
    put(136, &format!("{:011o}\0", mtime.min(MAX_OCTAL_SIZE)));
    put(148, "        ");
    put(156, "0");
    put(257, "ustar\x0000");
    put(329, "0000000\0");
    put(337, "0000000\0");
    put(345, prefix);
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    Ok(h)
}

/// Whether `path` fits a ustar header's prefix and name.
pub fn fits(path: &str) -> bool {
    split_path(path).is_some()
}

/// A path as ustar's prefix (up to 155 bytes) and name (up to 100), split at a `/`.
fn split_path(path: &str) -> Option<(&str, &str)> {
    if path.len() <= 100 {
        return Some(("", path));
    }
    path.match_indices('/')
        .map(|(i, _)| (&path[..i], &path[i + 1..]))
        .find(|(prefix, name)| prefix.len() <= 155 && name.len() <= 100 && !name.is_empty())
}
