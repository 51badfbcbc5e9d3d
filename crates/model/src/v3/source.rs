//! Where the server-side parsers read a request's fields from: a TC3
//! POST's JSON object or the flattened parameters of a v1 request or TC3
//! GET, behind one [`Source`] trait, each read refused with the API's own
//! error codes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{ModelError, quote};
use crate::text::json_type;
use crate::v3::codes::{ApiError, ErrorCode};

/// The common parameters of a v1 request or TC3 GET, which the flattened
/// parser leaves to the caller (the signature check) and does not read.
pub const COMMON_PARAMS: &[&str] = &[
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "Signature",
    "SignatureMethod",
    "Token",
    "Language",
    "RequestClient",
];

pub(crate) fn invalid_parameter(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message)
}

pub(crate) fn invalid_value(field: &str, error: &ModelError) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidParameterValue,
        format!("invalid value of {field}: {error}"),
    )
}

pub(crate) fn missing(field: &str) -> ApiError {
    ApiError::new(
        ErrorCode::MissingParameter,
        format!("the required parameter {field} is missing"),
    )
}

/// A list of header (name, value) pairs, or `None` for a missing half.
type RawHeaders = Vec<(String, String)>;

/// Where a parser reads fields from: a JSON object or flattened parameters.
/// Each `take_*` removes what it reads; [`Source::finish`] refuses the rest.
pub(crate) trait Source {
    fn take_str(&mut self, name: &str) -> Result<Option<String>, ApiError>;
    fn take_bool(&mut self, name: &str) -> Result<Option<bool>, ApiError>;
    fn take_uint(&mut self, name: &str) -> Result<Option<u64>, ApiError>;
    fn take_list(&mut self, name: &str) -> Result<Option<Vec<String>>, ApiError>;
    fn take_headers(&mut self, name: &str) -> Result<Option<RawHeaders>, ApiError>;
    /// A list of objects (`Filters`), each a source of its own fields
    /// (`Filters.0.Name`, … in the flattened form).
    fn take_objects(&mut self, name: &str) -> Result<Option<Vec<Box<dyn Source>>>, ApiError>;
    /// The first field no parser read, if any.
    fn leftover(&self) -> Option<String>;

    fn finish(&self) -> Result<(), ApiError> {
        match self.leftover() {
            Some(name) => Err(ApiError::new(
                ErrorCode::UnknownParameter,
                format!(
                    "the parameter {} is not defined for this action",
                    quote(&name)
                ),
            )),
            None => Ok(()),
        }
    }
}

/// A JSON body's top-level object. `null` reads as absent.
pub(crate) struct JsonSource(pub(crate) serde_json::Map<String, Value>);

fn wrong_type(name: &str, want: &str, got: &Value) -> ApiError {
    invalid_parameter(format!(
        "the parameter {name} must be {want}, not {}",
        json_type(got)
    ))
}

impl JsonSource {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }
}

impl Source for JsonSource {
    fn take_str(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(wrong_type(name, "a string", &other)),
        }
    }

    fn take_bool(&mut self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(wrong_type(name, "a boolean", &other)),
        }
    }

    fn take_uint(&mut self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
            Some(Value::Number(n)) => Err(ApiError::new(
                ErrorCode::InvalidParameterValue,
                format!("the parameter {name} must be a whole number of at least 0, not {n}"),
            )),
            Some(other) => Err(wrong_type(name, "an integer", &other)),
        }
    }

    fn take_list(&mut self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(text) => Ok(text),
                    other => Err(wrong_type(&format!("{name}.{i}"), "a string", &other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(wrong_type(name, "an array of strings", &other)),
        }
    }

    fn take_headers(&mut self, name: &str) -> Result<Option<RawHeaders>, ApiError> {
        let items = match self.take(name) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(wrong_type(name, "an array of objects", &other)),
        };
        let mut headers = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let Value::Object(object) = item else {
                return Err(wrong_type(&format!("{name}.{i}"), "an object", &item));
            };
            let mut object = JsonSource(object);
            let field_name = |field: &str| format!("{name}.{i}.{field}");
            let header_name = object
                .take_str("Name")
                .map_err(|_| invalid_parameter(format!("{} must be a string", field_name("Name"))))?
                .ok_or_else(|| missing(&field_name("Name")))?;
            let value = object
                .take_str("Value")
                .map_err(|_| {
                    invalid_parameter(format!("{} must be a string", field_name("Value")))
                })?
                .ok_or_else(|| missing(&field_name("Value")))?;
            if let Some(extra) = object.leftover() {
                return Err(ApiError::new(
                    ErrorCode::UnknownParameter,
                    format!(
                        "the parameter {} is not defined",
                        quote(&field_name(&extra))
                    ),
                ));
            }
            headers.push((header_name, value));
        }
        Ok(Some(headers))
    }

    fn take_objects(&mut self, name: &str) -> Result<Option<Vec<Box<dyn Source>>>, ApiError> {
        let items = match self.take(name) {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(wrong_type(name, "an array of objects", &other)),
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(object) => Ok(Box::new(JsonSource(object)) as Box<dyn Source>),
                other => Err(wrong_type(&format!("{name}.{i}"), "an object", &other)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn leftover(&self) -> Option<String> {
        self.0
            .iter()
            .find(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
    }
}

/// Flattened parameters, common ones dropped, each name once.
pub(crate) struct FlatSource(BTreeMap<String, String>);

impl FlatSource {
    pub(crate) fn new<I, K, V>(params: I) -> Result<Self, ApiError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut map = BTreeMap::new();
        for (name, value) in params {
            let name = name.as_ref();
            if COMMON_PARAMS.contains(&name) {
                continue;
            }
            if map
                .insert(name.to_owned(), value.as_ref().to_owned())
                .is_some()
            {
                return Err(invalid_parameter(format!(
                    "the parameter {} appears more than once",
                    quote(name)
                )));
            }
        }
        Ok(Self(map))
    }

    /// The items of the list `name` (see [`take_indexed`](Self::take_indexed)),
    /// `None` when there are none; a bare `name=value` is refused, naming
    /// the flattened `form` the list takes.
    #[allow(clippy::type_complexity)]
    fn take_items(
        &mut self,
        name: &str,
        form: &str,
    ) -> Result<Option<BTreeMap<usize, Vec<(String, String)>>>, ApiError> {
        if let Some(value) = self.0.remove(name) {
            return Err(invalid_parameter(format!(
                "the parameter {name} ({}) must be a list: {form}",
                quote(&value)
            )));
        }
        let items = self.take_indexed(name)?;
        Ok((!items.is_empty()).then_some(items))
    }

    /// Removes the items `{list}.{index}{suffix}` and returns them by index,
    /// checking that the indices are canonical decimals. `suffix` is `""`
    /// for string lists and `.Name`/`.Value` for headers.
    fn take_indexed(
        &mut self,
        list: &str,
    ) -> Result<BTreeMap<usize, Vec<(String, String)>>, ApiError> {
        let prefix = format!("{list}.");
        let keys: Vec<String> = self
            .0
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        let mut items: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
        for key in keys {
            let rest = &key[prefix.len()..];
            let (digits, field) = rest.split_once('.').unwrap_or((rest, ""));
            let canonical = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            let index = digits
                .parse::<usize>()
                .ok()
                .filter(|_| canonical)
                .ok_or_else(|| {
                    invalid_parameter(format!(
                        "the parameter name {} is not {list}.N with N a decimal index",
                        quote(&key)
                    ))
                })?;
            let value = self.0.remove(&key).unwrap_or_default();
            items
                .entry(index)
                .or_default()
                .push((field.to_owned(), value));
        }
        if let Some((position, index)) = items
            .keys()
            .enumerate()
            .find(|&(position, &index)| position != index)
        {
            return Err(invalid_parameter(format!(
                "{list}.{position} is missing but {list}.{index} is present; number the items \
                 from 0 without gaps"
            )));
        }
        Ok(items)
    }
}

fn parse_flat_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidParameterValue,
            format!(
                "the parameter {name} is {}; it must be true or false",
                quote(value)
            ),
        ))
    }
}

impl Source for FlatSource {
    fn take_str(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        Ok(self.0.remove(name))
    }

    fn take_bool(&mut self, name: &str) -> Result<Option<bool>, ApiError> {
        self.0
            .remove(name)
            .map(|v| parse_flat_bool(name, &v))
            .transpose()
    }

    fn take_uint(&mut self, name: &str) -> Result<Option<u64>, ApiError> {
        self.0
            .remove(name)
            .map(|v| {
                v.parse::<u64>().ok().filter(|_| v.bytes().all(|b| b.is_ascii_digit())).ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidParameterValue,
                        format!(
                            "the parameter {name} is {}; it must be a whole number of at least 0",
                            quote(&v)
                        ),
                    )
                })
            })
            .transpose()
    }

    fn take_list(&mut self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let Some(items) = self.take_items(name, &format!("{name}.0, {name}.1, …"))? else {
            return Ok(None);
        };
        items
            .into_iter()
            .map(|(index, mut fields)| match fields.as_slice() {
                [(field, _)] if field.is_empty() => Ok(fields.remove(0).1),
                _ => Err(invalid_parameter(format!(
                    "{name}.{index} must be a string, not an object"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn take_headers(&mut self, name: &str) -> Result<Option<RawHeaders>, ApiError> {
        let Some(items) = self.take_items(name, &format!("{name}.0.Name, {name}.0.Value, …"))?
        else {
            return Ok(None);
        };
        let mut headers = Vec::with_capacity(items.len());
        for (index, fields) in items {
            let (mut header_name, mut value) = (None, None);
            for (field, text) in fields {
                match field.as_str() {
                    "Name" => header_name = Some(text),
                    "Value" => value = Some(text),
                    other => {
                        return Err(ApiError::new(
                            ErrorCode::UnknownParameter,
                            format!(
                                "the parameter {} is not defined",
                                quote(&format!("{name}.{index}.{other}"))
                            ),
                        ));
                    }
                }
            }
            let header_name =
                header_name.ok_or_else(|| missing(&format!("{name}.{index}.Name")))?;
            let value = value.ok_or_else(|| missing(&format!("{name}.{index}.Value")))?;
            headers.push((header_name, value));
        }
        Ok(Some(headers))
    }

    fn take_objects(&mut self, name: &str) -> Result<Option<Vec<Box<dyn Source>>>, ApiError> {
        let Some(items) = self.take_items(name, &format!("{name}.0.Name, …"))? else {
            return Ok(None);
        };
        items
            .into_iter()
            .map(|(index, fields)| {
                if fields.iter().any(|(field, _)| field.is_empty()) {
                    return Err(invalid_parameter(format!(
                        "{name}.{index} must be an object, not a string"
                    )));
                }
                Ok(Box::new(FlatSource::new(fields)?) as Box<dyn Source>)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn leftover(&self) -> Option<String> {
        self.0.keys().next().cloned()
    }
}
