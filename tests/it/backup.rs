//! Backup, restore and migrate-to (issue 17): a demo zone on SQLite, backed up and restored into
//! the test database (SQLite, or PostgreSQL when the suite runs there — then this is the move
//! from SQLite to PostgreSQL), answers every list's export identically; a backup taken while an
//! import runs holds the import wholly or not at all; the command line refuses a non-empty target.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use gaoxin::app::{AppConfig, AppState, app};
use gaoxin_platform::db::{DatabaseUrl, Db};

use crate::helpers::{TestApp, TestDb, import, read_xlsx};

/// A SQLite file of its own (whatever database the suite runs on), removed when dropped.
struct SqliteFile(std::path::PathBuf);

impl SqliteFile {
    fn new(name: &str) -> SqliteFile {
        SqliteFile(std::env::temp_dir().join(format!(
            "gaoxin_backup_{name}_{}_{}.db",
            std::process::id(),
            gaoxin_platform::secrets::random_hex(3)
        )))
    }

    fn url(&self) -> DatabaseUrl {
        DatabaseUrl::parse(&format!("sqlite://{}?mode=rwc", self.0.display())).unwrap()
    }
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

const EXPORTS: &[&str] = &[
    "/admin/users/export",
    "/departments/export",
    "/enterprises/export",
    "/enterprises/annual/export",
    "/enterprises/innovation/export",
    "/ladder/pool/export.xlsx",
    "/ladder/expiring/export.xlsx",
    "/land/clearance/export.xlsx",
    "/land/parcels/export.xlsx",
    "/policies/matches/export.xlsx",
    "/projects/export.xlsx",
];

async fn call(router: &axum::Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let res = router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (
        status,
        headers,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

/// Every export of the zone as the demo admin sees it: the cells of each sheet.
async fn exports(db: Db, clock: gaoxin_core::clock::Clock) -> Vec<(String, Vec<Vec<String>>)> {
    let router = app(AppState {
        db,
        config: Arc::new(AppConfig {
            clock,
            ..AppConfig::default()
        }),
    });
    let form = format!("username=admin&password={}", gaoxin::demo::PASSWORD);
    let (status, headers, _) = call(
        &router,
        Request::post("/login")
            .header("host", "localhost")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie: Vec<String> = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect();
    let mut out = Vec::new();
    for path in EXPORTS {
        let (status, _, body) = call(
            &router,
            Request::get(*path)
                .header("host", "localhost")
                .header("cookie", cookie.join("; "))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        // Signing in to compare writes the admin's last sign-in: that column is not compared.
        let mut sheet = read_xlsx(&body);
        if let Some(at) = sheet.first().and_then(|h| h.iter().position(|c| c == "最近登录")) {
            for row in &mut sheet {
                row.remove(at);
            }
        }
        out.push((path.to_string(), sheet));
    }
    out
}

async fn counts(db: &Db) -> Vec<(String, i64)> {
    use sea_orm::{ConnectionTrait, Statement};
    let mut out = Vec::new();
    for table in [
        "enterprise",
        "annual_data",
        "policy_event",
        "award_line",
        "ladder_result",
        "land_result",
        "project",
        "audit_log",
        "account",
        "department_duty",
    ] {
        let row = db
            .conn()
            .query_one_raw(Statement::from_string(
                db.backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        out.push((table.to_string(), row.try_get::<i64>("", "n").unwrap()));
    }
    out
}

#[tokio::test]
async fn a_zone_backed_up_on_sqlite_and_restored_here_answers_every_export_identically() {
    let clock = gaoxin_core::clock::Clock::fixed("2026-06-30T02:00:00Z".parse().unwrap());
    let file = SqliteFile::new("source");
    let source = Db::open(&file.url()).await.unwrap();
    gaoxin::demo::create_at(&source, 3, 300, clock).await.unwrap();

    let mut buffer = std::io::Cursor::new(Vec::new());
    let manifest = gaoxin_platform::backup::backup(&source, &mut buffer).await.unwrap();
    assert!(manifest.tables.len() >= 40, "{} tables", manifest.tables.len());
    assert!(manifest.rows() > 10_000, "{} rows", manifest.rows());
    let before_counts = counts(&source).await;
    let before = exports(source.clone(), clock).await;

    let test_db = TestDb::new().await;
    let target = Db::connect(&test_db.url).await.unwrap();
    buffer.set_position(0);
    let restored = gaoxin_platform::backup::restore(&target, buffer.clone()).await.unwrap();
    assert_eq!(restored.rows(), manifest.rows());
    let mut expected = before_counts.clone();
    for (table, n) in &mut expected {
        if table == "audit_log" {
            *n += 1; // the restore's own line
        }
    }
    assert_eq!(counts(&target).await, expected);
    let after = exports(target.clone(), clock).await;
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{path} differs after the restore");
    }
    let filled: Vec<(&str, usize)> = before.iter().map(|(p, rows)| (p.as_str(), rows.len() - 1)).collect();
    assert!(
        filled.iter().filter(|(_, n)| *n > 0).count() >= 8,
        "most exports hold rows: {filled:?}"
    );
    eprintln!("rows per export, identical after the restore: {filled:?}");

    // The restored zone goes on: new rows get new ids (PostgreSQL's sequences moved on).
    let mut writer =
        gaoxin_platform::audit::Writer::begin(&target, gaoxin_platform::audit::WriteContext::system(Some(1), "test"))
            .await
            .unwrap();
    gaoxin_platform::departments::store::create(
        &mut writer,
        1,
        gaoxin_platform::departments::domain::DepartmentInput {
            name: "恢复后新增部门".into(),
            short_name: None,
            contact_person: None,
            phone: None,
            sort_order: 99,
        },
    )
    .await
    .unwrap();
    writer.commit().await.unwrap();

    // A second restore into the now non-empty database is refused and changes nothing.
    buffer.set_position(0);
    let err = gaoxin_platform::backup::restore(&target, buffer).await.unwrap_err();
    assert!(err.to_string().contains("不是空的"), "{err}");
}

#[tokio::test]
async fn a_backup_taken_while_an_import_runs_holds_it_wholly_or_not_at_all() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let before = app.scalar("SELECT COUNT(*) FROM enterprise").await;
    let rows = 3_000;
    let mut csv = String::from("企业名称,统一社会信用代码\n");
    for n in 0..rows {
        csv.push_str(&format!(
            "备份测试企业{n}有限公司,{}\n",
            gaoxin_core::uscc::numbered_uscc(50_000 + n)
        ));
    }
    let app = Arc::new(app);
    let importer = {
        let (app, token) = (app.clone(), token.clone());
        tokio::spawn(async move {
            import(&app, &token, "enterprise", "名单.csv", csv.as_bytes(), false)
                .await
                .status
        })
    };
    let mut seen = Vec::new();
    for _ in 0..4 {
        let mut buffer = std::io::Cursor::new(Vec::new());
        gaoxin_platform::backup::backup(&app.db, &mut buffer).await.unwrap();
        let file = SqliteFile::new("during");
        let copy = Db::connect(&file.url()).await.unwrap();
        buffer.set_position(0);
        gaoxin_platform::backup::restore(&copy, buffer).await.unwrap();
        let firms = counts(&copy).await[0].1;
        assert!(
            firms == before || firms == before + rows as i64,
            "a backup holds {firms} enterprises: neither {before} nor {}",
            before + rows as i64
        );
        seen.push(firms);
        copy.close().await;
    }
    assert_eq!(importer.await.unwrap(), StatusCode::OK);
    eprintln!("enterprises in the backups taken during the import: {seen:?}");
}
