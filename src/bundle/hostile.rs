//! What a bundle line may hold, checked before it is decoded into its type; and the writer's
//! side of it, making device text fit to send.
//!
//! Device text is hostile: a sysDescr may hold escape sequences, a neighbour's name may be
//! megabytes. A reader refuses a line that nests deeper than [`MAX_DEPTH`] (checked on the
//! bytes before parsing, so the parser never recurses further), that holds a string or key
//! longer than [`Limits::max_string`], or one with a control character other than tab, line
//! feed and carriage return (C0, DEL, C1). The record keeps those three: real sysDescr values
//! span lines.

use serde_json::Value;

use super::{Limits, MAX_DEPTH};

/// A character a bundle never carries.
pub(super) fn is_hostile(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether a line's arrays and objects nest deeper than [`MAX_DEPTH`], read from its bytes
/// (brackets inside strings do not count). Total on any bytes.
pub(super) fn too_deep(line: &[u8]) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in line {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Checks a decoded line: its nesting, and every string and key. The reason names what is
/// wrong without repeating the text.
pub(super) fn check(value: &Value, limits: &Limits) -> Result<(), String> {
    check_at(value, limits, 1)
}

fn check_at(value: &Value, limits: &Limits, depth: usize) -> Result<(), String> {
    match value {
        Value::String(s) => check_string(s, "a string", limits),
        Value::Array(items) => {
            deeper(depth)?;
            items
                .iter()
                .try_for_each(|v| check_at(v, limits, depth + 1))
        }
        Value::Object(map) => {
            deeper(depth)?;
            map.iter().try_for_each(|(k, v)| {
                check_string(k, "a key", limits)?;
                check_at(v, limits, depth + 1)
            })
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

fn deeper(depth: usize) -> Result<(), String> {
    match depth > MAX_DEPTH {
        true => Err(format!("arrays and objects nest deeper than {MAX_DEPTH}")),
        false => Ok(()),
    }
}

fn check_string(s: &str, what: &str, limits: &Limits) -> Result<(), String> {
    if s.len() > limits.max_string {
        return Err(format!(
            "{what} of {} bytes, over the limit of {}",
            s.len(),
            limits.max_string
        ));
    }
    match s.chars().find(|&c| is_hostile(c)) {
        Some(c) => Err(format!(
            "{what} holds the control character U+{:04X}",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// What the writer puts in place of a string's end cut at the limit.
const CUT: &str = "… (cut)";

/// Makes every string and key of `value` pass [`check`] at `max_string`: each hostile
/// character written as `\xNN` (the way a record's `cleaned` originals write them), and a
/// string still too long cut at a character boundary, ending in `… (cut)`.
pub(super) fn fit(value: &mut Value, max_string: usize) {
    match value {
        Value::String(s) => fit_string(s, max_string),
        Value::Array(items) => items.iter_mut().for_each(|v| fit(v, max_string)),
        Value::Object(map) => {
            let unfit = |k: &String| k.len() > max_string || k.chars().any(is_hostile);
            if map.keys().any(unfit) {
                let old = std::mem::take(map);
                for (mut k, v) in old {
                    fit_string(&mut k, max_string);
                    map.insert(k, v);
                }
            }
            map.values_mut().for_each(|v| fit(v, max_string));
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn fit_string(s: &mut String, max_string: usize) {
    if s.chars().any(is_hostile) {
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            match is_hostile(c) {
                true => out.push_str(&format!("\\x{:02x}", u32::from(c))),
                false => out.push(c),
            }
        }
        *s = out;
    }
    if s.len() > max_string {
        let mut end = max_string.saturating_sub(CUT.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str(CUT);
    }
}

/// At most the first `max` characters of `s`, for a message that names what was sent.
pub(super) fn excerpt(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
