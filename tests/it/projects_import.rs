//! The project ledger from and to Excel through the real router and database: 500 projects
//! in one file, a file with bad rows refused with each row, column and reason (nothing saved),
//! export → re-import changing nothing, monthly figures, and who may import.

use axum::http::StatusCode;
use chrono::NaiveDate;
use gaoxin_projects::import::{MONTHLY_COLUMNS, PROJECT_HEADERS};
use rust_xlsxwriter::{Format, Workbook};

use crate::helpers::{Session, TestApp, follow, read_xlsx};

/// A cell of a test workbook.
enum V {
    T(String),
    N(f64),
    D(NaiveDate),
    E,
}

fn t(s: &str) -> V {
    if s.is_empty() { V::E } else { V::T(s.to_string()) }
}

fn d(y: i32, m: u32, day: u32) -> V {
    V::D(NaiveDate::from_ymd_opt(y, m, day).unwrap())
}

fn workbook(sheet: &str, headers: &[&str], rows: &[Vec<V>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                V::T(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                V::N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                V::D(day) => {
                    ws.write_date_with_format(r, c, *day, &date).unwrap();
                }
                V::E => {}
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn ledger(rows: &[Vec<V>]) -> Vec<u8> {
    workbook("招商项目", &PROJECT_HEADERS, rows)
}

fn monthly(rows: &[Vec<V>]) -> Vec<u8> {
    let headers: Vec<&str> = MONTHLY_COLUMNS.iter().map(|c| c.header).collect();
    workbook("月度数据", &headers, rows)
}

/// The first enterprise of zone alpha (as the fixture makes it).
fn alpha_uscc() -> String {
    gaoxin_core::uscc::with_check_char("91410700MA0000001").unwrap()
}

/// A full ledger row (23 columns, in PROJECT_HEADERS order).
fn row(i: usize) -> Vec<V> {
    let science = i.is_multiple_of(2);
    vec![
        t(&format!("XM2025-{:04}", i + 1)),
        t(&format!("测试项目{}号", i + 1)),
        if i.is_multiple_of(50) {
            V::E
        } else {
            t(&format!("投资方{}有限公司", i + 1))
        },
        if i.is_multiple_of(50) { t(&alpha_uscc()) } else { V::E },
        if i.is_multiple_of(3) { t("2761") } else { V::E },
        V::N(10000.0 + i as f64 * 0.25),
        if i.is_multiple_of(5) { t("8000.5") } else { V::E },
        t("以商招商"),
        t("王招商"),
        t("李主任"),
        t(if science {
            "阿尔法科学技术局"
        } else {
            "经济发展局"
        }),
        t(if science && i.is_multiple_of(4) {
            "阿尔法经济发展局"
        } else if !science {
            "科技局"
        } else {
            ""
        }),
        t(if i.is_multiple_of(4) { "阿尔法孵化器" } else { "" }),
        t("新二街"),
        if i.is_multiple_of(7) { V::N(50.1234) } else { V::E },
        t(["在谈", "签约", "开工", ""][i % 4]),
        d(2025, 1, 10),
        d(2025, 6, 1),
        t("2026-06-30"),
        t("5000"),
        if i.is_multiple_of(2) { t("20000.25") } else { V::E },
        V::E,
        t(if i.is_multiple_of(10) { "重点项目" } else { "" }),
    ]
}

async fn upload(
    app: &TestApp,
    session: &Session,
    path: &str,
    file: &str,
    bytes: &[u8],
) -> crate::helpers::TestResponse {
    app.post(&format!("{path}?_csrf={}", session.csrf))
        .session(session)
        .multipart(&[("file", Some(file), bytes)])
        .send()
        .await
}

async fn projects(app: &TestApp) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM project WHERE zone_id = {}",
        app.fx.alpha.zone_id
    ))
    .await
}

#[tokio::test]
async fn five_hundred_projects_import_in_one_file() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let before = projects(&app).await;
    let linked = format!(
        "SELECT COUNT(*) FROM project WHERE enterprise_id = {}",
        app.fx.alpha.enterprise
    );
    let (linked_before, transitions) = (
        app.scalar(&linked).await,
        app.scalar("SELECT COUNT(*) FROM project_transition").await,
    );
    let rows: Vec<Vec<V>> = (0..500).map(row).collect();
    let res = upload(&app, &admin, "/projects/import", "台账.xlsx", &ledger(&rows)).await;
    let page = follow(&app, &res, &admin).await;
    assert!(page.contains("新增 500 个项目，更新 0 个项目"), "{page}");
    assert_eq!(projects(&app).await, before + 500);
    assert_eq!(
        app.scalar("SELECT total_investment FROM project WHERE code = 'XM2025-0003'")
            .await,
        10_000_500_000,
        "10000.5 万元 in fen"
    );
    assert_eq!(app.scalar(&linked).await, linked_before + 10);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM project WHERE investor = '阿尔法测试科技有限公司' AND code LIKE 'XM2025-%' \
             AND enterprise_id = {}",
            app.fx.alpha.enterprise
        ))
        .await,
        10,
        "the linked enterprise names the investor"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM project_transition").await,
        transitions + 500,
        "each project entered its stage"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM project WHERE stage = 'started' AND code LIKE 'XM2025-%'")
            .await,
        125
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM project WHERE code LIKE 'XM2025-%' AND lead_department_id = {}",
            app.fx.alpha.economy_dept
        ))
        .await,
        250,
        "经济发展局 matched"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM project_cooperation WHERE department_id = {}",
            app.fx.alpha.science_dept
        ))
        .await,
        250,
        "科技局 matched as a cooperating department"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM project WHERE land_area = 501234")
            .await,
        72
    );
}

#[tokio::test]
async fn bad_rows_are_named_and_nothing_is_saved() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let mut unknown_department = row(1);
    unknown_department[10] = t("招商引资局");
    let mut bad_amount = row(2);
    bad_amount[5] = t("一百万");
    let mut unknown_stage = row(3);
    unknown_stage[15] = t("招标");
    let file = ledger(&[row(0), unknown_department, bad_amount, unknown_stage, row(4)]);
    let before = projects(&app).await;
    let res = upload(&app, &admin, "/projects/import", "台账.xlsx", &file).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text();
    for needle in [
        "<td>3</td><td>牵头部门</td><td>招商引资局</td><td>牵头部门“招商引资局”不在本园区部门列表中",
        "<td>4</td><td>总投资（万元）</td><td>一百万</td><td>总投资“一百万”应为不小于 0 的万元数",
        "<td>5</td><td>阶段</td><td>招标</td><td>阶段“招标”不在规则中，应为：在谈、签约",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert_eq!(
        page.matches("<tr><td>").count(),
        3 + 23 + MONTHLY_COLUMNS.len(),
        "three errors and the column lists"
    );
    assert_eq!(projects(&app).await, before, "nothing saved");
    // A duplicate 项目编号 in the file is refused too.
    let res = upload(
        &app,
        &admin,
        "/projects/import",
        "台账.xlsx",
        &ledger(&[row(0), row(1), row(0)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("项目编号“XM2025-0001”与第 2 行重复"),
        "{}",
        res.text()
    );
    assert_eq!(projects(&app).await, before);
}

#[tokio::test]
async fn an_exported_ledger_reimports_unchanged() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let before = projects(&app).await;
    let rows: Vec<Vec<V>> = (0..12).map(row).collect();
    let res = upload(&app, &admin, "/projects/import", "台账.xlsx", &ledger(&rows)).await;
    assert!(follow(&app, &res, &admin).await.contains("新增 12 个项目"));
    let first = app.get("/projects/export.xlsx").session(&admin).send().await;
    assert_eq!(first.status, StatusCode::OK);
    let a = read_xlsx(&first.body);
    assert_eq!(a[0], PROJECT_HEADERS.map(String::from).to_vec());
    assert_eq!(a.len() as i64, 1 + before + 12);
    let at = |code: &str| a.iter().position(|r| r[0] == code).unwrap();
    let (one, two) = (at("XM2025-0001"), at("XM2025-0002"));
    assert_eq!(two, one + 1, "ordered by code");
    let a1 = &a[one];
    // Project 1 (i = 0): every field as entered.
    assert_eq!(a1[0], "XM2025-0001");
    assert_eq!(a1[2], "阿尔法测试科技有限公司");
    assert_eq!(a1[3], alpha_uscc());
    assert_eq!(a1[4], "2761");
    assert_eq!(a1[5], "10000");
    assert_eq!(a1[6], "8000.5");
    assert_eq!(a1[10], "阿尔法科学技术局");
    assert_eq!(a1[11], "阿尔法经济发展局");
    assert_eq!(a1[12], "阿尔法孵化器");
    assert_eq!(a1[14], "50.1234");
    assert_eq!(a1[15], "在谈");
    assert_eq!(a1[16], "2025-01-10");
    assert_eq!(a1[18], "2026-06-30");
    assert_eq!(a1[20], "20000.25");
    assert_eq!(a1[22], "重点项目");
    assert_eq!(a[two][5], "10000.25");
    assert_eq!(a[two][11], "阿尔法科学技术局");
    let cooperation = app.scalar("SELECT COUNT(*) FROM project_cooperation").await;
    let transitions = app.scalar("SELECT COUNT(*) FROM project_transition").await;
    let res = upload(&app, &admin, "/projects/import", "招商项目台账.xlsx", &first.body).await;
    let page = follow(&app, &res, &admin).await;
    assert!(
        page.contains(&format!("新增 0 个项目，更新 {} 个项目", before + 12)),
        "{page}"
    );
    assert_eq!(projects(&app).await, before + 12);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM project_cooperation").await,
        cooperation
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM project_transition").await, transitions);
    let second = app.get("/projects/export.xlsx").session(&admin).send().await;
    assert_eq!(read_xlsx(&second.body), a, "cell for cell");
    // The template has the same headers, and imports as "no rows".
    let template = app.get("/projects/template.xlsx").session(&admin).send().await;
    assert_eq!(template.status, StatusCode::OK);
    assert_eq!(read_xlsx(&template.body)[0], a[0]);
    let res = upload(&app, &admin, "/projects/import", "模板.xlsx", &template.body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("没有项目行"), "{}", res.text());
}

#[tokio::test]
async fn monthly_figures_import_and_unknown_projects_are_refused() {
    let app = TestApp::new().await;
    let admin = app.login("admin_a").await;
    let rows: Vec<Vec<V>> = (0..2).map(row).collect();
    let res = upload(&app, &admin, "/projects/import", "台账.xlsx", &ledger(&rows)).await;
    follow(&app, &res, &admin).await;
    let figures = app.scalar("SELECT COUNT(*) FROM project_monthly").await;
    let good = || {
        vec![
            vec![
                t("XM2025-0001"),
                t("2025-06"),
                t("100"),
                t("80.5"),
                V::E,
                V::E,
                V::E,
                V::E,
            ],
            vec![
                t("XM2025-0001"),
                d(2025, 7, 1),
                V::N(100.0),
                V::N(120.0),
                V::E,
                t("300"),
                V::E,
                t("12.34"),
            ],
            vec![
                t("XM2025-0002"),
                t("2025年7月"),
                V::E,
                t("1,000"),
                V::E,
                V::E,
                V::E,
                V::E,
            ],
        ]
    };
    let mut bad = good();
    bad.push(vec![
        t("XM2099-0001"),
        t("2025-06"),
        V::E,
        t("10"),
        V::E,
        V::E,
        V::E,
        V::E,
    ]);
    bad.push(vec![
        t("XM2025-0002"),
        t("2999-01"),
        V::E,
        t("10"),
        V::E,
        V::E,
        V::E,
        V::E,
    ]);
    let res = upload(&app, &admin, "/projects/import/monthly", "月度.xlsx", &monthly(&bad)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text();
    assert!(
        page.contains("<td>5</td><td>项目编号</td><td>XM2099-0001</td><td>项目编号“XM2099-0001”不在本园区项目台账中"),
        "{page}"
    );
    assert!(page.contains("<td>6</td><td>月份</td>"), "{page}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM project_monthly").await,
        figures,
        "nothing saved"
    );
    let res = upload(&app, &admin, "/projects/import/monthly", "月度.xlsx", &monthly(&good())).await;
    assert!(follow(&app, &res, &admin).await.contains("3 条月度数据"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM project_monthly").await, figures + 3);
    assert_eq!(
        app.scalar(
            "SELECT m.investment FROM project_monthly m JOIN project p ON p.id = m.project_id \
             WHERE p.code = 'XM2025-0001' AND m.month = '2025-06'"
        )
        .await,
        80_500_000
    );
    assert_eq!(
        app.scalar(
            "SELECT m.tax FROM project_monthly m JOIN project p ON p.id = m.project_id \
             WHERE p.code = 'XM2025-0001' AND m.month = '2025-07'"
        )
        .await,
        12_340_000
    );
    assert_eq!(
        app.scalar(
            "SELECT m.investment FROM project_monthly m JOIN project p ON p.id = m.project_id \
             WHERE p.code = 'XM2025-0002' AND m.month = '2025-07'"
        )
        .await,
        1_000_000_000
    );
    // A later file with blanks keeps what was entered.
    let again = monthly(&[vec![
        t("XM2025-0001"),
        t("2025-06"),
        V::E,
        V::E,
        V::E,
        t("50"),
        V::E,
        V::E,
    ]]);
    let res = upload(&app, &admin, "/projects/import/monthly", "月度.xlsx", &again).await;
    follow(&app, &res, &admin).await;
    assert_eq!(
        app.scalar(
            "SELECT m.investment + m.sales FROM project_monthly m JOIN project p ON p.id = m.project_id \
             WHERE p.code = 'XM2025-0001' AND m.month = '2025-06'"
        )
        .await,
        80_500_000 + 50_000_000
    );
}

#[tokio::test]
async fn only_admins_import() {
    let app = TestApp::new().await;
    let before = projects(&app).await;
    let file = ledger(&[row(1)]);
    for user in ["staff_a", "ent_a", "leader_a"] {
        let session = app.login(user).await;
        for path in ["/projects/import", "/projects/import/monthly"] {
            let res = upload(&app, &session, path, "台账.xlsx", &file).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{user} {path}");
        }
        let page = app.get("/projects/import").session(&session).send().await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{user}");
    }
    assert_eq!(projects(&app).await, before);
    let ent = app.login("ent_a").await;
    let res = app.get("/projects/export.xlsx").session(&ent).send().await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let staff = app.login("staff_a").await;
    let res = app.get("/projects/export.xlsx").session(&staff).send().await;
    assert_eq!(res.status, StatusCode::OK);
    let admin = app.login("admin_a").await;
    let page = app.get("/projects/import").session(&admin).send().await.text();
    assert!(
        page.contains(&format!("action=\"/projects/import?_csrf={}\"", admin.csrf)),
        "{page}"
    );
    assert!(page.contains(&format!("action=\"/projects/import/monthly?_csrf={}\"", admin.csrf)));
}
