//! Tables for people that fit the screen they are read on: the columns a width has room for,
//! each cell one line, shortened with `…` where it must be; `--wide` keeps every column and
//! every character. Colour only on a terminal.

use std::io::{self, IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Row, Table, presets::UTF8_FULL_CONDENSED};

/// How wide a table may be, and whether it may be coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The width to fit; `None`: every column, nothing shortened (`--wide`).
    width: Option<u16>,
    /// Colour the verdicts (standard output is a terminal).
    colour: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Layout::fit(Layout::DEFAULT_WIDTH)
    }
}

impl Layout {
    /// The width of a table that goes neither to a terminal nor where `$COLUMNS` says.
    pub const DEFAULT_WIDTH: u16 = 100;

    /// Every column, nothing shortened, no colour.
    pub fn wide() -> Layout {
        Layout {
            width: None,
            colour: false,
        }
    }

    /// Fits `width` columns, no colour.
    pub fn fit(width: u16) -> Layout {
        Layout {
            width: Some(width),
            colour: false,
        }
    }

    /// The layout of a report written to standard output (`to_stdout`) or to a file: the
    /// terminal's width and colour when standard output is a terminal; else `$COLUMNS` when
    /// set; else [`Layout::DEFAULT_WIDTH`]. `wide` keeps everything.
    pub fn detect(wide: bool, to_stdout: bool) -> Layout {
        let terminal = to_stdout && std::io::stdout().is_terminal();
        if wide {
            return Layout {
                colour: terminal,
                ..Layout::wide()
            };
        }
        let width = terminal
            .then(|| Table::new().width())
            .flatten()
            .or_else(|| columns(std::env::var("COLUMNS").ok().as_deref()))
            .unwrap_or(Layout::DEFAULT_WIDTH);
        Layout {
            width: Some(width),
            colour: terminal,
        }
    }

    /// The width fitted, `None` under `--wide`.
    pub fn width(&self) -> Option<u16> {
        self.width
    }
}

/// `$COLUMNS` as a width, when it is one a table can use.
fn columns(value: Option<&str>) -> Option<u16> {
    value?.trim().parse::<u16>().ok().filter(|w| *w >= 20)
}

/// A column of a fitted table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its header.
    pub header: &'static str,
    /// The narrowest width it is shown at (0: always).
    pub from_width: u16,
    /// How many characters of a cell are shown at most when fitting.
    pub max: usize,
    /// How many characters it keeps however narrow the table (its header's at least); what is
    /// left over goes to the columns in their order (the [`Column::keen`] ones first), up to
    /// what their cells need.
    pub min: usize,
    /// Gets what is left over before the others.
    pub keen: bool,
}

impl Column {
    /// A column shown at every width, shortened to `max` characters.
    pub const fn new(header: &'static str, max: usize) -> Column {
        Column {
            header,
            from_width: 0,
            max,
            min: 0,
            keen: false,
        }
    }

    /// Gets what is left over before the other columns (a diff's detail).
    pub const fn keen(self) -> Column {
        Column { keen: true, ..self }
    }

    /// Shown only from `width` columns up.
    pub const fn from(self, width: u16) -> Column {
        Column {
            from_width: width,
            ..self
        }
    }

    /// Keeps `min` characters however narrow the table.
    pub const fn at_least(self, min: usize) -> Column {
        Column { min, ..self }
    }

    /// Never shortened below its `max` (addresses, verdicts).
    pub const fn whole(self) -> Column {
        Column {
            min: self.max,
            ..self
        }
    }
}

/// Widths for columns whose cells need `natural` characters, each at least `floor`, within
/// `room`: every column its floor, then what is left to the columns in `order`.
fn widths(natural: &[usize], floor: &[usize], order: &[usize], room: usize) -> Vec<usize> {
    let mut w = floor.to_vec();
    let mut left = room.saturating_sub(w.iter().sum());
    for &i in order {
        let more = natural[i].saturating_sub(w[i]).min(left);
        w[i] += more;
        left -= more;
    }
    w
}

/// The width of each shown column for `rows` within a table `width` wide.
fn fit_widths(columns: &[&Column], rows: &[Vec<&str>], width: u16) -> Vec<usize> {
    let natural: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(k, c)| {
            rows.iter()
                .map(|r| first_line(r[k]).chars().count().min(c.max))
                .chain([c.header.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let floor: Vec<usize> = columns
        .iter()
        .zip(&natural)
        .map(|(c, n)| c.min.max(c.header.chars().count()).min(*n))
        .collect();
    // Each column: a separator and a space either side; one more border at the end.
    let room = usize::from(width).saturating_sub(3 * columns.len() + 1);
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by_key(|&i| !columns[i].keen);
    widths(&natural, &floor, &order, room)
}

fn first_line(s: &str) -> &str {
    let line = s.split(['\n', '\r']).next().unwrap_or("");
    let line = line.split("\\n").next().unwrap_or("");
    line.split("\\r").next().unwrap_or("")
}

/// The first line of `s`, at most `max` characters, `…` where it was cut.
pub fn shorten(s: &str, max: usize) -> String {
    let line = first_line(s);
    let cut = line
        .char_indices()
        .nth(max.saturating_sub(1))
        .map(|(i, _)| i);
    match cut {
        Some(i) if line.chars().count() > max => format!("{}…", &line[..i]),
        _ => line.to_string(),
    }
}

/// At most `max` characters of `s`, its end kept and `…` where its start was cut: for
/// addresses and paths, whose end tells them apart.
pub fn shorten_start(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let tail: String = s.chars().skip(n + 1 - max.max(1)).collect();
    format!("…{tail}")
}

/// Writes a line for people, wrapped to the layout's width (as it is with `--wide`).
pub fn write_wrapped(
    out: &mut (impl Write + ?Sized),
    line: &str,
    layout: Layout,
) -> io::Result<()> {
    match layout.width() {
        Some(w) => wrap(line, usize::from(w))
            .iter()
            .try_for_each(|l| writeln!(out, "{l}")),
        None => writeln!(out, "{line}"),
    }
}

/// `text` in lines of at most `width` characters, broken after `;` or `,` where it can be,
/// else at spaces, else anywhere.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let pieces = text
        .split_inclusive("; ")
        .flat_map(|p| p.split_inclusive(", "));
    for piece in pieces {
        if line.chars().count() + piece.trim_end().chars().count() > width && !line.is_empty() {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        for word in piece.split_inclusive(' ') {
            if line.chars().count() + word.trim_end().chars().count() > width && !line.is_empty() {
                lines.push(line.trim_end().to_string());
                line.clear();
            }
            for c in word.chars() {
                if line.chars().count() >= width && c != ' ' {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
        }
    }
    if !line.trim_end().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

fn verdict_colour(text: &str) -> Option<Color> {
    match text {
        "banned" => Some(Color::Red),
        "review" => Some(Color::Yellow),
        _ => None,
    }
}

/// A table of `rows` (cells already safe for a terminal, one per column) laid out for
/// `layout`: the columns the width has room for, each row one line.
pub fn fitted(columns: &[Column], rows: &[Vec<String>], layout: Layout) -> Table {
    let shown: Vec<&Column> = columns
        .iter()
        .filter(|c| layout.width.is_none_or(|w| c.from_width <= w))
        .collect();
    let cells: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| {
            (0..columns.len())
                .filter(|&i| layout.width.is_none_or(|w| columns[i].from_width <= w))
                .map(|i| r.get(i).map_or("", String::as_str))
                .collect()
        })
        .collect();
    let widths = layout.width.map(|w| fit_widths(&shown, &cells, w));
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    if !layout.colour {
        t.force_no_tty();
    }
    t.set_header(shown.iter().map(|c| c.header));
    for r in &cells {
        let mut row = Row::new();
        for (k, text) in r.iter().enumerate() {
            let text = match &widths {
                Some(w) => shorten(text, w[k]),
                None => text.to_string(),
            };
            let colour = (shown[k].header == "verdict")
                .then(|| verdict_colour(&text))
                .flatten();
            row.add_cell(match colour {
                Some(c) => Cell::new(text).fg(c),
                None => Cell::new(text),
            });
        }
        if widths.is_some() {
            row.max_height(1);
        }
        t.add_row(row);
    }
    match layout.width {
        // Cells are cut to fit already; the dynamic arrangement only catches characters wider
        // than one column (CJK), which it counts and the cut above does not.
        Some(w) => t
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(w),
        None => t.set_content_arrangement(ContentArrangement::Disabled),
    };
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widest(t: &Table) -> usize {
        t.to_string()
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    }

    const COLUMNS: [Column; 4] = [
        Column::new("address", 30).whole(),
        Column::new("verdict", 7).whole(),
        Column::new("model", 40),
        Column::new("serial", 40).from(120),
    ];

    fn rows() -> Vec<Vec<String>> {
        vec![vec![
            "127.0.0.1".into(),
            "banned".into(),
            "S5720-56C-PWR-EI-AC with a very long description of itself".into(),
            "21980302203G1200\\n34 32 36 30 00 00 00 00 00 00 00 00".into(),
        ]]
    }

    #[test]
    fn a_fitted_table_is_never_wider_than_its_width_and_rows_are_one_line() {
        for w in [40, 60, 80, 100] {
            let t = fitted(&COLUMNS, &rows(), Layout::fit(w));
            assert!(widest(&t) <= usize::from(w), "{w}:\n{t}");
            // Top border, header, separator, one row, bottom border.
            assert_eq!(t.to_string().lines().count(), 5, "{t}");
            assert!(!t.to_string().contains("serial"), "{t}");
        }
        let t = fitted(&COLUMNS, &rows(), Layout::fit(200));
        assert!(t.to_string().contains("21980302203G1200 "), "{t}");
        assert!(!t.to_string().contains("34 32"), "{t}");
    }

    #[test]
    fn wide_keeps_every_column_and_character() {
        let t = fitted(&COLUMNS, &rows(), Layout::wide());
        let s = t.to_string();
        assert!(s.contains("serial") && s.contains("34 32 36 30 00"), "{s}");
        assert!(s.contains("very long description of itself"), "{s}");
    }

    #[test]
    fn no_colour_unless_asked() {
        let s = fitted(&COLUMNS, &rows(), Layout::fit(100)).to_string();
        assert!(!s.contains('\u{1b}'), "{s}");
    }

    #[test]
    fn what_is_left_goes_to_the_columns_in_order() {
        let order = [0, 1, 2];
        assert_eq!(widths(&[10, 20, 30], &[5, 5, 5], &order, 60), [10, 20, 30]);
        assert_eq!(widths(&[10, 20, 30], &[5, 5, 5], &order, 30), [10, 15, 5]);
        assert_eq!(widths(&[10, 20, 30], &[5, 5, 5], &order, 10), [5, 5, 5]);
        assert_eq!(
            widths(&[10, 20, 30], &[5, 5, 5], &[2, 0, 1], 30),
            [5, 5, 20]
        );
    }

    #[test]
    fn wrap_breaks_between_clauses_first() {
        assert_eq!(
            wrap(
                "76 devices (30 answered); Huawei-origin: 37; verdicts: banned 39",
                30
            ),
            [
                "76 devices (30 answered);",
                "Huawei-origin: 37;",
                "verdicts: banned 39"
            ]
        );
        assert_eq!(wrap("short", 30), ["short"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        for line in wrap(
            "a, very; long line, with-a-very-long-word-in-it and more",
            7,
        ) {
            assert!(line.chars().count() <= 7, "{line:?}");
        }
    }

    #[test]
    fn shorten_keeps_the_first_line_and_marks_the_cut() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abcd", 4), "abcd");
        assert_eq!(shorten("ab\\ncd", 10), "ab");
        assert_eq!(shorten("", 3), "");
        assert_eq!(shorten_start("/a/b/c.snmprec", 10), "…c.snmprec");
        assert_eq!(shorten_start("10.0.0.1", 10), "10.0.0.1");
    }

    #[test]
    fn columns_reads_only_usable_widths() {
        assert_eq!(columns(Some("80")), Some(80));
        assert_eq!(columns(Some(" 132\n")), Some(132));
        assert_eq!(columns(Some("5")), None);
        assert_eq!(columns(Some("wide")), None);
        assert_eq!(columns(None), None);
    }
}
