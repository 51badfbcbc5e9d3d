//! The two wire forms of an API 3.0 request, made from one list of fields
//! so they cannot disagree: the JSON body (TC3 POST) and the flattened
//! parameters (v1 GET/POST, TC3 GET), with their exact encoded lengths.

use std::borrow::Cow;

use tcdn_sign::encode::{form_value_into, form_value_len};
use tcdn_sign::flatten::element_name;

pub(crate) use crate::json::{str_len as json_str_len, write_str as write_json_str};
use crate::url::CdnUrl;
use crate::url_list::CdnUrlList;
use crate::v3::domains::DomainFilter;
use crate::v3::types::HttpHeader;

/// How the flattened form writes `true`: as the official Python SDK does
/// (`urlencode` of Python's `True`). `false` is never sent: every boolean
/// field is left out when false, the API's default.
pub const FLAT_TRUE: &str = "True";

/// One field's value.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Str(&'a str),
    True,
    Uint(u64),
    Urls(Urls<'a>),
    Headers(&'a [HttpHeader]),
    Filters(&'a [DomainFilter]),
}

/// A URL list's values: a request's own [`CdnUrl`]s, or positions
/// `start..end` of a [`CdnUrlList`] (a planned call read in place).
#[derive(Debug, Clone, Copy)]
pub enum Urls<'a> {
    Owned(&'a [CdnUrl]),
    Listed(&'a CdnUrlList, usize, usize),
}

impl<'a> Urls<'a> {
    /// The values' text, in order.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> {
        let count = match self {
            Self::Owned(urls) => urls.len(),
            Self::Listed(_, start, end) => end.saturating_sub(start),
        };
        (0..count).map(move |index| match self {
            Self::Owned(urls) => urls[index].as_str(),
            Self::Listed(list, start, _) => list.get(start + index).unwrap_or_default(),
        })
    }
}

/// A request's fields in wire order; absent ones are not listed.
pub type Fields<'a> = Vec<(&'static str, Value<'a>)>;

fn decimal_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// The JSON body: compact, fields in the given order.
pub(crate) fn json(fields: &Fields<'_>) -> String {
    // Room for the body as it is when no string needs escaping (nearly
    // always): measuring it exactly would take a pass over every URL.
    let mut out = String::with_capacity(json_len_with(fields, |text| 2 + text.len()));
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_str(name, &mut out);
        out.push(':');
        match *value {
            Value::Str(text) => write_json_str(text, &mut out),
            Value::True => out.push_str("true"),
            Value::Uint(n) => out.push_str(&n.to_string()),
            Value::Urls(urls) => write_array(urls.iter(), &mut out, write_json_str),
            Value::Headers(headers) => write_array(headers, &mut out, |header, out| {
                out.push_str("{\"Name\":");
                write_json_str(header.name(), out);
                out.push_str(",\"Value\":");
                write_json_str(header.value(), out);
                out.push('}');
            }),
            Value::Filters(filters) => write_array(filters, &mut out, |filter, out| {
                out.push_str("{\"Name\":");
                write_json_str(&filter.name, out);
                out.push_str(",\"Value\":");
                write_array(&filter.values, out, |value, out| write_json_str(value, out));
                if filter.fuzzy {
                    out.push_str(",\"Fuzzy\":true");
                }
                out.push('}');
            }),
        }
    }
    out.push('}');
    debug_assert_eq!(
        out.len(),
        json_len(fields),
        "the JSON length counter and writer disagree"
    );
    out
}

/// The length of a JSON array of items of these lengths: the brackets and
/// the commas between them.
fn array_len(lens: impl Iterator<Item = usize>) -> usize {
    let (count, sum) = lens.fold((0usize, 0usize), |(count, sum), len| (count + 1, sum + len));
    2 + sum + count.saturating_sub(1)
}

/// Writes a JSON array, `[a,b,…]`, each item by `write`.
fn write_array<T>(
    items: impl IntoIterator<Item = T>,
    out: &mut String,
    mut write: impl FnMut(T, &mut String),
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out);
    }
    out.push(']');
}

/// The length of a URL list item in a JSON body: its string literal, plus
/// the `,` before it unless it is the first.
pub(crate) fn json_item_len(index: usize, url: &str) -> usize {
    json_str_len(url) + usize::from(index > 0)
}

/// The exact length of [`json`]'s output.
pub(crate) fn json_len(fields: &Fields<'_>) -> usize {
    json_len_with(fields, json_str_len)
}

/// [`json_len`] with each string literal's length given by `str_len`.
fn json_len_with(fields: &Fields<'_>, str_len: impl Fn(&str) -> usize) -> usize {
    let commas = fields.len().saturating_sub(1);
    2 + commas
        + fields
            .iter()
            .map(|(name, value)| {
                str_len(name)
                    + 1
                    + match *value {
                        Value::Str(text) => str_len(text),
                        Value::True => 4,
                        Value::Uint(n) => decimal_len(n),
                        Value::Urls(urls) => array_len(urls.iter().map(&str_len)),
                        Value::Headers(headers) => array_len(headers.iter().map(|h| {
                            r#"{"Name":,"Value":}"#.len() + str_len(h.name()) + str_len(h.value())
                        })),
                        Value::Filters(filters) => array_len(filters.iter().map(|f| {
                            let fuzzy = if f.fuzzy { r#","Fuzzy":true"#.len() } else { 0 };
                            r#"{"Name":,"Value":}"#.len()
                                + str_len(&f.name)
                                + array_len(f.values.iter().map(|v| str_len(v)))
                                + fuzzy
                        })),
                    }
            })
            .sum::<usize>()
}

/// The flattened parameters (`Urls.0`, `Headers.0.Name`, …), in field
/// order, values raw (not encoded).
pub(crate) fn flat<'a>(fields: &Fields<'a>) -> Vec<(Cow<'static, str>, Cow<'a, str>)> {
    let mut out = Vec::new();
    for &(name, value) in fields {
        match value {
            Value::Str(text) => out.push((Cow::Borrowed(name), Cow::Borrowed(text))),
            Value::True => out.push((Cow::Borrowed(name), Cow::Borrowed(FLAT_TRUE))),
            Value::Uint(n) => out.push((Cow::Borrowed(name), Cow::Owned(n.to_string()))),
            Value::Urls(urls) => {
                out.extend(
                    urls.iter().enumerate().map(|(i, url)| {
                        (Cow::Owned(element_name(name, i, None)), Cow::Borrowed(url))
                    }),
                );
            }
            Value::Headers(headers) => {
                for (i, header) in headers.iter().enumerate() {
                    out.push((
                        Cow::Owned(element_name(name, i, Some("Name"))),
                        Cow::Borrowed(header.name()),
                    ));
                    out.push((
                        Cow::Owned(element_name(name, i, Some("Value"))),
                        Cow::Borrowed(header.value()),
                    ));
                }
            }
            Value::Filters(filters) => {
                for (i, filter) in filters.iter().enumerate() {
                    out.push((
                        Cow::Owned(element_name(name, i, Some("Name"))),
                        Cow::Borrowed(filter.name.as_str()),
                    ));
                    let values = element_name(name, i, Some("Value"));
                    out.extend(filter.values.iter().enumerate().map(|(j, value)| {
                        (
                            Cow::Owned(element_name(&values, j, None)),
                            Cow::Borrowed(value.as_str()),
                        )
                    }));
                    if filter.fuzzy {
                        out.push((
                            Cow::Owned(element_name(name, i, Some("Fuzzy"))),
                            Cow::Borrowed(FLAT_TRUE),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// The form length of one flattened parameter with the `&` that joins it
/// to the one before.
fn pair_len(name_len: usize, value: &str) -> usize {
    1 + name_len + 1 + form_value_len(value)
}

/// The length of `&{list}.{index}={url}` in a form.
pub(crate) fn form_item_len(list: &str, index: usize, url: &str) -> usize {
    pair_len(list.len() + 1 + decimal_len(index as u64), url)
}

/// The form length of the flattened fields, each counted with a joining `&`
/// (so a form of these parameters alone is one byte shorter, and appending
/// them to a non-empty form of common parameters adds exactly this).
/// Names need no encoding: they are ASCII letters, digits and `.`.
pub(crate) fn form_len_joined(fields: &Fields<'_>) -> usize {
    fields
        .iter()
        .map(|&(name, value)| match value {
            Value::Str(text) => pair_len(name.len(), text),
            Value::True => pair_len(name.len(), FLAT_TRUE),
            Value::Uint(n) => 2 + name.len() + decimal_len(n),
            Value::Urls(urls) => urls
                .iter()
                .enumerate()
                .map(|(i, url)| form_item_len(name, i, url))
                .sum(),
            Value::Headers(headers) => headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let prefix = name.len() + 1 + decimal_len(i as u64) + 1;
                    pair_len(prefix + "Name".len(), h.name())
                        + pair_len(prefix + "Value".len(), h.value())
                })
                .sum(),
            Value::Filters(filters) => filters
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let prefix = name.len() + 1 + decimal_len(i as u64) + 1;
                    let values = prefix + "Value".len();
                    pair_len(prefix + "Name".len(), &f.name)
                        + f.values
                            .iter()
                            .enumerate()
                            .map(|(j, v)| pair_len(values + 1 + decimal_len(j as u64), v))
                            .sum::<usize>()
                        + if f.fuzzy {
                            pair_len(prefix + "Fuzzy".len(), FLAT_TRUE)
                        } else {
                            0
                        }
                })
                .sum(),
        })
        .sum()
}

/// Appends the form encoding of flattened parameters to `out`, joined with
/// `&` (and with a leading `&` when `out` is not empty).
pub fn append_flat_form<K: AsRef<str>, V: AsRef<str>>(out: &mut String, params: &[(K, V)]) {
    for (name, value) in params {
        if !out.is_empty() {
            out.push('&');
        }
        form_value_into(name.as_ref(), out);
        out.push('=');
        form_value_into(value.as_ref(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_like_serde_json() {
        for text in [
            "",
            "plain",
            "q\"b\\s/",
            "\u{0}\u{1f}\u{7f}\n\r\t\u{8}\u{c}",
            "图片 é \u{2028}",
        ] {
            let mut ours = String::new();
            write_json_str(text, &mut ours);
            assert_eq!(ours, serde_json::to_string(text).unwrap());
            assert_eq!(json_str_len(text), ours.len());
        }
    }

    #[test]
    fn decimal_lengths() {
        for n in [0, 9, 10, 99, 100, u64::MAX] {
            assert_eq!(decimal_len(n), n.to_string().len());
        }
    }
}
