//! The enterprise registry: imports (xlsx, csv, GB18030) with preview, all-or-nothing commit,
//! errors by sheet/row/column and an annotated copy; export that re-imports unchanged; the
//! enterprise file page; list filters; malformed files.

use axum::http::StatusCode;
use rust_xlsxwriter::{Format, Workbook};

use crate::helpers::{TestApp, import, xlsx};

const HUAWEI: &str = "914403001922038216";
const TENCENT: &str = "91440300708461136T";
const XIAOMI: &str = "91110108551385082Q";

fn sample() -> Vec<u8> {
    // Columns in another order than the template, a header with spaces and full-width
    // brackets, an unknown column, numbers with separators, three date spellings.
    xlsx(
        "企业名单",
        &[
            vec![
                "统一社会信用代码",
                " 企业名称 ",
                "用地面积（亩）",
                "注册日期",
                "行业代码",
                "从业人员数",
                "企业规模",
                "所属载体",
                "标签",
                "备注",
            ],
            vec![
                HUAWEI,
                "阿尔法华为技术有限公司",
                "#35.5",
                "1987年9月15日",
                "C3921",
                "1,200",
                "规上",
                "一号孵化器",
                "高企、瞪羚",
                "x",
            ],
            vec![
                TENCENT,
                "阿尔法腾讯计算机系统有限公司",
                "0",
                "1998/11/11",
                "6432",
                "#500",
                "规下",
                "",
                "",
                "",
            ],
            vec![
                XIAOMI,
                "阿尔法小米科技有限责任公司",
                "",
                "2010-03-03",
                "39",
                "",
                "",
                "一号孵化器",
                "高企",
                "",
            ],
        ],
    )
}

#[tokio::test]
async fn an_import_previews_then_commits_every_row_in_one_audited_transaction() {
    let app = TestApp::new().await;
    let token = app.token("staff_a").await;
    let before = app.scalar("SELECT COUNT(*) FROM enterprise").await;
    let preview = import(&app, &token, "enterprise", "名单.xlsx", &sample(), true).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let report = preview.json();
    assert_eq!(
        (
            report["new"].as_u64(),
            report["changed"].as_u64(),
            report["unchanged"].as_u64()
        ),
        (Some(3), Some(0), Some(0))
    );
    assert_eq!(report["unknown_columns"], serde_json::json!(["备注"]));
    assert_eq!(report["new_carriers"], serde_json::json!(["一号孵化器"]));
    assert_eq!(report["committed"], false);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM enterprise").await,
        before,
        "a preview writes nothing"
    );

    let done = import(&app, &token, "enterprise", "名单.xlsx", &sample(), false).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.json()["committed"], true);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM enterprise").await, before + 3);
    let list = app.get("/api/v1/enterprises?q=华为").bearer(&token).send().await.json();
    let huawei = &list["items"][0];
    assert_eq!(huawei["uscc"], HUAWEI);
    assert_eq!(huawei["industry_code"], "3921");
    assert_eq!(
        huawei["industry_path"],
        "制造业 › 计算机、通信和其他电子设备制造业 › 通信设备制造 › 通信系统设备制造"
    );
    assert_eq!(huawei["registered_on"], "1987-09-15");
    assert_eq!(huawei["land_area_mu"], "35.5");
    assert_eq!(huawei["employees"], 1200);
    assert_eq!(huawei["scale"], "above");
    assert_eq!(huawei["tags"], serde_json::json!(["高企", "瞪羚"]));
    // One audited import: an event with the file name, and a create line per row.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND entity_id = '名单.xlsx'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND entity = 'enterprise' AND actor_name LIKE '%staff_a%'")
            .await,
        3
    );
    // The same file again: nothing changes. A changed cell: one row changed, field by field.
    let again = import(&app, &token, "enterprise", "名单.xlsx", &sample(), true)
        .await
        .json();
    assert_eq!(
        (
            again["new"].as_u64(),
            again["changed"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3))
    );
    let edited = xlsx(
        "企业名单",
        &[
            vec!["统一社会信用代码", "企业名称", "从业人员数"],
            vec![HUAWEI, "阿尔法华为技术有限公司", "#1300"],
        ],
    );
    let changed = import(&app, &token, "enterprise", "改.xlsx", &edited, true)
        .await
        .json();
    assert_eq!(changed["changed"], 1);
    let fields = &changed["changes"][0]["fields"];
    assert!(
        fields
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["column"] == "从业人员数" && f["before"] == "1200" && f["after"] == "1300"),
        "{fields}"
    );
}

#[tokio::test]
async fn a_file_with_errors_writes_nothing_and_names_every_bad_cell() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let bad = xlsx(
        "企业",
        &[
            vec![
                "企业名称",
                "统一社会信用代码",
                "注册日期",
                "行业代码",
                "用地面积(亩)",
                "从业人员数",
            ],
            vec!["好企业", HUAWEI, "2020-01-01", "3921", "#10", "#5"],
            vec!["校验位错", "91440300708461136X", "", "", "", ""],
            vec!["重复代码", HUAWEI, "", "", "", ""],
            vec!["", TENCENT, "2023-02-30", "9999", "-1", "3.5"],
        ],
    );
    let (e0, a0) = (
        app.scalar("SELECT COUNT(*) FROM enterprise").await,
        app.scalar("SELECT COUNT(*) FROM audit_log").await,
    );
    let res = import(&app, &token, "enterprise", "bad.xlsx", &bad, false).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let report = res.json();
    assert_eq!(report["committed"], false);
    let errors: Vec<(u64, String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |row: u64, column: &str| {
        errors
            .iter()
            .find(|(r, c, _)| *r == row && c == column)
            .map(|(_, _, reason)| reason.clone())
    };
    assert!(at(3, "统一社会信用代码").unwrap().contains("校验位错误"));
    assert!(
        at(4, "统一社会信用代码")
            .unwrap()
            .contains("与第 2 行的统一社会信用代码重复")
    );
    assert!(at(5, "企业名称").unwrap().contains("不能为空"));
    assert!(at(5, "注册日期").unwrap().contains("不是有效的日期"));
    assert!(at(5, "行业代码").unwrap().contains("GB/T 4754"));
    assert!(at(5, "用地面积(亩)").unwrap().contains("负数"));
    assert!(at(5, "从业人员数").unwrap().contains("整数"));
    assert_eq!(report["errors"][0]["sheet"], "企业");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM enterprise").await, e0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log").await, a0);

    // Through the pages: the preview lists the errors and offers the user's file back, annotated.
    let admin = app.login("admin_a").await;
    let page = app
        .post(&format!("/enterprises/import?_csrf={}", admin.csrf))
        .session(&admin)
        .multipart(&[("kind", None, b"enterprise"), ("file", Some("bad.xlsx"), &bad)])
        .send()
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text();
    assert!(html.contains("与第 2 行的统一社会信用代码重复"));
    let start = html.find("/enterprises/import/").unwrap();
    let link = html[start..].split('"').next().unwrap().to_string();
    assert!(link.ends_with("/errors.xlsx"), "{link}");
    let annotated = app.get(&link).session(&admin).send().await;
    assert_eq!(annotated.status, StatusCode::OK);
    let cells = annotated.xlsx_cells();
    assert!(cells.contains(&"错误说明".to_string()));
    assert!(
        cells.iter().any(|c| c.contains("统一社会信用代码：校验位错误")),
        "{cells:?}"
    );
    assert!(cells.contains(&"校验位错".to_string()), "the user's own rows come back");
    // Another user cannot fetch that file.
    let other = app.login("staff_a").await;
    assert_eq!(
        app.get(&link).session(&other).send().await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn upload_preview_and_confirm_through_the_pages() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let page = app.get("/enterprises/import").session(&staff).send().await.text();
    assert!(page.contains("是否更新已经存在的数据") && page.contains("下载企业模板"));
    let preview = app
        .post(&format!("/enterprises/import?_csrf={}", staff.csrf))
        .session(&staff)
        .multipart(&[
            ("kind", None, b"enterprise"),
            ("update_existing", None, b"on"),
            ("file", Some("名单.xlsx"), &sample()),
        ])
        .send()
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let html = preview.text();
    assert!(html.contains("阿尔法华为技术有限公司") && html.contains("一号孵化器"));
    let start = html.find("action=\"/enterprises/import/").unwrap() + "action=\"".len();
    let commit = html[start..].split('"').next().unwrap().to_string();
    let res = app.post(&commit).session(&staff).form(&[]).send().await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let flash = res.cookie("gaoxin_flash").unwrap();
    let list = app
        .get("/enterprises")
        .session(&staff)
        .cookie(&flash)
        .send()
        .await
        .text();
    assert!(list.contains("新增 3，更新 0，不变 0"), "{list}");
    assert!(list.contains("阿尔法小米科技有限责任公司"));
    // The token is spent.
    assert_eq!(
        app.post(&commit).session(&staff).form(&[]).send().await.status,
        StatusCode::NOT_FOUND
    );
    // A missing file is a message on the form, not an error page.
    let res = app
        .post(&format!("/enterprises/import?_csrf={}", staff.csrf))
        .session(&staff)
        .multipart(&[("kind", None, b"enterprise")])
        .send()
        .await;
    assert!(res.text().contains("请选择要导入的文件"));
    // Multipart writes need the CSRF token too.
    let res = app
        .post("/enterprises/import")
        .session(&staff)
        .without_csrf()
        .multipart(&[("file", Some("名单.xlsx"), &sample())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_export_reimports_without_changing_anything() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    assert_eq!(
        import(&app, &token, "enterprise", "名单.xlsx", &sample(), false)
            .await
            .status,
        StatusCode::OK
    );
    let export = app.get("/enterprises/export").bearer(&token).send().await;
    assert_eq!(export.status, StatusCode::OK);
    let cells = export.xlsx_cells();
    assert_eq!(&cells[..3], ["企业名称", "统一社会信用代码", "行业代码"]);
    assert!(cells.contains(&"35.5".to_string()), "numbers stay numbers: {cells:?}");
    let again = import(&app, &token, "enterprise", "export.xlsx", &export.body, true)
        .await
        .json();
    assert_eq!(again["errors"], serde_json::json!([]));
    assert_eq!(again["new"], 0);
    assert_eq!(again["changed"], 0, "{again}");
    assert_eq!(again["unchanged"], 5);
    // Filtered as on screen.
    let by_tag = app
        .get("/enterprises/export?tag=%E9%AB%98%E4%BC%81")
        .bearer(&token)
        .send()
        .await
        .xlsx_cells();
    let names: Vec<&String> = by_tag
        .iter()
        .filter(|c| c.starts_with("阿尔法") && c.ends_with("公司"))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[tokio::test]
async fn csv_in_utf8_and_gb18030_both_import() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let text = format!("企业名称,统一社会信用代码,注册日期\n阿尔法华为技术有限公司,{HUAWEI},2023年1月5日\n");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let res = import(&app, &token, "enterprise", "名单.csv", &gbk, true).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["new"], 1);
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let res = import(&app, &token, "enterprise", "名单.csv", &bom, false).await;
    assert_eq!(res.json()["committed"], true);
    let e = app.get("/api/v1/enterprises?q=华为").bearer(&token).send().await.json();
    assert_eq!(e["items"][0]["registered_on"], "2023-01-05");
}

#[tokio::test]
async fn broken_files_get_a_clear_message_and_never_a_panic() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let mut protected = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    protected.extend(std::iter::repeat_n(0u8, 600));
    let valid = sample();
    let truncated = valid[..valid.len() / 2].to_vec();
    let empty_sheet = xlsx("企业", &[]);
    let no_uscc = xlsx("企业", &[vec!["企业名称", "法定代表人"], vec!["某公司", "张三"]]);
    let merged = {
        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet();
        ws.merge_range(0, 0, 0, 2, "企业名称", &Format::new()).unwrap();
        ws.write_string(0, 3, "统一社会信用代码").unwrap();
        for (c, v) in ["甲公司", "乙", "丙", HUAWEI].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a.xlsx", b"this is not a workbook".to_vec(), "已损坏"),
        ("a.xlsx", protected.clone(), "已加密"),
        ("a.xls", protected, ".xls"),
        ("a.xlsx", truncated, "已损坏"),
        ("a.xlsx", empty_sheet, "是空的"),
        ("a.xlsx", no_uscc, "缺少必填列：统一社会信用代码"),
        ("a.xlsx", merged, "合并单元格"),
        ("a.csv", vec![0xFF, 0xFE, 0x00, 0x41, 0x00], "编码"),
    ];
    for (name, bytes, needle) in cases {
        let res = import(&app, &token, "enterprise", name, &bytes, true).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} {needle}: {}",
            res.text()
        );
        let reason = res.json()["errors"][0]["reason"].as_str().unwrap().to_string();
        assert!(reason.contains(needle), "{name}: {reason}");
    }
    // Arbitrary bytes, and every prefix of a valid workbook: always a report, never a panic.
    let mut seed = 0x2545F4914F6CDD1Du64;
    for len in (0..valid.len()).step_by(valid.len() / 40 + 1).chain([7, 64, 4096]) {
        let bytes: Vec<u8> = if len % 2 == 0 {
            valid[..len].to_vec()
        } else {
            (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect()
        };
        for name in ["x.xlsx", "x.csv", "x.xls"] {
            let res = import(&app, &token, "enterprise", name, &bytes, true).await;
            assert!(
                res.status == StatusCode::OK
                    || res.status == StatusCode::UNPROCESSABLE_ENTITY
                    || res.status == StatusCode::BAD_REQUEST,
                "{name} ({len} bytes): {}",
                res.status
            );
        }
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM enterprise").await, 4);
}

#[tokio::test]
async fn annual_data_upserts_by_code_and_year_and_an_empty_cell_keeps_the_stored_value() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    import(&app, &token, "enterprise", "名单.xlsx", &sample(), false).await;
    let first = xlsx(
        "年度数据",
        &[
            vec![
                "统一社会信用代码",
                "年度",
                "营业收入(万元)",
                "税收(万元)",
                "研发经费(万元)",
                "综合能耗(吨标准煤)",
                "研发人员数",
            ],
            vec![HUAWEI, "#2023", "12,345.67", "#0.1", "#800", "#1234.5", "#12"],
            vec![HUAWEI, "#2024", "#15000", "", "#900", "", ""],
            vec!["914403001922038217", "#2024", "#1", "", "", "", ""],
        ],
    );
    let res = import(&app, &token, "annual", "年报.xlsx", &first, false).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.json()["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("校验位错误")
    );
    let first = xlsx(
        "年度数据",
        &[
            vec![
                "统一社会信用代码",
                "年度",
                "营业收入(万元)",
                "税收(万元)",
                "研发经费(万元)",
                "综合能耗(吨标准煤)",
                "研发人员数",
            ],
            vec![HUAWEI, "#2023", "12,345.67", "#0.1", "#800", "#1234.5", "#12"],
            vec![HUAWEI, "#2024", "#15000", "", "#900", "", ""],
            vec![XIAOMI, "#2024", "#1", "", "", "", ""],
        ],
    );
    let res = import(&app, &token, "annual", "年报.xlsx", &first, false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["new"], 3);
    let id = app.get("/api/v1/enterprises?q=华为").bearer(&token).send().await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let years = app
        .get(&format!("/api/v1/enterprises/{id}/annual"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(years[0]["year"], 2023);
    assert_eq!(years[0]["revenue"], "12345.67");
    assert_eq!(years[0]["tax"], "0.1");
    assert_eq!(years[0]["energy_tce"], "1234.5");
    assert!(years[1]["tax"].is_null(), "unknown stays unknown");
    assert!(years[0]["sources"]["revenue"].as_str().unwrap().contains("年报.xlsx"));
    // Stored exactly: 12,345.67 万元 is 12,345,670,000 fen.
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(SUM(revenue) AS BIGINT) FROM annual_data WHERE year = 2023 AND enterprise_id = {id}"
        ))
        .await,
        12_345_670_000
    );
    // A second file that leaves tax empty keeps 2023's tax, changes revenue.
    let second = xlsx(
        "年度数据",
        &[
            vec!["统一社会信用代码", "年度", "营业收入(万元)", "税收(万元)"],
            vec![HUAWEI, "#2023", "#13000", ""],
        ],
    );
    let report = import(&app, &token, "annual", "更正.xlsx", &second, false).await.json();
    assert_eq!(report["changed"], 1);
    assert_eq!(report["changes"][0]["fields"][0]["column"], "营业收入(万元)");
    let years = app
        .get(&format!("/api/v1/enterprises/{id}/annual"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(years[0]["revenue"], "13000");
    assert_eq!(years[0]["tax"], "0.1");
    assert!(years[0]["sources"]["revenue"].as_str().unwrap().contains("更正.xlsx"));
    assert!(years[0]["sources"]["tax"].as_str().unwrap().contains("年报.xlsx"));
    // The enterprise file page shows it all.
    let leader = app.login("leader_a").await;
    let page = app
        .get(&format!("/enterprises/{id}"))
        .session(&leader)
        .send()
        .await
        .text();
    assert!(page.contains("通信系统设备制造"));
    assert!(page.contains("13,000"));
    assert!(page.contains("annual-chart"));
    assert!(page.contains("变更记录"));
    // The annual export re-imports unchanged.
    let export = app.get("/enterprises/annual/export").bearer(&token).send().await;
    let again = import(&app, &token, "annual", "annual.xlsx", &export.body, true)
        .await
        .json();
    assert_eq!(
        (again["new"].as_u64(), again["changed"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
}

#[tokio::test]
async fn the_list_filters_by_industry_carrier_scale_tag_and_status() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    import(&app, &token, "enterprise", "名单.xlsx", &sample(), false).await;
    let total = |query: &str| {
        let app = &app;
        let token = token.clone();
        let query = query.to_string();
        async move {
            app.get(&format!("/api/v1/enterprises?{query}"))
                .bearer(&token)
                .send()
                .await
                .json()["total"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(total("industry=C").await, 2);
    assert_eq!(total("industry=39").await, 2);
    assert_eq!(total("industry=I").await, 1);
    assert_eq!(
        total("scale=above").await,
        2,
        "the fixture's first enterprise (规上 for 亩均) and one imported here"
    );
    assert_eq!(total("tag=%E9%AB%98%E4%BC%81").await, 2);
    assert_eq!(total("tag=%E9%AB%98").await, 0, "tags match whole");
    assert_eq!(total("status=active").await, 5);
    assert_eq!(total("q=91110108").await, 1);
    let carriers = app.scalar("SELECT MAX(id) FROM carrier").await;
    assert_eq!(total(&format!("carrier={carriers}")).await, 2);
    let sorted = app
        .get("/api/v1/enterprises?sort=employees&per_page=10")
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(sorted["items"][0]["employees"], 1200, "{sorted}");
    // The page renders with the filters kept.
    let admin = app.login("admin_a").await;
    let html = app
        .get("/enterprises?industry=39&tag=%E9%AB%98%E4%BC%81")
        .session(&admin)
        .send()
        .await
        .text();
    assert!(html.contains("共 2 条"));
    assert!(
        html.contains("/enterprises/export?industry=39&amp;tag=")
            || html.contains("/enterprises/export?industry=39&#38;tag="),
        "{html}"
    );
}

#[tokio::test]
async fn templates_have_the_chinese_headers_instructions_and_an_example() {
    let app = TestApp::new().await;
    let token = app.token("leader_a").await;
    let t = app.get("/enterprises/template.xlsx").bearer(&token).send().await;
    assert_eq!(t.status, StatusCode::OK);
    let cells = t.xlsx_cells();
    for header in [
        "企业名称",
        "统一社会信用代码",
        "行业代码",
        "注册日期",
        "用地面积(亩)",
        "所属载体",
        "填写说明",
    ] {
        assert!(cells.iter().any(|c| c.contains(header)), "{header}");
    }
    assert!(cells.iter().any(|c| c == "计算机整机制造"), "the industry table sheet");
    // The example row is itself valid.
    let admin = app.token("admin_a").await;
    let report = import(&app, &admin, "enterprise", "模板.xlsx", &t.body, true)
        .await
        .json();
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    assert_eq!(report["new"], 1);
    let a = app
        .get("/enterprises/annual/template.xlsx")
        .bearer(&token)
        .send()
        .await
        .xlsx_cells();
    assert!(a.iter().any(|c| c == "综合能耗(吨标准煤)"));
}

#[tokio::test]
async fn an_enterprise_user_proposes_a_correction_and_a_department_decides() {
    let app = TestApp::new().await;
    let fx = app.fx.alpha.clone();
    let ent = app.login("ent_a").await;
    let propose = |id: i64, field: &'static str, value: &'static str, reason: &'static str| {
        let app = &app;
        let ent = ent.clone();
        async move {
            app.post(&format!("/enterprises/{id}/corrections"))
                .session(&ent)
                .form(&[("field", field), ("proposed_value", value), ("reason", reason)])
                .send()
                .await
        }
    };
    let res = propose(fx.enterprise, "phone", "0373-5550000", "换了新号码").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.cookie("gaoxin_flash").unwrap().contains("%E5%BE%85")); // 等待部门审核
    // Not for another enterprise, not for the code itself, not an invalid value.
    assert_eq!(
        propose(fx.other_enterprise, "phone", "0373-5550000", "x").await.status,
        StatusCode::NOT_FOUND
    );
    for (field, value) in [("uscc", "91440300708461136T"), ("registered_on", "去年")] {
        let res = propose(fx.enterprise, field, value, "理由").await;
        let flash = res.cookie("gaoxin_flash").unwrap();
        let page = app
            .get(&format!("/enterprises/{}", fx.enterprise))
            .session(&ent)
            .cookie(&flash)
            .send()
            .await
            .text();
        assert!(
            page.contains("不能由企业提出更正") || page.contains("不是有效的日期"),
            "{field}: {page}"
        );
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM correction").await, 1);
    let own = app
        .get(&format!("/enterprises/{}", fx.enterprise))
        .session(&ent)
        .send()
        .await
        .text();
    assert!(own.contains("0373-5550000") && own.contains("待审核"));

    let staff = app.login("staff_a").await;
    let list = app.get("/enterprises/corrections").session(&staff).send().await.text();
    assert!(list.contains("换了新号码") && list.contains("阿尔法测试科技有限公司"));
    let id = app.scalar("SELECT MAX(id) FROM correction").await;
    let res = app
        .post(&format!("/enterprises/corrections/{id}/approve"))
        .session(&staff)
        .form(&[])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let token = app.token("staff_a").await;
    let e = app
        .get(&format!("/api/v1/enterprises/{}", fx.enterprise))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(e["phone"], "0373-5550000");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'enterprise' AND entity_id = '{}' AND action = 'update' AND actor_name LIKE '%staff_a%'",
            fx.enterprise
        ))
        .await,
        1
    );
    // A decided correction cannot be decided again; returning one needs a reason.
    let res = app
        .post(&format!("/enterprises/corrections/{id}/reject"))
        .session(&staff)
        .form(&[("note", "晚了")])
        .send()
        .await;
    assert!(
        res.cookie("gaoxin_flash")
            .unwrap()
            .contains("%E5%B7%B2%E5%A4%84%E7%90%86")
    ); // 已处理
    propose(fx.enterprise, "registered_address", "新乡市高新区新二街 1 号", "搬家").await;
    let second = app.scalar("SELECT MAX(id) FROM correction").await;
    let res = app
        .post(&format!("/enterprises/corrections/{second}/reject"))
        .session(&staff)
        .form(&[("note", "")])
        .send()
        .await;
    assert!(
        res.cookie("gaoxin_flash")
            .unwrap()
            .contains("%E9%80%80%E5%9B%9E%E7%90%86%E7%94%B1")
    ); // 退回理由
    let res = app
        .post(&format!("/enterprises/corrections/{second}/reject"))
        .session(&staff)
        .form(&[("note", "请附租赁合同")])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let own = app
        .get(&format!("/enterprises/{}", fx.enterprise))
        .session(&ent)
        .send()
        .await
        .text();
    assert!(own.contains("已退回") && own.contains("请附租赁合同"));
    let e = app
        .get(&format!("/api/v1/enterprises/{}", fx.enterprise))
        .bearer(&token)
        .send()
        .await
        .json();
    assert!(e["registered_address"].is_null());
}

/// The enterprise page prints figures as reports do — 万元 to two decimals, grouped — while the
/// export keeps every stored decimal; its 亩均 history names each scheme, not its file id.
#[tokio::test]
async fn the_enterprise_page_prints_figures_as_reports_do_and_names_schemes() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let id = app.fx.alpha.enterprise;
    let firm = app
        .get(&format!("/api/v1/enterprises/{id}"))
        .bearer(&token)
        .send()
        .await
        .json();
    let uscc = firm["uscc"].as_str().unwrap().to_string();
    let file = xlsx(
        "年度数据",
        &[
            vec!["统一社会信用代码", "年度", "营业收入(万元)", "综合能耗(吨标准煤)"],
            vec![uscc.as_str(), "2023", "2889.22525", "1234.5"],
        ],
    );
    let report = import(&app, &token, "annual", "年报.xlsx", &file, false).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    let leader = app.login("leader_a").await;
    let page = app
        .get(&format!("/enterprises/{id}"))
        .session(&leader)
        .send()
        .await
        .text();
    assert!(page.contains(">2,889.23<"), "revenue to two decimals");
    assert!(
        !page.contains("2,889.22525") && !page.contains("2889.22525"),
        "no five decimals on the page"
    );
    assert!(page.contains(">1,234.50<"), "energy to two decimals");
    let export = app.get("/enterprises/annual/export").bearer(&token).send().await;
    assert!(
        export.xlsx_cells().iter().any(|c| c == "2889.22525"),
        "the export keeps every decimal"
    );
    // The 亩均 card names the scheme of each run.
    let schemes = app.get("/api/v1/land/schemes").bearer(&token).send().await.json();
    let name = schemes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == app.fx.alpha.land_scheme)
        .map(|s| s["name"].as_str().unwrap().to_string())
        .unwrap();
    let scheme_code = schemes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == app.fx.alpha.land_scheme)
        .map(|s| s["scheme_id"].as_str().unwrap().to_string())
        .unwrap();
    assert!(
        page.contains(&format!("<td>{name}</td>")),
        "the scheme's name ({name}) in the 亩均 card"
    );
    assert!(!page.contains(&format!("<td>{scheme_code}</td>")), "not its id");
}
