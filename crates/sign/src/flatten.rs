//! Flattening of list parameters for GET queries and form bodies, as
//! Tencent's SDKs write them (docs/protocol.md §5.1).
//!
//! A JSON request body `{"Urls": ["a", "b"], "Headers": [{"Name": "X",
//! "Value": "1"}]}` becomes the parameters `Urls.0=a`, `Urls.1=b`,
//! `Headers.0.Name=X`, `Headers.0.Value=1` when the same request is sent with
//! the "v1" signature or as a TC3 GET. Indices start at 0 and are written
//! in decimal without padding, so `Urls.10` sorts before `Urls.2` in the
//! string to sign, as the server expects.

/// Writes the flattened name of element `index` of list `list` into `out`:
/// `Urls`, 3 → `Urls.3`; with `field` `Some("Name")`, `Headers`, 0 →
/// `Headers.0.Name`.
///
/// `out` is cleared first, so one buffer can be reused for every element.
///
/// ```
/// let mut name = String::new();
/// tcdn_sign::flatten::element_name_into("Urls", 12, None, &mut name);
/// assert_eq!(name, "Urls.12");
/// tcdn_sign::flatten::element_name_into("Headers", 0, Some("Value"), &mut name);
/// assert_eq!(name, "Headers.0.Value");
/// ```
pub fn element_name_into(list: &str, index: usize, field: Option<&str>, out: &mut String) {
    use core::fmt::Write as _;
    out.clear();
    out.push_str(list);
    out.push('.');
    // Writing to a String cannot fail.
    let _ = write!(out, "{index}");
    if let Some(field) = field {
        out.push('.');
        out.push_str(field);
    }
}

/// The flattened name of element `index` of list `list` (see
/// [`element_name_into`]).
pub fn element_name(list: &str, index: usize, field: Option<&str>) -> String {
    let mut out = String::with_capacity(list.len() + 8 + field.map_or(0, str::len));
    element_name_into(list, index, field, &mut out);
    out
}

/// A list of strings as flattened parameters: `("Urls", ["a", "b"])` →
/// `[("Urls.0", "a"), ("Urls.1", "b")]`, in list order.
///
/// ```
/// let urls = ["https://a.example/1", "https://a.example/2"];
/// let params: Vec<(String, &str)> = tcdn_sign::flatten::list("Urls", urls).collect();
/// assert_eq!(params[1], ("Urls.1".to_owned(), "https://a.example/2"));
/// ```
pub fn list<'v, I, V>(list: &'v str, values: I) -> impl Iterator<Item = (String, &'v str)> + 'v
where
    I: IntoIterator<Item = &'v V>,
    I::IntoIter: 'v,
    V: AsRef<str> + ?Sized + 'v,
{
    values
        .into_iter()
        .enumerate()
        .map(move |(index, value)| (element_name(list, index, None), value.as_ref()))
}

/// A list of objects as flattened parameters: each object gives its fields
/// as `(field, value)` pairs, in the order they should be written.
///
/// ```
/// let headers = [("X-A", "1"), ("X-B", "2")];
/// let params: Vec<(String, &str)> = tcdn_sign::flatten::objects("Headers", headers.iter(), |h| {
///     [("Name", h.0), ("Value", h.1)]
/// })
/// .collect();
/// assert_eq!(params[0], ("Headers.0.Name".to_owned(), "X-A"));
/// assert_eq!(params[3], ("Headers.1.Value".to_owned(), "2"));
/// ```
pub fn objects<'v, I, O, F, const N: usize>(
    list: &'v str,
    objects: I,
    mut fields: F,
) -> impl Iterator<Item = (String, &'v str)> + 'v
where
    I: IntoIterator<Item = O>,
    I::IntoIter: 'v,
    O: 'v,
    F: FnMut(&O) -> [(&'v str, &'v str); N] + 'v,
{
    objects
        .into_iter()
        .enumerate()
        .flat_map(move |(index, object)| {
            fields(&object).map(|(field, value)| (element_name(list, index, Some(field)), value))
        })
}
