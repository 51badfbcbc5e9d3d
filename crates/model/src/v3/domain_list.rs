//! The answer of `DescribeDomains` (docs/protocol.md §12.4): a page of the
//! account's domains ([`BriefDomain`]) and how many there are in all.

use serde::Serialize;
use serde_json::Value;

use crate::v3::answer::{AnswerBody, FieldError, Fields, sealed, to_value};

/// One domain of the account (`BriefDomain`): the fields a client decides
/// by. Enumerated fields are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BriefDomain {
    /// `Domain`: the domain, `*.example.com` for a wildcard domain.
    pub domain: String,
    /// `Status`: `online`, `offline`, `processing`, `closing`, `rejected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `Area`: `mainland`, `overseas` or `global`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
}

impl BriefDomain {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            domain: f.string("Domain")?,
            status: f.optional_string("Status")?,
            area: f.optional_string("Area")?,
        })
    }
}

/// The answer of `DescribeDomains`. `Domains` absent or `null` reads as
/// empty; `TotalNumber` absent reads as the page's length.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Domains {
    /// `Domains`: this page.
    pub domains: Vec<BriefDomain>,
    /// `TotalNumber`: the account's domains in all, for paging.
    pub total_number: i64,
}

impl sealed::Sealed for Domains {}
impl AnswerBody for Domains {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        let domains = f.objects("Domains", BriefDomain::read)?.unwrap_or_default();
        let total_number = match f.get("TotalNumber") {
            None => i64::try_from(domains.len()).unwrap_or(i64::MAX),
            Some(_) => f.integer("TotalNumber")?,
        };
        Ok(Self {
            domains,
            total_number,
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        response.push(("Domains", to_value(&self.domains)));
        response.push(("TotalNumber", Value::from(self.total_number)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::Answer;

    #[test]
    fn a_page_reads_and_writes_back() {
        let body = br#"{"Response":{"Domains":[{"ResourceId":"cdn-1","Domain":"*.example.com","Status":"online","Area":"global","Origin":{}},{"Domain":"b.example"}],"TotalNumber":3,"RequestId":"r"}}"#;
        let page = Answer::<Domains>::from_slice(body)
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!(page.total_number, 3);
        assert_eq!(page.domains[0].domain, "*.example.com");
        assert_eq!(page.domains[0].area.as_deref(), Some("global"));
        assert_eq!(page.domains[1].status, None);
        let json = Answer::ok("r", page.clone()).to_json();
        let again = Answer::<Domains>::from_slice(json.as_bytes())
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!(again, page);
        let empty = br#"{"Response":{"Domains":null,"RequestId":"r"}}"#;
        let empty = Answer::<Domains>::from_slice(empty)
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!((empty.domains.len(), empty.total_number), (0, 0));
    }
}
