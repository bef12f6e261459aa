//! A validator for the part of JSON Schema (2020-12) that `docs/heapsift.schema.json` uses:
//! `type`, `const`, `properties`, `required`, `additionalProperties: false`, `items`,
//! `minItems`/`maxItems`, `minimum`, `oneOf` and local `$ref`s. Anything else in the schema is
//! refused, so the schema cannot quietly say more than this checks.

use serde_json::Value;

/// The committed schema.
pub fn schema() -> Value {
    let text = std::fs::read_to_string(super::repo().join("docs/heapsift.schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every way `doc` breaks the schema, as `path: why` lines (empty when it is valid).
pub fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, schema, doc, "$", &mut out);
    out
}

const KNOWN: [&str; 17] = [
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "type",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "oneOf",
    "enum",
];

fn check(root: &Value, s: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let s = s.as_object().expect("a schema is an object");
    for k in s.keys() {
        assert!(
            KNOWN.contains(&k.as_str()),
            "the schema uses {k}, which this validator does not check"
        );
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local $ref");
        check(root, &root["$defs"][name], v, at, out);
    }
    if let Some(options) = s.get("oneOf").and_then(Value::as_array) {
        let fits: Vec<Vec<String>> = options
            .iter()
            .map(|o| {
                let mut e = Vec::new();
                check(root, o, v, at, &mut e);
                e
            })
            .collect();
        match fits.iter().filter(|e| e.is_empty()).count() {
            1 => {}
            0 => {
                // The closest option says most about what is wrong.
                let best = fits.iter().min_by_key(|e| e.len()).unwrap();
                out.extend(best.iter().cloned());
            }
            n => out.push(format!("{at}: fits {n} of oneOf")),
        }
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => panic!("type"),
        };
        let fits = |t: &str| match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            other => panic!("type {other}"),
        };
        if !types.iter().any(|t| fits(t)) {
            out.push(format!("{at}: {v} is not {}", types.join(" or ")));
            return;
        }
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        out.push(format!("{at}: {v} is not {c}"));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        out.push(format!("{at}: {v} is not one of {e:?}"));
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        out.push(format!("{at}: {n} is below {min}"));
    }
    if let Some(o) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !o.contains_key(r) {
                out.push(format!("{at}: missing {r}"));
            }
        }
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => check(root, ps, x, &format!("{at}.{k}"), out),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}: {k} is not in the schema"))
                }
                None => {}
            }
        }
    }
    if let Some(a) = v.as_array() {
        if let Some(items) = s.get("items") {
            for (i, x) in a.iter().enumerate() {
                check(root, items, x, &format!("{at}[{i}]"), out);
            }
        }
        if let Some(n) = s.get("minItems").and_then(Value::as_u64)
            && (a.len() as u64) < n
        {
            out.push(format!("{at}: fewer than {n} items"));
        }
        if let Some(n) = s.get("maxItems").and_then(Value::as_u64)
            && (a.len() as u64) > n
        {
            out.push(format!("{at}: more than {n} items"));
        }
    }
}
