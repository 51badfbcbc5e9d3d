//! The answer of `DescribeDomains` (docs/protocol.md §12.4): the account's
//! domains, [`BriefDomain`] each, and their total for paging.

use serde::Serialize;
use serde_json::Value;

use super::{AnswerBody, FieldError, Fields, sealed, to_value};
use crate::v3::types::Area;

/// One domain of `DescribeDomains` (`BriefDomain`). A client needs
/// `Domain`, `Status` and `Area`; the other fields are read when present
/// (empty or 0 when not) and written so that Tencent's SDKs read every
/// field they know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BriefDomain {
    /// `ResourceId`, e.g. `cdn-knocwo77`.
    pub resource_id: String,
    /// `AppId`: the account.
    pub app_id: i64,
    /// `Domain`: the name, `*.example.com` for a wildcard domain.
    pub domain: String,
    /// `Cname`.
    pub cname: String,
    /// `Status`: `online`, `offline`, `processing`, `closing`, `rejected`.
    pub status: String,
    /// `ProjectId`.
    pub project_id: i64,
    /// `ServiceType`: `web`, `download`, `media`, …
    pub service_type: String,
    /// `CreateTime`, `YYYY-MM-DD HH:MM:SS`.
    pub create_time: String,
    /// `UpdateTime`.
    pub update_time: String,
    /// `Origin.Origins`: the origin servers.
    pub origins: Vec<String>,
    /// `Disable`: `normal`, or why the domain is blocked.
    pub disable: String,
    /// `Area`: `mainland`, `overseas` or `global`.
    pub area: String,
    /// `Readonly`: `normal`, or where it is locked.
    pub readonly: String,
    /// `Product`: `cdn` or `ecdn`.
    pub product: String,
    /// `ParentHost`, often empty.
    pub parent_host: String,
}

impl BriefDomain {
    /// [`area`](Self::area) as an [`Area`].
    pub fn area_kind(&self) -> Option<Area> {
        Area::from_wire(&self.area)
    }

    /// Whether it is `online`.
    pub fn is_online(&self) -> bool {
        self.status == "online"
    }

    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        let text = |name: &str| f.optional_string(name).map(Option::unwrap_or_default);
        let number = |name: &str| match f.get(name) {
            None => Ok(0),
            Some(_) => f.integer(name),
        };
        let origins = match f.get("Origin") {
            Some(Value::Object(origin)) => {
                let origin = Fields {
                    path: f.path("Origin"),
                    object: origin,
                };
                match origin.get("Origins") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        };
        Ok(Self {
            resource_id: text("ResourceId")?,
            app_id: number("AppId")?,
            domain: f.string("Domain")?,
            cname: text("Cname")?,
            status: text("Status")?,
            project_id: number("ProjectId")?,
            service_type: text("ServiceType")?,
            create_time: text("CreateTime")?,
            update_time: text("UpdateTime")?,
            origins,
            disable: text("Disable")?,
            area: text("Area")?,
            readonly: text("Readonly")?,
            product: text("Product")?,
            parent_host: text("ParentHost")?,
        })
    }
}

/// The answer of `DescribeDomains`. A `null` or absent `Domains` reads as
/// empty; `TotalNumber` (every matching domain, for paging) is required.
///
/// ```
/// use tcdn_model::v3::{Answer, Domains};
///
/// let body = br#"{"Response":{"Domains":[{"Domain":"*.example.com","Status":"online","Area":"global","Origin":{"Origins":["o.example.com"]}}],"TotalNumber":1,"RequestId":"r"}}"#;
/// let domains = Answer::<Domains>::from_slice(body)?.into_result().unwrap();
/// assert_eq!(domains.total_number, 1);
/// assert_eq!(domains.domains[0].domain, "*.example.com");
/// assert!(domains.domains[0].is_online());
/// assert_eq!(domains.domains[0].origins, ["o.example.com"]);
/// # Ok::<(), tcdn_model::v3::AnswerError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Domains {
    /// `Domains`.
    pub domains: Vec<BriefDomain>,
    /// `TotalNumber`.
    pub total_number: i64,
}

impl sealed::Sealed for Domains {}
impl AnswerBody for Domains {
    fn read(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(Self {
            domains: f.objects("Domains", BriefDomain::read)?.unwrap_or_default(),
            total_number: f.integer("TotalNumber")?,
        })
    }

    fn write(&self, response: &mut Vec<(&'static str, Value)>) {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Origin<'a> {
            origins: &'a [String],
            origin_type: &'a str,
            server_name: &'a str,
            origin_pull_protocol: &'a str,
            backup_origins: [&'a str; 0],
            path_rules: [&'a str; 0],
            path_based_origin: [&'a str; 0],
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wire<'a> {
            resource_id: &'a str,
            app_id: i64,
            domain: &'a str,
            cname: &'a str,
            status: &'a str,
            project_id: i64,
            service_type: &'a str,
            create_time: &'a str,
            update_time: &'a str,
            origin: Origin<'a>,
            disable: &'a str,
            area: &'a str,
            readonly: &'a str,
            product: &'a str,
            parent_host: &'a str,
        }
        let domains = self
            .domains
            .iter()
            .map(|d| Wire {
                resource_id: &d.resource_id,
                app_id: d.app_id,
                domain: &d.domain,
                cname: &d.cname,
                status: &d.status,
                project_id: d.project_id,
                service_type: &d.service_type,
                create_time: &d.create_time,
                update_time: &d.update_time,
                origin: Origin {
                    origins: &d.origins,
                    origin_type: "domain",
                    server_name: &d.domain,
                    origin_pull_protocol: "http",
                    backup_origins: [],
                    path_rules: [],
                    path_based_origin: [],
                },
                disable: &d.disable,
                area: &d.area,
                readonly: &d.readonly,
                product: &d.product,
                parent_host: &d.parent_host,
            })
            .collect::<Vec<_>>();
        response.push(("Domains", to_value(&domains)));
        response.push(("TotalNumber", Value::from(self.total_number)));
    }
}
