//! The `snapshot` header: counts and the `meta` description of every other section.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
struct RawHeader {
    meta: RawMeta,
    node_count: Option<f64>,
    edge_count: Option<f64>,
    #[serde(default)]
    extra_native_bytes: Option<f64>,
    #[serde(default)]
    root_index: Option<f64>,
    #[serde(default)]
    trace_function_count: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct RawMeta {
    node_fields: Vec<String>,
    node_types: Vec<Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<Value>,
    #[serde(default)]
    location_fields: Option<Vec<String>>,
    #[serde(default)]
    trace_function_info_fields: Option<Vec<String>>,
    #[serde(default)]
    trace_node_fields: Option<Vec<String>>,
    #[serde(default)]
    sample_fields: Option<Vec<String>>,
}

/// Role of one field of a node record, resolved by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeField {
    Type,
    Name,
    Id,
    SelfSize,
    EdgeCount,
    Detachedness,
    TraceNodeId,
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeField {
    Type,
    NameOrIndex,
    ToNode,
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocationField {
    ObjectIndex,
    ScriptId,
    Line,
    Column,
    Ignored,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub node_fields: Vec<NodeField>,
    pub node_types: Vec<String>,
    pub edge_fields: Vec<EdgeField>,
    pub edge_types: Vec<String>,
    pub(crate) location_fields: Vec<LocationField>,
    pub node_count: usize,
    pub edge_count: usize,
    pub extra_native_bytes: f64,
    /// Node index (not ordinal) of the root, as DevTools reads it.
    pub(crate) root_index: Option<u64>,
    pub(crate) has_detachedness: bool,
    /// Allocation tracking was on: DevTools reads `trace_node_id`s, `trace_function_infos` and
    /// `trace_tree` only when the header counts functions.
    pub(crate) tracked: bool,
    /// Field names of `trace_function_infos` records and `trace_tree` nodes (V8's when absent).
    pub(crate) trace_function_info_fields: Vec<String>,
    pub(crate) trace_node_fields: Vec<String>,
    /// Field names of the `samples` records of an allocation timeline.
    pub(crate) sample_fields: Vec<String>,
}

fn type_names(types: &[Value], offset: usize, what: &str) -> Result<Vec<String>> {
    let list = types
        .get(offset)
        .and_then(Value::as_array)
        .ok_or_else(|| Error::invalid(format!("meta.{what} does not list the type names")))?;
    list.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::invalid(format!("meta.{what} holds a type name that is not a string")))
        })
        .collect()
}

fn count(v: Option<f64>, what: &str) -> Result<usize> {
    let v = v.ok_or_else(|| Error::invalid(format!("the snapshot header has no {what}")))?;
    if !(v >= 0.0 && v.fract() == 0.0 && v < u32::MAX as f64 * 8.0) {
        return Err(Error::invalid(format!(
            "the snapshot header has an invalid {what} ({v})"
        )));
    }
    Ok(v as usize)
}

pub(crate) fn parse_header(json: &[u8]) -> Result<Header> {
    let raw: RawHeader =
        serde_json::from_slice(json).map_err(|e| Error::invalid(format!("the snapshot header is not valid: {e}")))?;
    let meta = raw.meta;

    let node_fields: Vec<NodeField> = meta
        .node_fields
        .iter()
        .map(|f| match f.as_str() {
            "type" => NodeField::Type,
            "name" => NodeField::Name,
            "id" => NodeField::Id,
            "self_size" => NodeField::SelfSize,
            "edge_count" => NodeField::EdgeCount,
            "detachedness" => NodeField::Detachedness,
            "trace_node_id" => NodeField::TraceNodeId,
            _ => NodeField::Ignored,
        })
        .collect();
    for (need, name) in [
        (NodeField::Type, "type"),
        (NodeField::Name, "name"),
        (NodeField::Id, "id"),
        (NodeField::SelfSize, "self_size"),
        (NodeField::EdgeCount, "edge_count"),
    ] {
        if !node_fields.contains(&need) {
            return Err(Error::invalid(format!("meta.node_fields has no \"{name}\" field")));
        }
    }
    let type_offset = meta.node_fields.iter().position(|f| f == "type").unwrap_or(0);
    let node_types = type_names(&meta.node_types, type_offset, "node_types")?;

    let edge_fields: Vec<EdgeField> = meta
        .edge_fields
        .iter()
        .map(|f| match f.as_str() {
            "type" => EdgeField::Type,
            "name_or_index" => EdgeField::NameOrIndex,
            "to_node" => EdgeField::ToNode,
            _ => EdgeField::Ignored,
        })
        .collect();
    for (need, name) in [
        (EdgeField::Type, "type"),
        (EdgeField::NameOrIndex, "name_or_index"),
        (EdgeField::ToNode, "to_node"),
    ] {
        if !edge_fields.contains(&need) {
            return Err(Error::invalid(format!("meta.edge_fields has no \"{name}\" field")));
        }
    }
    let edge_type_offset = meta.edge_fields.iter().position(|f| f == "type").unwrap_or(0);
    let edge_types = type_names(&meta.edge_types, edge_type_offset, "edge_types")?;
    if node_types.len() > 255 || edge_types.len() > 255 {
        return Err(Error::invalid("meta lists more than 255 node or edge types"));
    }

    let location_fields = meta
        .location_fields
        .unwrap_or_default()
        .iter()
        .map(|f| match f.as_str() {
            "object_index" => LocationField::ObjectIndex,
            "script_id" => LocationField::ScriptId,
            "line" => LocationField::Line,
            "column" => LocationField::Column,
            _ => LocationField::Ignored,
        })
        .collect();

    Ok(Header {
        has_detachedness: node_fields.contains(&NodeField::Detachedness),
        node_fields,
        node_types,
        edge_fields,
        edge_types,
        location_fields,
        node_count: count(raw.node_count, "node_count")?,
        edge_count: count(raw.edge_count, "edge_count")?,
        extra_native_bytes: raw.extra_native_bytes.unwrap_or(0.0),
        root_index: raw.root_index.filter(|v| *v > 0.0).map(|v| v as u64),
        tracked: raw.trace_function_count.is_some_and(|c| c > 0.0),
        trace_function_info_fields: meta.trace_function_info_fields.unwrap_or_else(|| {
            ["function_id", "name", "script_name", "script_id", "line", "column"]
                .map(String::from)
                .to_vec()
        }),
        sample_fields: meta
            .sample_fields
            .unwrap_or_else(|| ["timestamp_us", "last_assigned_id"].map(String::from).to_vec()),
        trace_node_fields: meta.trace_node_fields.unwrap_or_else(|| {
            ["id", "function_info_index", "count", "size", "children"]
                .map(String::from)
                .to_vec()
        }),
    })
}
