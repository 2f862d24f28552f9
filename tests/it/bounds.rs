//! Uploaded tables are read within bounds (issue 17, finding 1): a small file whose two cells sit
//! at A1 and XFD1048576, or whose parts unzip to more than a gigabyte, is refused with a sentence
//! naming the cell or the size, through every import, and the server goes on answering.

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
