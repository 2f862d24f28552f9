//! Uploaded tables are read within bounds (issue 17, finding 1): a small file whose two cells sit
//! at A1 and XFD1048576, or whose parts unzip to more than a gigabyte, is refused with a sentence
//! naming the cell or the size, through every import, and the server goes on answering.

use std::future::IntoFuture;

use axum::http::StatusCode;

use crate::helpers::{Session, TestApp, import, xlsx};

/// A multipart field: name, file name for a file, content.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// A header at A1 and one value in Excel's last cell: 6 KB on disk, 17 billion cells as a rectangle.
fn far_cell_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let ws = workbook.add_worksheet();
    ws.write_string(0, 0, "企业名称").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A real workbook whose zip directory says its sheet unzips to 2 GiB.
fn declared_bomb_xlsx() -> Vec<u8> {
    let mut bytes = xlsx("企业", &[vec!["企业名称", "统一社会信用代码"]]);
    let name = b"xl/worksheets/sheet1.xml";
    let mut patched = 0;
    // Central directory headers: signature, then the uncompressed size at offset 24, the name at 46.
    for at in 0..bytes.len().saturating_sub(46 + name.len()) {
        if bytes[at..at + 4] == [0x50, 0x4b, 0x01, 0x02] && &bytes[at + 46..at + 46 + name.len()] == name {
            bytes[at + 24..at + 28].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 1, "the sheet's directory entry was found");
    bytes
}

#[tokio::test]
async fn a_cell_at_xfd1048576_is_refused_by_every_import_and_the_server_goes_on() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let admin = app.login("admin_a").await;
    let staff = app.login("staff_a").await;
    let file = far_cell_xlsx();
    assert!(file.len() < 10_000, "a small file: {} bytes", file.len());
    let enterprises = app.scalar("SELECT COUNT(*) FROM enterprise").await;

    let res = import(&app, &token, "enterprise", "名单.xlsx", &file, false).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert!(res.text().contains("XFD1048576"), "{}", res.text());

    let forms: [(&str, &Session, Vec<Part>); 5] = [
        (
            "/enterprises/import",
            &staff,
            vec![("kind", None, b"enterprise".as_slice())],
        ),
        ("/land/parcels/import", &staff, vec![]),
        (
            "/policies/events/import",
            &staff,
            vec![("kind", None, b"technology_contract".as_slice())],
        ),
        (
            "/plans/import",
            &admin,
            vec![("title", None, "台账".as_bytes()), ("year", None, b"2026".as_slice())],
        ),
        ("/projects/import", &admin, vec![]),
    ];
    for (path, session, mut parts) in forms {
        parts.push(("file", Some("表.xlsx"), file.as_slice()));
        let res = app
            .post(&format!("{path}?_csrf={}", session.csrf))
            .session(session)
            .multipart(&parts)
            .send()
            .await;
        let body = match res.status {
            StatusCode::SEE_OTHER => crate::helpers::follow(&app, &res, session).await,
            _ => res.text(),
        };
        assert!(
            res.status.is_client_error() || res.status == StatusCode::SEE_OTHER,
            "{path}: {}",
            res.status
        );
        assert!(body.contains("XFD1048576"), "{path} names the cell: {body}");
        assert!(body.contains("超出可读取的范围"), "{path}: {body}");
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM enterprise").await,
        enterprises,
        "nothing written"
    );
    let health = app.get("/healthz").send().await;
    assert_eq!(health.status, StatusCode::OK);
}

#[tokio::test]
async fn a_workbook_that_unzips_past_the_limit_is_refused_before_it_is_read() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let res = import(&app, &token, "enterprise", "名单.xlsx", &declared_bomb_xlsx(), true).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert!(res.text().contains("解压后超过 1024 MB"), "{}", res.text());
}

/// One HTTP/1.1 request on a fresh connection to a real server; the status and the time taken.
fn http(addr: std::net::SocketAddr, head: &str, body: &[u8]) -> (u16, String, std::time::Duration) {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(300)))
        .unwrap();
    stream
        .write_all(
            format!(
                "{head}Host: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer, started.elapsed())
}

/// Acceptance of issue 17: while four hostile files (and two large honest ones) are read and
/// checked, `/healthz` on the same server answers within 200 ms. The server runs on two async
/// workers, as on a 2-core machine; its clients are plain threads outside its runtime. A timing
/// test: `.ci/run` runs it alone (`-- --ignored`), after the suite, so that other tests do not
/// take the machine's cores while it measures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing: .ci/run runs it alone"]
async fn healthz_answers_within_200_ms_while_four_bombs_are_read() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app.router.clone()).into_future());

    let honest = |first: usize| {
        let mut csv = String::from("企业名称,统一社会信用代码,行业代码\n");
        for n in first..first + 20_000 {
            csv.push_str(&format!(
                "压力测试企业{n}有限公司,{},C3911\n",
                gaoxin_core::uscc::numbered_uscc(n)
            ));
        }
        csv.into_bytes()
    };
    let too_many_rows = "企业名称\n".to_string() + &"甲\n".repeat(1_000_001);
    let too_many_cells = "1,".repeat(255) + "1\n";
    let too_many_cells = too_many_cells.repeat(12_000_000 / 256 + 10);
    let files: Vec<(&str, Vec<u8>, u16)> = vec![
        ("远端单元格.xlsx", far_cell_xlsx(), 422),
        ("解压炸弹.xlsx", declared_bomb_xlsx(), 422),
        ("百万行.csv", too_many_rows.into_bytes(), 422),
        ("千万格.csv", too_many_cells.into_bytes(), 422),
        ("名单一.csv", honest(1), 200),
        ("名单二.csv", honest(30_001), 200),
    ];

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let prober = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut slowest = std::time::Duration::ZERO;
            let mut probes = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let (status, _, took) = http(addr, "GET /healthz HTTP/1.1\r\n", b"");
                assert_eq!(status, 200);
                slowest = slowest.max(took);
                probes += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            (probes, slowest)
        })
    };
    let started = std::time::Instant::now();
    let uploads: Vec<_> = files
        .into_iter()
        .map(|(name, bytes, expected)| {
            let token = token.clone();
            std::thread::spawn(move || {
                let boundary = "gaoxin-bomb-boundary";
                let mut body = Vec::new();
                for (field, value) in [("kind", "enterprise"), ("dry_run", "true")] {
                    body.extend_from_slice(
                        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n")
                            .as_bytes(),
                    );
                }
                body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
                body.extend_from_slice(&bytes);
                body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
                let head = format!(
                    "POST /api/v1/enterprises/import HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                );
                let (status, answer, took) = http(addr, &head, &body);
                assert_eq!(status, expected, "{name}: {}", answer.chars().take(600).collect::<String>());
                (name, took)
            })
        })
        .collect();
    let took: Vec<_> = uploads.into_iter().map(|u| u.join().unwrap()).collect();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (probes, slowest) = prober.join().unwrap();
    eprintln!(
        "uploads {took:?} in {:?}; {probes} probes of /healthz, slowest {slowest:?}",
        started.elapsed()
    );
    assert!(
        probes >= 10,
        "only {probes} probes: the uploads were too quick to prove anything"
    );
    assert!(
        slowest < std::time::Duration::from_millis(200),
        "slowest /healthz took {slowest:?}"
    );
}

/// Issue 17, finding 10: an upload waiting between its preview and its commit is readable by
/// the server's own user only, not left world-readable in the system temp folder.
#[cfg(unix)]
#[tokio::test]
async fn an_upload_waiting_for_its_commit_is_private_to_the_server() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let file = xlsx(
        "企业",
        &[
            vec!["企业名称", "统一社会信用代码"],
            vec!["甲公司", "91410700MA3X4L0L0B"],
        ],
    );
    let res = app
        .post(&format!("/enterprises/import?_csrf={}", staff.csrf))
        .session(&staff)
        .multipart(&[("kind", None, b"enterprise"), ("file", Some("名单.xlsx"), &file)])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let page = res.text();
    let at = page.find("/enterprises/import/").expect("the preview links its commit") + "/enterprises/import/".len();
    let token = page[at..at + 32].to_string();
    let folder = gaoxin_platform::uploads::folder();
    let mode = |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(folder.clone()), 0o700);
    assert_eq!(mode(folder.join(format!("{token}.bin"))), 0o600);
    assert_eq!(mode(folder.join(format!("{token}.json"))), 0o600);
}
