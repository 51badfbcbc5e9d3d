//! The client against the local emulator, in one process:
//! `cargo run -p tcdn --example emulator`.
//!
//! Starts `tcdn-emulator` on a free loopback port with a demo key, purges
//! and pushes a few URLs with API 3.0 (its endpoint is the emulator's
//! origin), reads the quotas, then does the same purge with API 2.0.

use tcdn::{Api, Areas, CdnUrl, Client, Credentials, Endpoint};
use tcdn_emulator::{Config, Credential, Emulator};

const ID: &str = "AKIDexampleEmulator";
const KEY: &str = "example-secret-key";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::new(vec![Credential::new(ID, KEY)]);
    let running = Emulator::new(config).start("127.0.0.1:0".parse()?).await?;
    println!("emulator at {}", running.origin());

    let urls: Vec<CdnUrl> = (0..3)
        .map(|i| format!("https://www.example.com/example/{i}.css").parse())
        .collect::<Result<_, _>>()?;
    for api in [Api::V3, Api::V2] {
        let client = Client::builder(Credentials::new(ID, KEY)?)
            .api(api)
            .endpoint(Endpoint::parse_for(api, running.origin())?)
            .build()?;
        let report = client.flush_urls(Areas::Mainland, urls.clone()).await;
        println!(
            "{api} flush: {} of {} purged, tasks {:?}",
            report.succeeded.len(),
            urls.len(),
            report.tasks.iter().map(|t| &t.task_id).collect::<Vec<_>>()
        );
        for failure in &report.failed {
            println!("  FAILED {}: {}", failure.url, failure.message);
        }
        if api == Api::V3 {
            let report = client.push_urls(Areas::Both, urls.clone()).await;
            println!(
                "{api} push: {} of {} pushed",
                report.succeeded.len(),
                urls.len()
            );
            match client.purge_quota().await {
                Ok(quota) => {
                    for q in &quota.url_purge {
                        println!(
                            "URL purge quota in {}: {} of {} left",
                            q.area, q.available, q.total
                        );
                    }
                }
                Err(error) => println!("{api} quota: {error}"),
            }
        }
    }
    running.shutdown().await?;
    Ok(())
}
