//! Text for people: numbers, sizes and shortened names. Plain string helpers that import
//! nothing from the crate, so every layer may use them (error messages included), like
//! `error` and `progress`; how objects are named is the presentation layer's (`present`).

/// `1234567` → `"1,234,567"`.
pub(crate) fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 object`, `2,051 objects`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n as u64), if n == 1 { one } else { many })
}

/// Sizes as people read them: `512 B`, `12.3 KB`, `1,024.5 MB` (powers of 1024).
pub fn bytes(v: f64) -> String {
    const KB: f64 = 1024.0;
    let v = v.max(0.0);
    if v < KB {
        format!("{} B", thousands(v.round() as u64))
    } else if v < KB * KB {
        format!("{:.1} KB", v / KB)
    } else if v < KB * KB * KB {
        with_separators(v / KB / KB, "MB")
    } else {
        with_separators(v / KB / KB / KB, "GB")
    }
}

fn with_separators(v: f64, unit: &str) -> String {
    let tenths = (v * 10.0).round() as u64;
    format!("{}.{} {unit}", thousands(tenths / 10), tenths % 10)
}

/// A size change: `+1.5 KB`, `−512 B`, `0 B`.
pub(crate) fn signed_bytes(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", bytes(v))
    } else if v < 0.0 {
        format!("−{}", bytes(-v))
    } else {
        "0 B".into()
    }
}

/// A count change: `+1,600`, `−20`, `0`.
pub(crate) fn signed_count(v: i64) -> String {
    let body = thousands(v.unsigned_abs());
    match v.signum() {
        1 => format!("+{body}"),
        -1 => format!("−{body}"),
        _ => body,
    }
}

/// Shortens long text for one line, keeping its length visible: control characters become
/// spaces, and past `max` characters it ends in `… (N chars)`.
pub(crate) fn preview(s: &str, max: usize) -> String {
    let count = s.chars().count();
    let flat: String = s
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if count > max {
        format!("{flat}… ({count} chars)")
    } else {
        flat
    }
}

/// `part / total` as a percentage with one decimal, `"0%"` for an empty total.
pub(crate) fn percent(part: f64, total: f64) -> String {
    if total <= 0.0 {
        return "0%".into();
    }
    let p = part / total * 100.0;
    if p >= 99.95 || p == 0.0 {
        format!("{:.0}%", p)
    } else if p < 0.05 {
        "<0.1%".into()
    } else {
        format!("{:.1}%", p)
    }
}

/// Parses sizes like `1MB`, `512kb`, `2 GB`, `1000` (bytes; units are powers of 1024).
pub(crate) fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((n * mult).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KB");
        assert_eq!(bytes(3.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0), "3,072.0 GB");
        assert_eq!(percent(1.0, 3.0), "33.3%");
        assert_eq!(percent(3.0, 3.0), "100%");
        assert_eq!(percent(1.0, 10_000.0), "<0.1%");
        assert_eq!(signed_bytes(-1536.0), "−1.5 KB");
        assert_eq!(signed_bytes(2.0), "+2 B");
        assert_eq!(signed_count(-20), "−20");
        assert_eq!(signed_count(1600), "+1,600");
        assert_eq!(signed_count(0), "0");
        assert_eq!(preview("a\nb", 5), "a b");
        assert_eq!(preview("abcdef", 3), "abc… (6 chars)");
        assert_eq!(parse_size("1MB"), Some(1 << 20));
        assert_eq!(parse_size("2 kb"), Some(2048));
        assert_eq!(parse_size("abc"), None);
    }
}
