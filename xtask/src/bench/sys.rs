//! What the bench asks of the operating system and of child processes:
//! bounded waits, a bare HTTP/1.1 request, `/proc` readings (RSS, CPU time,
//! load average, CPU model; a process's RSS sampled on a thread) and the
//! numbers' printed forms.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub(super) const TIME: &str = "/usr/bin/time";

pub(super) fn url_for(i: usize) -> String {
    format!("https://www.example.com/assets/{i}.js?v={i}")
}

pub(super) fn create(path: &Path) -> Result<File, String> {
    File::create(path).map_err(|e| format!("{}: {e}", path.display()))
}

pub(super) fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Waits for `child`, killing it past `limit`.
pub(super) fn wait_bounded(
    mut child: Child,
    limit: Duration,
    what: &str,
) -> Result<ExitStatus, String> {
    wait_child(&mut child, limit, what)
}

pub(super) fn wait_child(
    child: &mut Child,
    limit: Duration,
    what: &str,
) -> Result<ExitStatus, String> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("{what}: {e}"))? {
            return Ok(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{what} ran past {} s and was killed",
                limit.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A one-shot HTTP/1.1 exchange on loopback (xtask keeps to the standard
/// library); returns the body of a 200.
pub(crate) fn http(authority: &str, method: &str, path: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(authority).map_err(|e| format!("{method} {path}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("{method} {path}: {e}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("{method} {path}: {e}"))?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "{method} {path}: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    Ok(body.to_owned())
}

/// The unsigned integer after `"name":` in a flat JSON text.
pub(super) fn json_u64(json: &str, name: &str) -> Option<u64> {
    let key = format!("\"{name}\":");
    let start = json.find(&key)? + key.len();
    let digits: String = json[start..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Resident set size of `pid` in bytes, from `/proc/<pid>/status`.
pub(super) fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib * 1024)
}

/// User plus system CPU time of `pid`, in clock ticks (`/proc/<pid>/stat`).
pub(super) fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it do not.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, i.e. 12 and
    // 13 after the name (which is field 2).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

pub(super) fn clock_ticks_per_second() -> Option<u64> {
    let out = Command::new("getconf").arg("CLK_TCK").output().ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// `/proc/loadavg`'s three figures, e.g. `1.52 1.20 0.98`.
pub(super) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

pub(super) fn available_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

pub(super) fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

pub(super) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

pub(super) fn human_count(n: usize) -> String {
    match n {
        1_000_000 => "1M".to_owned(),
        100_000 => "100k".to_owned(),
        _ => n.to_string(),
    }
}

/// Samples a process's RSS every 50 ms on a thread, at most for 10 minutes.
pub(super) struct Sampler {
    pub(super) stop: Arc<AtomicBool>,
    pub(super) thread: std::thread::JoinHandle<Vec<u64>>,
}

impl Sampler {
    pub(super) fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(600);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                match rss_of(pid) {
                    Some(rss) => samples.push(rss),
                    None => break,
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            samples
        });
        Self { stop, thread }
    }

    pub(super) fn stop(self) -> Vec<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integers_from_stats() {
        let json = r#"{"connections":8,"requests":400,"accepted":400}"#;
        assert_eq!(json_u64(json, "connections"), Some(8));
        assert_eq!(json_u64(json, "accepted"), Some(400));
        assert_eq!(json_u64(json, "missing"), None);
    }
}
