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

/// How sizes are printed, for the whole process: the command line's `--binary-units` and
/// `--bytes` set it once at start; the app keeps the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Units {
    /// kB, MB, GB of 1000, as DevTools prints them (`ByteUtilities.bytesToString`).
    Decimal,
    /// KiB, MiB, GiB of 1024.
    Binary,
    /// Whole bytes with no unit, for scripts.
    Bytes,
}

static UNITS: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets how every later size is printed.
pub fn set_units(u: Units) {
    UNITS.store(u as u8, std::sync::atomic::Ordering::Relaxed);
}

/// How sizes are printed now.
pub fn units() -> Units {
    match UNITS.load(std::sync::atomic::Ordering::Relaxed) {
        1 => Units::Binary,
        2 => Units::Bytes,
        _ => Units::Decimal,
    }
}

/// Sizes as people read them, in the units set by [`set_units`]: as DevTools prints them,
/// `512 B`, `12.3 kB`, `123 kB`, `12.3 MB`, `123 MB` (and past 1000 MB, `1.6 GB`).
pub fn bytes(v: f64) -> String {
    in_units(v, units())
}

/// A size in the given units (see [`bytes`]).
pub fn in_units(v: f64, units: Units) -> String {
    let v = v.max(0.0);
    let (base, names) = match units {
        Units::Bytes => return format!("{}", v.round() as u64),
        Units::Decimal => (1000.0, ["kB", "MB", "GB"]),
        Units::Binary => (1024.0, ["KiB", "MiB", "GiB"]),
    };
    if v < base {
        return format!("{} B", v.round() as u64);
    }
    let mut scaled = v / base;
    let mut unit = 0;
    while scaled >= base && unit < names.len() - 1 {
        scaled /= base;
        unit += 1;
    }
    // One decimal under 100, as DevTools does; whole numbers above.
    if scaled < 100.0 {
        format!("{scaled:.1} {}", names[unit])
    } else {
        format!("{} {}", thousands(scaled.round() as u64), names[unit])
    }
}

/// A size change: `+1.5 kB`, `−512 B`, `0 B`.
pub(crate) fn signed_bytes(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", bytes(v))
    } else if v < 0.0 {
        format!("−{}", bytes(-v))
    } else {
        bytes(0.0)
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

/// Parses sizes like `1MB`, `512kB`, `2 GiB`, `1000` (bytes): kB, MB and GB are powers of
/// 1000 as DevTools prints them, KiB, MiB and GiB powers of 1024; case does not matter.
pub(crate) fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
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
        assert_eq!(bytes(999.0), "999 B");
        assert_eq!(bytes(1536.0), "1.5 kB");
        assert_eq!(bytes(99_949.0), "99.9 kB");
        assert_eq!(bytes(123_456.0), "123 kB");
        assert_eq!(bytes(39_900_000.0), "39.9 MB");
        assert_eq!(bytes(437_000_000.0), "437 MB");
        assert_eq!(bytes(1.6e9), "1.6 GB");
        assert_eq!(bytes(3.0e12), "3,000 GB");
        assert_eq!(in_units(1536.0, Units::Binary), "1.5 KiB");
        assert_eq!(in_units(3.0 * 1024.0 * 1024.0, Units::Binary), "3.0 MiB");
        assert_eq!(in_units(1536.4, Units::Bytes), "1536");
        assert_eq!(percent(1.0, 3.0), "33.3%");
        assert_eq!(percent(3.0, 3.0), "100%");
        assert_eq!(percent(1.0, 10_000.0), "<0.1%");
        assert_eq!(signed_bytes(-1536.0), "−1.5 kB");
        assert_eq!(signed_bytes(2.0), "+2 B");
        assert_eq!(signed_count(-20), "−20");
        assert_eq!(signed_count(1600), "+1,600");
        assert_eq!(signed_count(0), "0");
        assert_eq!(preview("a\nb", 5), "a b");
        assert_eq!(preview("abcdef", 3), "abc… (6 chars)");
        assert_eq!(parse_size("1MB"), Some(1_000_000));
        assert_eq!(parse_size("1MiB"), Some(1 << 20));
        assert_eq!(parse_size("2 kB"), Some(2000));
        assert_eq!(parse_size("2 KiB"), Some(2048));
        assert_eq!(parse_size("abc"), None);
    }
}
