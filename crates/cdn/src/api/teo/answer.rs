//! EdgeOne answers: API 3.0's envelope and classification
//! (`api/v3/answer.rs`), each action's payload ([`Body`]) and EdgeOne's
//! error codes, whose quota codes fit no API 3.0 shape.

use bytes::Bytes;
use tcdn_model::teo::{Action, ContentQuota, ErrorCode, TaskCreated, Tasks, Zones, class_of_error};
use tcdn_model::v3::ApiError;

use crate::api::v3::answer::{Codes, Parsed, Receipt, classify_parsed, read};
use crate::core::backend::Answer;

/// The answer of each action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// `CreatePurgeTask`, `CreatePrefetchTask`.
    Created(TaskCreated),
    /// `DescribePurgeTasks`, `DescribePrefetchTasks`.
    Tasks(Tasks),
    /// `DescribeContentQuota`.
    Quota(ContentQuota),
    /// `DescribeZones`.
    Zones(Zones),
}

/// What an accepted EdgeOne call returned.
pub(crate) type TeoReceipt = Receipt<Body>;

/// EdgeOne's catalogue first, then API 3.0's.
const TEO_CODES: Codes = Codes {
    class: class_of_error,
    meaning,
};

fn meaning(error: &ApiError) -> &'static str {
    ErrorCode::from_code(error.code().as_str())
        .map_or_else(|| error.code().meaning(), ErrorCode::meaning)
}

fn parse(action: Action, body: &[u8]) -> Parsed<Body> {
    match action {
        Action::CreatePurgeTask | Action::CreatePrefetchTask => read(body, Body::Created),
        Action::DescribePurgeTasks | Action::DescribePrefetchTasks => read(body, Body::Tasks),
        Action::DescribeContentQuota => read(body, Body::Quota),
        Action::DescribeZones => read(body, Body::Zones),
    }
}

/// Classifies one HTTP answer to a call of `action` as API 3.0's are, with
/// EdgeOne's codes: `LimitExceeded.DailyQuota` stops the zone's
/// submission, `LimitExceeded.BatchQuota` and the rest of the refusals are
/// permanent, internal errors and rate limits are retried.
pub(crate) fn classify(action: Action, response: &http::Response<Bytes>) -> Answer<TeoReceipt> {
    let parsed = parse(action, response.body());
    classify_parsed(action.as_str(), response, parsed, TEO_CODES, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::backend::Class;

    fn classified(action: Action, body: &str) -> Answer<TeoReceipt> {
        let response = http::Response::builder()
            .status(200)
            .body(Bytes::from(body.to_owned()))
            .unwrap();
        classify(action, &response)
    }

    #[test]
    fn edgeone_quota_codes_are_classed_by_name() {
        let body = |code: &str| {
            format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
            )
        };
        for (code, want) in [
            ("LimitExceeded.DailyQuota", Class::DailyQuotaExhausted),
            ("LimitExceeded.BatchQuota", Class::Permanent),
            ("InternalError.QuotaSystem", Class::Retryable),
            ("RequestLimitExceeded", Class::RateLimited),
            ("AuthFailure.SignatureExpire", Class::Clock),
        ] {
            match classified(Action::CreatePurgeTask, &body(code)) {
                Answer::Refused { error, class } => {
                    assert_eq!(class, want, "{code}");
                    assert_eq!(error.error_code(), Some(code));
                }
                Answer::Accepted(receipt) => panic!("{code} accepted: {receipt:?}"),
            }
        }
        let Answer::Refused { error, .. } =
            classified(Action::CreatePurgeTask, &body("LimitExceeded.DailyQuota"))
        else {
            panic!("accepted")
        };
        assert!(error.to_string().contains("daily quota"), "{error}");
    }

    #[test]
    fn a_created_task_keeps_its_failed_list() {
        let body = r#"{"Response":{"JobId":"j-1","FailedList":[{"Reason":"domain not valid","Targets":["https://x.example/a"]}],"RequestId":"r"}}"#;
        let Answer::Accepted(receipt) = classified(Action::CreatePurgeTask, body) else {
            panic!("refused")
        };
        let Body::Created(created) = receipt.body else {
            panic!("{:?}", receipt.body)
        };
        assert_eq!(created.job_id, "j-1");
        assert_eq!(created.failed[0].targets, ["https://x.example/a"]);
    }
}
