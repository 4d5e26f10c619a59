//! Words for people: counts with the right plural, so output never says "1 devices".

/// `n` and the noun in the number it takes: `count(1, "device", "devices")` is `1 device`,
/// `count(3, "device", "devices")` is `3 devices`, `count(0, ...)` is `0 devices`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1u32, "device", "devices"), "1 device");
        assert_eq!(count(0u32, "device", "devices"), "0 devices");
        assert_eq!(count(2u64, "retry", "retries"), "2 retries");
    }
}
