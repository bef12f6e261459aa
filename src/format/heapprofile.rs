//! The `.heapprofile` format: a sampling heap profile, as `node --heap-prof`, DevTools'
//! "Allocation sampling" and `HeapProfiler.stopSampling` write it. A tree of call frames from
//! `head`, each with the bytes of the sampled allocations made there (`selfSize`), and the
//! samples themselves. Small (kilobytes to a few megabytes): parsed whole.

use serde::Deserialize;

use crate::error::{Error, Result};

/// Where a function is: as the profile writes it (0-based line and column, -1 when unknown).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub struct CallFrame {
    #[serde(default)]
    pub function_name: String,
    /// V8's script id, as a string; tells apart same-named functions of scripts with no URL.
    #[serde(default)]
    pub script_id: ScriptId,
    #[serde(default)]
    pub url: String,
    #[serde(default = "unknown")]
    pub line_number: i64,
    #[serde(default = "unknown")]
    pub column_number: i64,
}

fn unknown() -> i64 {
    -1
}

/// A script id, written as a string by V8 (`"81"`) and as a number by some tools.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ScriptId(pub String);

impl<'de> Deserialize<'de> for ScriptId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Number(i64),
        }
        Ok(ScriptId(match Either::deserialize(d)? {
            Either::Text(s) => s,
            Either::Number(n) => n.to_string(),
        }))
    }
}

/// A node of the call tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileNode {
    pub call_frame: CallFrame,
    /// Bytes of the sampled allocations made in this frame itself.
    #[serde(default)]
    pub self_size: f64,
    #[serde(default)]
    pub children: Vec<ProfileNode>,
}

/// One sample: an allocation of `size` bytes.
#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    pub size: f64,
}

/// A sampling heap profile.
#[derive(Debug, Clone, Deserialize)]
pub struct HeapProfile {
    pub head: ProfileNode,
    #[serde(default)]
    pub samples: Vec<Sample>,
}

/// Parses a profile from its bytes (a `.heapprofile`, decompressed if it was gzipped).
pub fn parse(bytes: &[u8]) -> Result<HeapProfile> {
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() || e.is_syntax() || e.is_eof() {
            Error::invalid(format!(
                "not a sampling heap profile (.heapprofile, a JSON object with a \"head\" call tree): {e}"
            ))
        } else {
            Error::invalid(e.to_string())
        }
    })
}
