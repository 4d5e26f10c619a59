//! Sizes a reader can hold (issue 17): no file of `src/` over 800 lines, no function over 100,
//! and the command line (`src/cli/`) under 1,450 lines in all (1,000 when issue 17 set it;
//! issue 19 added the central server's three commands, `server` with its sites and tokens,
//! `upload` and `fleet` with four views: their arguments and wiring, their work in
//! `pipeline/`). Test code in `src/` counts.
//!
//! A function is found as text: a line whose first word after any `pub`, `pub(...)`, `const`,
//! `async`, `unsafe` or `extern "C"` is `fn NAME`, measured from that line to the brace that
//! closes its body. Braces inside strings, raw strings, characters and comments are skipped.

use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 100;
// 1450 until issue 21 brought three commands (`ledger`, its reports, `evidence`): their
// arguments and help are command line; what they do is in `pipeline/`.
const MAX_CLI_LINES: usize = 1900;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root().join("src"))
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The text with strings, characters and comments blanked to spaces (newlines kept), so only
/// code braces remain.
fn code_only(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                let mut j = i;
                while j < b.len() {
                    if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                        depth += 1;
                        j += 2;
                    } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            b'r' if matches!(b.get(i + 1), Some(b'#') | Some(b'"'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                let start = i + 2 + hashes;
                let end = b[start..]
                    .windows(close.len())
                    .position(|w| w == close.as_slice())
                    .map_or(b.len(), |p| start + p + close.len());
                blank(&mut out, i, end);
                i = end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i, j + 1);
                i = j + 1;
            }
            b'\'' => {
                // A character literal ('x', '\n', '\u{7b}', '{'), or a lifetime ('a), which
                // has no closing quote right after its name.
                if b.get(i + 1) == Some(&b'\\') {
                    let end = b[i + 2..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .map_or(b.len(), |p| i + 2 + p + 1);
                    blank(&mut out, i, end);
                    i = end;
                } else if b.get(i + 2) == Some(&b'\'') {
                    blank(&mut out, i, i + 3);
                    i += 3;
                } else {
                    // A multi-byte character: find its closing quote within four bytes.
                    let end = (i + 2..(i + 6).min(b.len())).find(|&j| b[j] == b'\'');
                    match end {
                        Some(j) if !b[i + 1].is_ascii() => {
                            blank(&mut out, i, j + 1);
                            i = j + 1;
                        }
                        _ => i += 1,
                    }
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The name of the function a line starts, if it starts one.
fn fn_name(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    loop {
        let before = rest;
        for prefix in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            if let Some(r) = rest.strip_prefix(prefix) {
                rest = r.trim_start();
            }
        }
        if let Some(r) = rest.strip_prefix("extern \"C\" ") {
            rest = r.trim_start();
        }
        if rest == before {
            break;
        }
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// (name, first line, lines) of every function with a body in `text`.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(text);
    let code = String::from_utf8_lossy(&code).into_owned();
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        // Find the body's opening brace (a `;` first means a declaration without a body).
        let mut depth = 0usize;
        let mut opened = false;
        let mut end = None;
        'scan: for (n, l) in lines.iter().enumerate().skip(start) {
            for c in l.chars() {
                match c {
                    ';' if !opened && depth == 0 => break 'scan,
                    '{' => {
                        opened = true;
                        depth += 1;
                    }
                    '}' if opened => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(n);
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            found.push((name.to_owned(), start + 1, end - start + 1));
        }
    }
    found
}

#[test]
fn no_source_file_is_over_800_lines() {
    let over: Vec<String> = sources(&root().join("src"))
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path).expect("read").lines().count();
            (lines > MAX_FILE_LINES).then(|| format!("{} ({lines} lines)", relative(path)))
        })
        .collect();
    assert!(
        over.is_empty(),
        "files over {MAX_FILE_LINES} lines:\n  {}",
        over.join("\n  ")
    );
}

#[test]
fn no_function_is_over_100_lines() {
    let mut over = Vec::new();
    for path in sources(&root().join("src")) {
        let text = std::fs::read_to_string(&path).expect("read");
        for (name, line, lines) in functions(&text) {
            if lines > MAX_FN_LINES {
                over.push(format!("{}:{line} {name} ({lines} lines)", relative(&path)));
            }
        }
    }
    assert!(
        over.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n  {}",
        over.join("\n  ")
    );
}

#[test]
fn the_command_line_stays_small() {
    let files = sources(&root().join("src/cli"));
    let total: usize = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read").lines().count())
        .sum();
    assert!(
        total < MAX_CLI_LINES,
        "src/cli/ has {total} lines in {} files; keep argument parsing, wiring and messages there",
        files.len()
    );
}

#[test]
fn functions_are_measured_past_braces_in_strings_chars_and_comments() {
    let text = r##"
pub(crate) async fn outer(x: u8) -> u8 {
    let a = "}}}{";
    let b = '}';
    let c = r#"{"#;
    // }
    /* { */
    let _l: &'static str = "x";
    x
}
fn declared();
fn next() {}
"##;
    let found = functions(text);
    assert_eq!(
        found,
        vec![("outer".to_owned(), 2, 9), ("next".to_owned(), 12, 1)]
    );
}
