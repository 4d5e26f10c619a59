//! Where in a file a mistake is: line and column (both from 1) of a byte offset, for error
//! messages about files people write (policies, credentials, rules); the one error type of
//! such files ([`FileError`]) and the one TOML loader that fills it in ([`parse_toml`]).

use std::path::Path;

/// A mistake in a file a person writes (a rules file, a policy, a credentials file): the file,
/// where in it, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", place(.file, *.line, *.column))]
pub struct FileError {
    /// The file.
    pub file: String,
    /// Line, from 1; 0 for a mistake of the whole file (one that cannot be read).
    pub line: usize,
    /// Column, from 1; 0 where only the line is known (and with line 0).
    pub column: usize,
    /// What was wrong and what was expected (never a secret).
    pub reason: String,
}

impl FileError {
    /// A mistake at byte `offset` of `text`, the content of `file`.
    pub fn at(file: &str, text: &str, offset: usize, reason: String) -> FileError {
        let (line, column) = line_and_column(text, offset);
        FileError {
            file: file.to_string(),
            line,
            column,
            reason,
        }
    }

    /// A mistake on a line, with no column (a row of a table).
    pub fn on_line(file: &str, line: usize, reason: String) -> FileError {
        FileError {
            file: file.to_string(),
            line,
            column: 0,
            reason,
        }
    }

    /// A file that cannot be read.
    pub fn unreadable(path: &Path, e: &std::io::Error) -> FileError {
        FileError {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            reason: format!("cannot read: {e}"),
        }
    }
}

/// Parses TOML text of `file` into `T`; a syntax or type error names its line and column (the
/// file's start where TOML names no place) and says `reason` of TOML's error: the caller
/// decides how much of TOML's message to show (it may quote a secret).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    reason: impl FnOnce(&toml::de::Error) -> String,
) -> Result<T, FileError> {
    toml::from_str(text)
        .map_err(|e| FileError::at(file, text, e.span().map_or(0, |s| s.start), reason(&e)))
}

/// A scope list of a file (a policy rule's, a credential's): each a CIDR, or a bare address as
/// its own /32 or /128; a mistake names the item's place and shows `example` as what a CIDR is.
pub fn networks(
    file: &str,
    text: &str,
    items: &[toml::Spanned<String>],
    example: &str,
) -> Result<Vec<ipnet::IpNet>, FileError> {
    items
        .iter()
        .map(|item| {
            let t = item.get_ref();
            t.parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    FileError::at(
                        file,
                        text,
                        item.span().start,
                        format!("{t:?} is not a CIDR (expected e.g. {example})"),
                    )
                })
        })
        .collect()
}

/// The line and column of `offset` in `text`; an offset past the end is taken as the end, and
/// one inside a character as that character.
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where a mistake is, for the start of a message: `FILE:LINE:COLUMN`, `FILE:LINE` where the
/// column is not known (0), or `file FILE` for a mistake of the whole file (line 0: one that
/// cannot be read), never a made-up position.
pub fn place(file: &str, line: usize, column: usize) -> String {
    match (line, column) {
        (0, _) => format!("file {file}"),
        (_, 0) => format!("{file}:{line}"),
        _ => format!("{file}:{line}:{column}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{line_and_column, place};

    #[test]
    fn a_place_has_a_position_only_when_it_is_known() {
        assert_eq!(place("p.toml", 3, 7), "p.toml:3:7");
        assert_eq!(place("p.toml", 0, 0), "file p.toml");
        assert_eq!(
            place("names.tsv", 4, 0),
            "names.tsv:4",
            "a table row has no column"
        );
    }

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        assert_eq!(line_and_column(text, 10), (2, 4), "é is one column");
        assert_eq!(line_and_column(text, 8), (2, 2), "inside é: that character");
        assert_eq!(line_and_column(text, 999), (3, 1));
    }
}
