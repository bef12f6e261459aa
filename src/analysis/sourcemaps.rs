//! Source maps of a snapshot's scripts: positions in a bundled or transpiled script mapped back
//! to the original file, line and column, and minified names back to the original ones. The
//! engine finds and reads the maps (`engine::sourcemaps`); this is the pure lookup.

use rustc_hash::FxHashMap;

/// A position in an original source file, 0-based like V8's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// As the map names it (`../src/profiles.ts`, `webpack://app/src/x.ts`).
    pub source: String,
    pub line: u32,
    pub column: u32,
}

struct Mapped {
    map: sourcemap::SourceMap,
    /// The generated script's lines, to find minified names near a position.
    lines: Vec<String>,
}

/// The maps found for a snapshot's scripts, by script id.
#[derive(Default)]
pub struct SourceMaps {
    scripts: FxHashMap<u32, Mapped>,
}

impl std::fmt::Debug for SourceMaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SourceMaps({} scripts)", self.scripts.len())
    }
}

/// How far back from a position a minified name is looked for.
const NAME_SEARCH: usize = 4096;

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

impl SourceMaps {
    /// Adds the map of `script_id` from its JSON; `generated` is the script's text.
    pub fn add(&mut self, script_id: u32, map_json: &[u8], generated: &str) -> Result<(), String> {
        let map = match sourcemap::decode_slice(map_json).map_err(|e| e.to_string())? {
            sourcemap::DecodedMap::Regular(m) => m,
            sourcemap::DecodedMap::Index(i) => i.flatten().map_err(|e| e.to_string())?,
            sourcemap::DecodedMap::Hermes(h) => (*h).clone(),
        };
        let lines = generated.lines().map(str::to_owned).collect();
        self.scripts.insert(script_id, Mapped { map, lines });
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    pub fn has(&self, script_id: u32) -> bool {
        self.scripts.contains_key(&script_id)
    }

    /// Where a generated position (0-based) came from.
    pub fn position(&self, script_id: u32, line: u32, column: u32) -> Option<Original> {
        let m = self.scripts.get(&script_id)?;
        let t = m.map.lookup_token(line, column)?;
        // A token of an earlier line maps nothing on this one.
        if t.get_dst_line() != line {
            return None;
        }
        Some(Original {
            source: t.get_source()?.to_owned(),
            line: t.get_src_line(),
            column: t.get_src_col(),
        })
    }

    /// The original name of `minified`, the class or function declared at or just before a
    /// generated position (a constructor's or a function's parameters): the nearest earlier
    /// whole-word occurrence of the minified name whose token the map names.
    pub fn name(&self, script_id: u32, line: u32, column: u32, minified: &str) -> Option<String> {
        if minified.is_empty() || !minified.bytes().all(is_ident) {
            return None;
        }
        let m = self.scripts.get(&script_id)?;
        let text = m.lines.get(line as usize)?.as_bytes();
        let end = (column as usize).min(text.len());
        let start = end.saturating_sub(NAME_SEARCH);
        let needle = minified.as_bytes();
        let mut at = end;
        while at > start {
            let hay = &text[start..at];
            let found = hay.windows(needle.len()).rposition(|w| w == needle)?;
            let pos = start + found;
            at = pos;
            let before = pos.checked_sub(1).map(|i| text[i]);
            let after = text.get(pos + needle.len()).copied();
            if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
                continue;
            }
            if let Some(t) = m.map.lookup_token(line, pos as u32)
                && t.get_dst_line() == line
                && t.get_dst_col() == pos as u32
                && let Some(name) = t.get_name()
            {
                return (name != minified).then(|| name.to_owned());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// esbuild's output for `export class TenantProfile { constructor(…) }` minified: an
    /// anonymous class assigned to `o`, its map naming `o` TenantProfile.
    #[test]
    fn positions_and_names_map_back() {
        let generated = "var o=class{constructor(t,n){this.tenant=t}};function a(e){return new o(e)}\n";
        let mut b = sourcemap::SourceMapBuilder::new(None);
        let src = b.add_source("../src/profiles.ts");
        let (class, function) = (b.add_name("TenantProfile"), b.add_name("remember"));
        b.add_raw(0, 4, 6, 13, Some(src), Some(class), false);
        b.add_raw(0, 12, 8, 2, Some(src), None, false);
        b.add_raw(0, 45, 16, 0, Some(src), None, false);
        b.add_raw(0, 54, 16, 16, Some(src), Some(function), false);
        let mut json = Vec::new();
        b.into_sourcemap().to_writer(&mut json).unwrap();
        let mut maps = SourceMaps::default();
        maps.add(7, &json, generated).unwrap();
        // The constructor's parameters, as V8 reports the class.
        assert_eq!(
            maps.position(7, 0, 23),
            Some(Original {
                source: "../src/profiles.ts".into(),
                line: 8,
                column: 2
            })
        );
        assert_eq!(maps.name(7, 0, 23, "o").as_deref(), Some("TenantProfile"));
        assert_eq!(maps.name(7, 0, 55, "a").as_deref(), Some("remember"));
        assert_eq!(maps.name(7, 0, 23, "zz"), None);
        assert_eq!(maps.position(8, 0, 0), None, "no map for another script");
        assert!(maps.add(9, b"{not json", generated).is_err());
    }
}
