//! `gaoxin bench calculate`: `POST /api/v1/policy/calculate` on a running server over one
//! keep-alive HTTP/1.1 connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Reads one HTTP/1.1 response: (status, body). Content-Length or chunked bodies.
fn read_response(reader: &mut BufReader<TcpStream>) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        bail!("the server closed the connection");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let (mut length, mut chunked, mut close) = (None, false, false);
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .with_context(|| format!("bad chunk size {line:?}"))?;
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            line.clear();
            reader.read_line(&mut line)?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    } else {
        bail!("a response without Content-Length");
    }
    if close {
        bail!("the server closes the connection after each response (HTTP {status})");
    }
    Ok((status, body))
}

pub(super) const CALCULATE_BODY: &str =
    r#"{"year": 2024, "cases": [{"on": "technology_contract", "values": {"certified_contract_amount": "20000000"}}]}"#;

pub(super) fn calculate(url: &str, token: &str, requests: usize, warmup: usize, body: &str) -> anyhow::Result<()> {
    if requests == 0 {
        bail!("--requests 至少为 1");
    }
    let parsed = url::Url::parse(url).with_context(|| format!("无效的地址 {url}"))?;
    if parsed.scheme() != "http" {
        bail!("只支持 http://（本机回环上的服务）");
    }
    let host = parsed.host_str().context("地址中没有主机")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let path = format!("{}/api/v1/policy/calculate", parsed.path().trim_end_matches('/'));
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let stream = TcpStream::connect((host.as_str(), port)).with_context(|| format!("无法连接 {host}:{port}"))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut times = Vec::with_capacity(requests);
    let mut first = None;
    for i in 0..warmup + requests {
        let t = Instant::now();
        writer.write_all(request.as_bytes())?;
        let (status, body) = read_response(&mut reader)?;
        let elapsed = t.elapsed();
        if status != 200 {
            bail!("HTTP {status}: {}", String::from_utf8_lossy(&body));
        }
        if first.is_none() {
            first = Some(body);
        }
        if i >= warmup {
            times.push(elapsed);
        }
    }
    times.sort();
    // Nearest rank.
    let rank = |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let first = first
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let total = serde_json::from_str::<serde_json::Value>(&first)
        .ok()
        .and_then(|v| v["total"].as_str().map(str::to_string))
        .unwrap_or_default();
    println!("POST {path} ×{requests} (after {warmup} not counted), one keep-alive connection to {host}:{port}");
    println!("request: {body}");
    println!("response: total {total}, {} bytes", first.len());
    println!(
        "median {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  min {:.3} ms  max {:.3} ms  mean {:.3} ms; goal median < 1 ms: {}",
        ms(rank(0.5)),
        ms(rank(0.9)),
        ms(rank(0.99)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        ms(mean),
        if ms(rank(0.5)) < 1.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
