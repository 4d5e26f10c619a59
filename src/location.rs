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

#[cfg(test)]
mod tests {
    use super::line_and_column;

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
