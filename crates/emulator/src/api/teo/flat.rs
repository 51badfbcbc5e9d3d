//! EdgeOne's parameters as flattened pairs (a TC3 GET's query or a v1
//! request: `Targets.0`, `Filters.0.Values.1`, `CacheTag.Domains.0`,
//! `Headers.0.Name`) nested back into the JSON body a TC3 POST carries, so
//! that one parser, the model's `teo::Request::from_json`, reads both.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tcdn_model::v3::{ApiError, COMMON_PARAMS, ErrorCode};

/// Fields whose flattened text stands for a number.
const NUMBERS: &[&str] = &["Offset", "Limit"];

/// Fields whose flattened text stands for a boolean (the SDKs write
/// `True`/`False` or `true`/`false`).
const BOOLEANS: &[&str] = &["EncodeUrl", "Fuzzy"];

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message)
}

/// A node of flattened parameters being nested: a value, or named parts.
enum Node {
    Leaf(String),
    Parts(BTreeMap<String, Node>),
}

/// The JSON body the flattened `pairs` stand for; parts named `0`, `1`, …
/// become arrays, and the numbers and booleans of EdgeOne's fields become
/// JSON's. The common parameters (`Action`, `Signature`, …) belong to the
/// signature and are left out.
pub(super) fn to_json(pairs: Vec<(String, String)>) -> Result<Vec<u8>, ApiError> {
    let mut root = BTreeMap::new();
    for (name, value) in pairs {
        if COMMON_PARAMS.contains(&name.as_str()) {
            continue;
        }
        let mut parts = name.split('.').peekable();
        let mut level = &mut root;
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                if level.insert(part.to_owned(), Node::Leaf(value)).is_some() {
                    return Err(invalid(format!("the parameter {name} is given twice")));
                }
                break;
            }
            let node = level
                .entry(part.to_owned())
                .or_insert_with(|| Node::Parts(BTreeMap::new()));
            level = match node {
                Node::Parts(parts) => parts,
                Node::Leaf(_) => {
                    return Err(invalid(format!(
                        "the parameter {name} is both a value and a list"
                    )));
                }
            };
        }
    }
    let value = value_of("", "", Node::Parts(root))?;
    Ok(value.to_string().into_bytes())
}

/// The JSON value of `node`, found at `path` under the field `field`.
fn value_of(path: &str, field: &str, node: Node) -> Result<Value, ApiError> {
    let parts = match node {
        Node::Leaf(text) => return Ok(leaf(field, text)),
        Node::Parts(parts) => parts,
    };
    let indexes: Option<Vec<usize>> = parts.keys().map(|k| k.parse().ok()).collect();
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    match indexes {
        Some(mut indexes) if !path.is_empty() => {
            indexes.sort_unstable();
            if indexes.iter().enumerate().any(|(i, &n)| i != n) {
                return Err(invalid(format!(
                    "the list {path} is not numbered 0, 1, 2, … without gaps"
                )));
            }
            let mut items: Vec<(usize, Node)> = parts
                .into_iter()
                .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
                .collect();
            items.sort_unstable_by_key(|(i, _)| *i);
            items
                .into_iter()
                .map(|(i, node)| value_of(&join(&i.to_string()), field, node))
                .collect::<Result<_, _>>()
                .map(Value::Array)
        }
        _ => parts
            .into_iter()
            .map(|(name, node)| value_of(&join(&name), &name, node).map(|v| (name, v)))
            .collect::<Result<Map<_, _>, _>>()
            .map(Value::Object),
    }
}

/// A flattened value as JSON: a number or boolean where the field is one
/// and the text reads as one (else the text, for the parser to refuse).
fn leaf(field: &str, text: String) -> Value {
    if NUMBERS.contains(&field)
        && let Ok(number) = text.parse::<u64>()
    {
        return Value::from(number);
    }
    if BOOLEANS.contains(&field) {
        match text.to_ascii_lowercase().as_str() {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::String(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(pairs: &[(&str, &str)]) -> Result<Value, ApiError> {
        let pairs = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        to_json(pairs).map(|bytes| serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn flattened_parameters_nest_into_the_json_body() {
        let value = nested(&[
            ("ZoneId", "zone-a"),
            ("Filters.0.Name", "target"),
            ("Filters.0.Values.1", "y"),
            ("Filters.0.Values.0", "x"),
            ("Filters.0.Fuzzy", "True"),
            ("Limit", "5"),
            ("Action", "DescribePurgeTasks"),
            ("Signature", "s"),
        ])
        .unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "ZoneId": "zone-a",
                "Limit": 5,
                "Filters": [{"Name": "target", "Values": ["x", "y"], "Fuzzy": true}],
            })
        );
        let value = nested(&[("CacheTag.Domains.0", "a.example.com"), ("Limit", "x")]).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"CacheTag": {"Domains": ["a.example.com"]}, "Limit": "x"})
        );
    }

    #[test]
    fn gaps_and_clashes_are_refused() {
        for pairs in [
            &[("Targets.1", "x")][..],
            &[("Targets.0", "x"), ("Targets.0.Name", "y")][..],
            &[("Targets", "x"), ("Targets.0", "y")][..],
        ] {
            let error = nested(pairs).unwrap_err();
            assert_eq!(error.code(), &ErrorCode::InvalidParameter, "{pairs:?}");
        }
    }
}
