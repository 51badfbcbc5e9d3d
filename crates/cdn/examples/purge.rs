//! A real purge: `cargo run -p tcdn --example purge -- https://your.site/a.css …`
//!
//! Takes the credentials the way the CLI does (`TENCENTCLOUD_SECRET_ID` and
//! `TENCENTCLOUD_SECRET_KEY`, else tccli's or the SDKs' files), purges the
//! URLs given with API 3.0 (`PurgeUrlsCache`, TC3-HMAC-SHA256) in each
//! domain's own region, waits up to ten minutes until the purge is done, and
//! prints every URL's outcome. `TCDN_ENDPOINT` points it elsewhere (the
//! emulator's origin, say).

use std::time::Duration;

use tcdn::{Api, CdnUrl, Client, CredentialChain, Endpoint, Job, Operation};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let urls = std::env::args()
        .skip(1)
        .map(|text| text.parse::<CdnUrl>())
        .collect::<Result<tcdn::plan::DistinctUrls, _>>()?;
    if urls.is_empty() {
        return Err("give the URLs to purge as arguments".into());
    }
    let mut builder = Client::builder(CredentialChain::from_process().resolve()?);
    if let Ok(endpoint) = std::env::var("TCDN_ENDPOINT") {
        builder = builder.endpoint(Endpoint::parse_for(Api::V3, &endpoint)?);
    }
    let client = builder.build()?;

    let mut report = client
        .submit_job(&Job::new(Operation::FlushUrls), urls, |batch| {
            eprintln!("call {} done: {} URLs", batch.index, batch.url_count);
        })
        .await;
    let summary = client
        .wait(&mut report, Duration::from_secs(600), |done, total| {
            eprintln!("{done}/{total} URLs purged");
        })
        .await;
    for task in &report.tasks {
        println!(
            "task {} ({}): {} URLs",
            task.task_id,
            task.action,
            task.urls.len()
        );
    }
    for url in &report.succeeded {
        println!("purged {url}");
    }
    for failure in &report.failed {
        println!("FAILED {}: {}", failure.url, failure.message);
    }
    eprintln!(
        "{} done, {} failed, {} unfinished",
        summary.done, summary.failed, summary.unfinished
    );
    if report.is_success() {
        Ok(())
    } else {
        Err("some URLs were not purged".into())
    }
}
