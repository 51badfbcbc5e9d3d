//! The server side of API 3.0: each refusal of the JSON and flattened
//! parsers answers the API's own code with a message naming the field.

use tcdn_model::v3::{Action, BatchLimits, ErrorCode, Request};

/// The code and message of a refused JSON body.
fn json_refusal(action: Action, body: &str) -> (ErrorCode, String) {
    let err = Request::from_json(action, body.as_bytes(), &BatchLimits::default()).expect_err(body);
    (err.code().clone(), err.message().to_owned())
}

fn params_refusal(action: Action, params: &[(&str, &str)]) -> (ErrorCode, String) {
    let err = Request::from_params(action, params.iter().copied(), &BatchLimits::default())
        .expect_err(&format!("{params:?}"));
    (err.code().clone(), err.message().to_owned())
}

#[test]
fn json_refusals_name_the_field() {
    use Action::*;
    use ErrorCode::*;
    let url = r#""https://a.example/x""#;
    let cases: Vec<(Action, String, ErrorCode, &str)> = vec![
        (PurgeUrlsCache, "{}".into(), MissingParameter, "Urls"),
        (PurgeUrlsCache, "[]".into(), InvalidParameter, "JSON object"),
        (
            PurgeUrlsCache,
            "{".into(),
            InvalidParameter,
            "not valid JSON",
        ),
        (
            PurgeUrlsCache,
            r#"{"Urls":"https://a.example/"}"#.into(),
            InvalidParameter,
            "Urls",
        ),
        (
            PurgeUrlsCache,
            r#"{"Urls":[1]}"#.into(),
            InvalidParameter,
            "Urls.0",
        ),
        (
            PurgeUrlsCache,
            r#"{"Urls":[]}"#.into(),
            InvalidParameterValue,
            "Urls",
        ),
        (
            PurgeUrlsCache,
            format!(r#"{{"Urls":[{url},"ftp://a/"]}}"#),
            InvalidParameterValue,
            "Urls.1",
        ),
        (
            PurgeUrlsCache,
            format!(r#"{{"Urls":[{url}],"Area":"global"}}"#),
            InvalidParameterValue,
            "Area",
        ),
        (
            PurgeUrlsCache,
            format!(r#"{{"Urls":[{url}],"UrlEncode":"true"}}"#),
            InvalidParameter,
            "UrlEncode",
        ),
        (
            PurgeUrlsCache,
            format!(r#"{{"Urls":[{url}],"Paths":[{url}]}}"#),
            UnknownParameter,
            "Paths",
        ),
        (
            PurgePathCache,
            format!(r#"{{"Paths":[{url}]}}"#),
            MissingParameter,
            "FlushType",
        ),
        (
            PurgePathCache,
            format!(r#"{{"Paths":[{url}],"FlushType":"all"}}"#),
            InvalidParameterValue,
            "FlushType",
        ),
        (
            PushUrlsCache,
            format!(r#"{{"Urls":[{url}],"Headers":[{{"Name":"X"}}]}}"#),
            MissingParameter,
            "Headers.0.Value",
        ),
        (
            PushUrlsCache,
            format!(r#"{{"Urls":[{url}],"Headers":[{{"Name":"X Y","Value":"1"}}]}}"#),
            InvalidParameterValue,
            "Headers.0",
        ),
        (
            PushUrlsCache,
            format!(r#"{{"Urls":[{url}],"Headers":[{{"Name":"X","Value":"1","Extra":1}}]}}"#),
            UnknownParameter,
            "Headers.0.Extra",
        ),
        (
            PushUrlsCache,
            format!(r#"{{"Urls":[{url}],"UserAgent":""}}"#),
            InvalidParameterValue,
            "UserAgent",
        ),
        (
            PushUrlsCache,
            format!(r#"{{"Urls":[{url}],"Layer":"edge"}}"#),
            InvalidParameterValue,
            "Layer",
        ),
        (
            DescribePurgeTasks,
            "{}".into(),
            MissingParameter,
            "TaskId or StartTime",
        ),
        (
            DescribePurgeTasks,
            r#"{"EndTime":"2018-08-08 00:00:00"}"#.into(),
            MissingParameter,
            "TaskId or StartTime",
        ),
        (
            DescribePurgeTasks,
            r#"{"StartTime":"2018-08-08"}"#.into(),
            InvalidParameterValue,
            "StartTime",
        ),
        (
            DescribePurgeTasks,
            r#"{"StartTime":"2018-08-08 00:00:01","EndTime":"2018-08-08 00:00:00"}"#.into(),
            InvalidParameterValue,
            "EndTime",
        ),
        (
            DescribePurgeTasks,
            r#"{"TaskId":"t","Status":"invalid"}"#.into(),
            InvalidParameterValue,
            "Status",
        ),
        (
            DescribePurgeTasks,
            r#"{"TaskId":"t","Offset":-1}"#.into(),
            InvalidParameterValue,
            "Offset",
        ),
        (
            DescribePurgeTasks,
            r#"{"TaskId":"t","Limit":"20"}"#.into(),
            InvalidParameter,
            "Limit",
        ),
        (
            DescribePushTasks,
            r#"{"TaskId":"","Status":"invalid"}"#.into(),
            InvalidParameterValue,
            "TaskId",
        ),
        (
            DescribePushTasks,
            r#"{"TaskId":"t","PurgeType":"url"}"#.into(),
            UnknownParameter,
            "PurgeType",
        ),
        (
            DescribePurgeQuota,
            r#"{"Area":"mainland"}"#.into(),
            UnknownParameter,
            "Area",
        ),
    ];
    for (action, body, code, field) in cases {
        let (got, message) = json_refusal(action, &body);
        assert_eq!(got, code, "{action} {body}: {message}");
        assert!(message.contains(field), "{action} {body}: {message}");
    }
}

#[test]
fn json_nulls_are_absent_and_quota_queries_take_empty_bodies() {
    let limits = BatchLimits::default();
    let r = Request::from_json(
        Action::PurgeUrlsCache,
        br#"{"Urls":["https://a.example/"],"Area":null,"UrlEncode":false}"#,
        &limits,
    )
    .unwrap();
    assert_eq!(r.to_json(), r#"{"Urls":["https://a.example/"]}"#);
    for action in [Action::DescribePurgeQuota, Action::DescribePushQuota] {
        assert_eq!(
            Request::from_json(action, b"{}", &limits).unwrap().action(),
            action
        );
    }
}

#[test]
fn flat_refusals_name_the_parameter() {
    use Action::*;
    use ErrorCode::*;
    let url = ("Urls.0", "https://a.example/");
    type Case<'a> = (Action, Vec<(&'a str, &'a str)>, ErrorCode, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (PurgeUrlsCache, vec![], MissingParameter, "Urls"),
        (
            PurgeUrlsCache,
            vec![("Urls.1", "https://a.example/")],
            InvalidParameter,
            "Urls.0 is missing",
        ),
        (
            PurgeUrlsCache,
            vec![("Urls.01", "https://a.example/")],
            InvalidParameter,
            "Urls.01",
        ),
        (
            PurgeUrlsCache,
            vec![("Urls", "https://a.example/")],
            InvalidParameter,
            "Urls",
        ),
        (
            PurgeUrlsCache,
            vec![url, url],
            InvalidParameter,
            "more than once",
        ),
        (
            PurgeUrlsCache,
            vec![url, ("UrlEncode", "yes")],
            InvalidParameterValue,
            "UrlEncode",
        ),
        (
            PurgeUrlsCache,
            vec![url, ("Urls.1.Name", "x")],
            InvalidParameter,
            "Urls.1",
        ),
        (
            PurgeUrlsCache,
            vec![url, ("Foo", "1")],
            UnknownParameter,
            "Foo",
        ),
        (
            PushUrlsCache,
            vec![url, ("Headers.0.Name", "X")],
            MissingParameter,
            "Headers.0.Value",
        ),
        (
            PushUrlsCache,
            vec![url, ("Headers.0.Value", "1")],
            MissingParameter,
            "Headers.0.Name",
        ),
        (
            PushUrlsCache,
            vec![
                url,
                ("Headers.0.Name", "X"),
                ("Headers.0.Value", "1"),
                ("Headers.0.Other", "2"),
            ],
            UnknownParameter,
            "Headers.0.Other",
        ),
        (
            DescribePushTasks,
            vec![("TaskId", "t"), ("Offset", "+1")],
            InvalidParameterValue,
            "Offset",
        ),
    ];
    for (action, params, code, field) in cases {
        let (got, message) = params_refusal(action, &params);
        assert_eq!(got, code, "{action} {params:?}: {message}");
        assert!(message.contains(field), "{action} {params:?}: {message}");
    }
}

#[test]
fn flat_booleans_and_common_parameters() {
    let limits = BatchLimits::default();
    for truth in ["True", "true", "TRUE"] {
        let r = Request::from_params(
            Action::PushUrlsCache,
            [
                ("Action", "PushUrlsCache"),
                ("Version", "2018-06-06"),
                ("Timestamp", "1"),
                ("Urls.0", "https://a.example/"),
                ("ParseM3U8", truth),
                ("DisableRange", "False"),
            ],
            &limits,
        )
        .unwrap();
        assert_eq!(
            r.to_json(),
            r#"{"Urls":["https://a.example/"],"ParseM3U8":true}"#
        );
    }
}

#[test]
fn batch_limits_come_from_the_caller() {
    let limits = BatchLimits {
        purge_urls: 2,
        purge_paths: 1,
        push_urls: 5000,
    };
    let three = r#"{"Urls":["https://a/1","https://a/2","https://a/3"]}"#;
    let err = Request::from_json(Action::PurgeUrlsCache, three.as_bytes(), &limits).unwrap_err();
    assert_eq!(err.code(), &ErrorCode::CdnPurgeUrlExceedBatchLimit);
    assert!(err.message().contains("at most 2"), "{err}");
    let paths = r#"{"Paths":["https://a/1","https://a/2"],"FlushType":"flush"}"#;
    let err = Request::from_json(Action::PurgePathCache, paths.as_bytes(), &limits).unwrap_err();
    assert_eq!(err.code(), &ErrorCode::CdnPurgePathExceedBatchLimit);
    // A push limit above the API's is lowered to 500.
    let urls: Vec<String> = (0..501).map(|i| format!(r#""https://a/{i}""#)).collect();
    let body = format!(r#"{{"Urls":[{}]}}"#, urls.join(","));
    let err = Request::from_json(Action::PushUrlsCache, body.as_bytes(), &limits).unwrap_err();
    assert_eq!(err.code(), &ErrorCode::CdnPushExceedBatchLimit);
}

#[test]
fn actions_by_name() {
    for action in Action::ALL {
        assert_eq!(action.as_str().parse::<Action>().unwrap(), action);
    }
    let err = "FlushOrPushOverall".parse::<Action>().unwrap_err();
    assert_eq!(err.code(), &ErrorCode::InvalidAction);
    assert!(err.message().contains("FlushOrPushOverall"));
}
