//! Where in a file a mistake is: line and column (both from 1) of a byte offset, for error
//! messages about files people write (policies, credentials, rules).

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

/// Where a mistake is, for the start of a message: `FILE:LINE:COLUMN`, or `file FILE` for a
/// mistake of the whole file (line 0: one that cannot be read), never a made-up position.
pub fn place(file: &str, line: usize, column: usize) -> String {
    if line == 0 {
        format!("file {file}")
    } else {
        format!("{file}:{line}:{column}")
    }
}

#[cfg(test)]
mod tests {
    use super::{line_and_column, place};

    #[test]
    fn a_place_has_a_position_only_when_it_is_known() {
        assert_eq!(place("p.toml", 3, 7), "p.toml:3:7");
        assert_eq!(place("p.toml", 0, 0), "file p.toml");
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
