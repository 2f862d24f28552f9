//! 亩均效益评价: the database-free contract (`gaoxin land evaluate --input FILE.csv`), run as a
//! real process on real CSV files; hand-computed figures.

use std::process::{Command, Output};

/// Runs gaoxin with a database URL that cannot be opened: the CSV path must not need one.
fn gaoxin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaoxin"))
        .arg("--db")
        .arg("sqlite:///nonexistent-gaoxin-dir/never.db")
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap()
}

struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("gx-land-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn evaluate(scheme: &str, year: &str, input: &str, format: &str) -> String {
    let out = gaoxin(&[
        "land", "evaluate", "--scheme", scheme, "--year", year, "--input", input, "--format", format,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn refused(scheme: &str, input: &str, needles: &[&str]) {
    let out = gaoxin(&[
        "land", "evaluate", "--scheme", scheme, "--year", "2022", "--input", input, "--format", "json",
    ]);
    assert!(!out.status.success(), "{input} should be refused");
    assert!(out.stdout.is_empty(), "nothing printed on stdout when refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for n in needles {
        assert!(stderr.contains(n), "stderr {stderr:?} lacks {n:?}");
    }
}

const HEADER: &str = "统一社会信用代码,企业名称,年度,营业收入(万元),工业总产值(万元),工业增加值(万元),税收(万元),研发经费(万元),综合能耗(吨标准煤),化学需氧量排放(吨),氨氮排放(吨),二氧化硫排放(吨),氮氧化物排放(吨),用地面积(亩),从业人员数,企业规模";

/// The 黄岩 规上 file's hand-computed firms (see its comments), in 万元 as the template has them.
fn huangyan_rows() -> String {
    format!(
        "{HEADER}\n\
         91331003A00000001A,甲,2022,1000,,1361.6,240.97,30,500,0.3,0,0,0,10,75,规上\n\
         91331003A00000002B,乙,2022,900,,800,120,10,1000,,,,,20,120,规上\n\
         91331003A00000003C,丙,2022,1500,,2000,300,60,400,0.2,0.1,0.1,0.1,5,60,规上\n\
         91331003A00000004D,丁,2022,200,,0,10,0,300,0.2,0,0,0,8,40,规上\n\
         91331003A00000005E,戊,2022,300,,500,90,0,100,,,,,,30,规上\n\
         91331003A00000006F,己,2022,300,,500,90,0,100,,,,,6,30,规下\n\
         91331003A00000001A,甲,2021,1,,1,1,1,1,,,,,10,75,规上\n"
    )
}

#[test]
fn huangyan_guishang_from_a_csv_gives_the_hand_computed_scores_ranks_and_classes() {
    let dir = Dir::new("hy");
    let input = dir.file("黄岩.csv", &huangyan_rows());
    let text = evaluate("huangyan-2022-guishang", "2022", &input, "json");
    // Numbers are JSON numbers with two decimals, written from exact decimals.
    assert!(text.contains("\"score\":210.31,"), "{text}");
    assert!(text.contains("\"score\":99.37,"), "{text}");
    let out: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = out.as_array().expect("an array, one object per enterprise");
    assert_eq!(rows.len(), 6, "the 2021 row is not the year evaluated");
    let by = |uscc: &str| rows.iter().find(|r| r["uscc"] == uscc).unwrap();
    let c = by("91331003A00000003C");
    assert_eq!((c["rank"].as_u64(), c["class"].as_str()), (Some(1), Some("A 优先发展")));
    assert_eq!(c["indicators"]["tax_per_mu"].to_string(), "60.0");
    assert_eq!(c["scores"]["tax_per_mu"].to_string(), "74.7");
    let a = by("91331003A00000001A");
    assert_eq!((a["rank"].as_u64(), a["class"].as_str()), (Some(2), Some("B 提升发展")));
    assert_eq!(a["scores"]["value_added_per_energy"].to_string(), "20.22");
    assert_eq!(
        a["indicators"]["rd_share"].to_string(),
        "0.03",
        "R&D 占比 = 研发经费 / 营业收入"
    );
    assert_eq!(a["excluded"], serde_json::Value::Null);
    // 乙 has no emission figures: its value is unknown and it is given the group's average
    // score for the item, (9.2066 + 8.1139 + 0) / 3 = 5.77.
    let b = by("91331003A00000002B");
    assert_eq!(b["indicators"]["value_added_per_emission"], serde_json::Value::Null);
    assert_eq!(b["scores"]["value_added_per_emission"].to_string(), "5.77");
    assert_eq!(b["score"].to_string(), "32.41");
    // 丁 (value added 0) is last; 4 ranked: C holds ranks up to round(4 × 95%) = 4.
    let d = by("91331003A00000004D");
    assert_eq!((d["rank"].as_u64(), d["class"].as_str()), (Some(4), Some("C 调控帮扶")));
    assert_eq!(d["score"].to_string(), "1.56");
    // 戊 has no land of its own (用地面积 blank): listed apart; 己 is 规下, outside the scope.
    let e = by("91331003A00000005E");
    assert_eq!(e["excluded"], "名下无工业用地（租赁企业另列名单）");
    assert_eq!((e["rank"].is_null(), e["score"].is_null()), (true, true));
    assert_eq!(by("91331003A00000006F")["excluded"], "不在评价范围：规上工业企业");
    // The same as CSV, ranked first.
    let csv = evaluate("huangyan-2022-guishang", "2022", &input, "csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("uscc,name,score,rank,class,excluded,tax_per_mu,"),
        "{csv}"
    );
    assert!(
        lines[1].starts_with("91331003A00000003C,丙,210.31,1,A 优先发展,,60.0000,"),
        "{csv}"
    );
    assert_eq!(lines.len(), 7);
}

#[test]
fn huaian_averages_last_years_group_from_the_same_file() {
    let dir = Dir::new("ha");
    // 2023: 4 and 6 万/亩 tax, 80 and 120 万/亩 revenue, 1 万 per tonne → benchmarks 10, 200, 2.
    // 2024: X 10/亩 → 45, 200/亩 → 35, 2 万/t → 20: 100. Y half of X's figures: 22.5 + 17.5 + 10
    // = 50. Z 2 and 20 万/亩: 9 + 3.5, no energy figure (0 points), R&D 3% of revenue (+2): 14.5.
    // Of 3 ranked: A up to round(0.6) = 1, B up to round(1.8) = 2, C up to round(2.85) = 3.
    let input = dir.file(
        "淮安.csv",
        "统一社会信用代码,年度,营业收入(万元),税收(万元),研发经费(万元),综合能耗(吨标准煤),用地面积(亩),企业规模,行业代码\n\
         P1,2023,800,40,0,40,10,规上,3841\n\
         P2,2023,1200,60,0,60,10,规上,3841\n\
         X,2024,2000,100,0,50,10,规上,3841\n\
         Y,2024,1000,50,0,50,10,规上,3841\n\
         Z,2024,100,10,3,,5,规上,3841\n\
         W,2024,1000,50,0,50,10,规上,4610\n",
    );
    let out: serde_json::Value = serde_json::from_str(&evaluate("huaian-2024", "2024", &input, "json")).unwrap();
    let rows = out.as_array().unwrap();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["uscc"].as_str().unwrap().to_string(),
                r["score"].to_string(),
                r["class"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = |u: &str, s: &str, c: &str| (u.to_string(), s.to_string(), c.to_string());
    assert_eq!(
        got,
        vec![
            want("X", "100.0", "A 优先发展"),
            want("Y", "50.0", "B 鼓励提升"),
            want("Z", "14.5", "C 监管调控"),
            want("W", "null", "T 不适合评价"),
        ]
    );
    assert_eq!(rows[2]["adjustments"]["innovation"].to_string(), "2.0");
    assert!(rows[2]["indicators"]["tax_per_energy"].is_null());
    // Without last year's rows the scheme cannot set its benchmarks, and says so.
    let only_2024 = dir.file(
        "只有2024.csv",
        "统一社会信用代码,年度,税收(万元),用地面积(亩),企业规模\nX,2024,100,10,规上\n",
    );
    let out = gaoxin(&[
        "land",
        "evaluate",
        "--scheme",
        "huaian-2024",
        "--year",
        "2024",
        "--input",
        &only_2024,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("文件中没有 2023 年的数据"));
}

#[test]
fn every_shipped_scheme_is_found_by_name_and_passes_its_own_tests() {
    let out = gaoxin(&["land", "test", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = Dir::new("names");
    let input = dir.file("x.csv", &huangyan_rows());
    for name in [
        "huangyan-2022-guishang",
        "huangyan-2022-guixia",
        "huaian-2024",
        "zhejiang-default",
    ] {
        let out = gaoxin(&[
            "land", "evaluate", "--scheme", name, "--year", "2022", "--input", &input, "--format", "json",
        ]);
        // (淮安 averages last year's group: the file's one 2021 row.)
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 6, "{name}");
    }
    let out = gaoxin(&[
        "land",
        "evaluate",
        "--scheme",
        "wenzhou-2030",
        "--year",
        "2022",
        "--input",
        &input,
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有名为“wenzhou-2030”的评价方案"));
}

#[test]
fn bad_rows_and_bad_schemes_are_refused_naming_the_line_the_firm_and_the_field() {
    let dir = Dir::new("bad");
    let good = huangyan_rows();
    // 0 亩: a firm without land leaves it blank.
    let zero = dir.file("zero.csv", &good.replace(",,,,,,30,规上", ",,,,,0,30,规上"));
    refused(
        "huangyan-2022-guishang",
        &zero,
        &["第 6 行（91331003A00000005E）", "列“用地面积(亩)”", "用地面积为 0"],
    );
    let negative = dir.file("neg.csv", &good.replace("2022,900,,800,120", "2022,900,,800,-120"));
    refused(
        "huangyan-2022-guishang",
        &negative,
        &["第 3 行（91331003A00000002B）", "列“税收(万元)”", "不能为负数（-120）"],
    );
    let text = dir.file("text.csv", &good.replace("2022,900,,800,120", "2022,九百,,800,120"));
    refused(
        "huangyan-2022-guishang",
        &text,
        &["第 3 行", "列“营业收入(万元)”", "“九百”不是数字"],
    );
    let twice = dir.file(
        "twice.csv",
        &format!("{good}91331003A00000003C,丙,2022,1,,1,1,1,1,,,,,5,60,规上\n"),
    );
    refused(
        "huangyan-2022-guishang",
        &twice,
        &["第 9 行（91331003A00000003C）", "2022 年度重复：第 4 行已有这家企业"],
    );
    let no_land_column = dir.file("noland.csv", "统一社会信用代码,税收(万元)\nA,1\n");
    refused(
        "huangyan-2022-guishang",
        &no_land_column,
        &["第 1 行", "用地面积(亩)", "缺少这一列"],
    );
    // A scheme whose weights name an indicator it does not define; shares not summing to 100.
    let scheme = std::fs::read_to_string(format!(
        "{}/rules/land/huangyan-2022-guishang.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let weights = scheme.replacen("weight = \"30\"\n", "", 1) + "\n[weights]\ntax_per_mu = \"30\"\nland_tax = \"5\"\n";
    let line = weights.lines().count();
    let file = dir.file("weights.toml", &weights);
    refused(
        &file,
        &dir.file("ok.csv", &good),
        &[&format!("weights.toml:{line}:"), "[weights] 中的指标“land_tax”未定义"],
    );
    let shares = scheme.replace(
        "shares = [\"20\", \"40\", \"35\", \"5\"]",
        "shares = [\"20\", \"40\", \"35\", \"10\"]",
    );
    let line = shares.lines().position(|l| l.starts_with("shares")).unwrap() + 1;
    let file = dir.file("shares.toml", &shares);
    refused(
        &file,
        &dir.file("ok2.csv", &good),
        &[
            &format!("shares.toml:{line}:"),
            "分类比例合计应为 100%，这里 20% + 40% + 35% + 10% 合计 105%",
        ],
    );
}

// ---------------------------------------------------------------- the workflow on the database

use axum::http::StatusCode;
use gaoxin_core::uscc::numbered_uscc;

use crate::helpers::{Session, TestApp, import, xlsx};

async fn post(app: &TestApp, session: &Session, path: &str, form: &[(&str, &str)]) -> String {
    crate::helpers::post_form(app, session, path, form).await
}

/// 甲, 乙, 丙 of the 黄岩 file (figures in 万元) join the fixture's enterprise (规上, 10 亩, with
/// 2023 revenue and R&D but no tax or value added).
async fn three_firms(app: &TestApp, token: &str) -> Vec<String> {
    let usccs: Vec<String> = (700..703).map(numbered_uscc).collect();
    let mut rows = vec![vec![
        "企业名称",
        "统一社会信用代码",
        "用地面积(亩)",
        "从业人员数",
        "企业规模",
    ]];
    rows.push(vec!["甲精密制造有限公司", &usccs[0], "10", "75", "规上"]);
    rows.push(vec!["乙精密制造有限公司", &usccs[1], "20", "120", "规上"]);
    rows.push(vec!["丙精密制造有限公司", &usccs[2], "5", "60", "规上"]);
    let res = import(app, token, "enterprise", "企业.xlsx", &xlsx("企业", &rows), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let header = vec![
        "统一社会信用代码",
        "年度",
        "营业收入(万元)",
        "工业增加值(万元)",
        "税收(万元)",
        "研发经费(万元)",
        "综合能耗(吨标准煤)",
        "化学需氧量排放(吨)",
        "氨氮排放(吨)",
        "二氧化硫排放(吨)",
        "氮氧化物排放(吨)",
    ];
    let annual = vec![
        header,
        vec![
            &usccs[0], "2023", "1000", "1361.6", "240.97", "30", "500", "0.3", "0", "0", "0",
        ],
        vec![&usccs[1], "2023", "900", "800", "120", "10", "1000", "", "", "", ""],
        vec![
            &usccs[2], "2023", "1500", "2000", "300", "60", "400", "0.2", "0.1", "0.1", "0.1",
        ],
    ];
    let res = import(app, token, "annual", "年报.xlsx", &xlsx("年度数据", &annual), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    usccs
}

#[tokio::test]
async fn an_evaluation_is_run_published_objected_to_adjusted_finalized_and_its_d_firm_cleared() {
    let app = TestApp::new().await;
    let fx = &app.fx.alpha;
    let token = app.token("admin_a").await;
    let admin = app.login("admin_a").await;
    let staff = app.login("staff_a").await;
    let ent = app.login("ent_a").await;
    three_firms(&app, &token).await;
    // The shipped schemes (the fixture loaded 黄岩 规上 already).
    let page = post(&app, &admin, "/land/schemes/shipped", &[]).await;
    assert!(
        page.contains("已载入内置方案") && page.contains("huaian-2024（已启用）"),
        "{page}"
    );
    assert!(page.contains("huangyan-2022-guishang（未变化）"), "{page}");
    let version = app
        .scalar(&format!(
            "SELECT id FROM land_scheme_version WHERE zone_id = {} AND scheme_id = 'huangyan-2022-guishang'",
            fx.zone_id
        ))
        .await;
    let res = app
        .post("/land/runs")
        .session(&admin)
        .form(&[("scheme_version_id", &version.to_string()), ("year", "2023")])
        .send()
        .await;
    let run = res
        .location()
        .unwrap()
        .trim_start_matches("/land/runs/")
        .parse::<i64>()
        .unwrap();
    let page = crate::helpers::follow(&app, &res, &admin).await;
    assert!(
        page.contains("已完成 2023 年度评价（草稿）：4 家参评，0 家不参评（另列），1 家不在评价范围"),
        "{page}"
    );
    // Ranked: 丙 210.31, 甲 99.37 (the file's hand-computed figures), then 乙 and the fixture's
    // firm; each row links to its explanation.
    for needle in ["丙精密制造有限公司", "210.31", "99.37", "A 优先发展", "B 提升发展"] {
        assert!(page.contains(needle), "{needle}");
    }
    let api = app
        .get(&format!("/api/v1/land/runs/{run}/results"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(
        api["total"], 4,
        "4 ranked; the fixture's other firm (scale unknown) is outside the scope"
    );
    let outside = app
        .get(&format!("/api/v1/land/runs/{run}/results?class=scope"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(outside["total"], 1, "{outside}");
    assert_eq!(outside["results"][0]["excluded"], "不在评价范围：规上工业企业");
    let results = api["results"].as_array().unwrap();
    assert_eq!(results[0]["name"], "丙精密制造有限公司");
    assert_eq!(
        (results[0]["rank"].as_i64(), results[0]["score"].as_str()),
        (Some(1), Some("210.31"))
    );
    assert_eq!(results[1]["score"], "99.37");
    let ours = results
        .iter()
        .find(|r| r["enterprise_id"] == fx.enterprise)
        .unwrap()
        .clone();
    let our_result = ours["id"].as_i64().unwrap();
    // 乙 has no emission figures: the item is the average of 甲's and 丙's scores.
    let b = results.iter().find(|r| r["name"] == "乙精密制造有限公司").unwrap();
    let emission = b["detail"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "value_added_per_emission")
        .unwrap();
    assert_eq!(
        (emission["filled"].as_bool(), emission["score"].as_str()),
        (Some(true), Some("8.66"))
    );
    // The enterprise sees nothing of a draft.
    let res = app.get(&format!("/land/runs/{run}")).session(&ent).send().await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .get(&format!("/land/results/{our_result}"))
        .session(&ent)
        .send()
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // 公示 for 0 days (until today): the enterprise sees its own result and objects.
    let page = post(&app, &admin, &format!("/land/runs/{run}/publish"), &[("days", "0")]).await;
    assert!(page.contains("已公示"), "{page}");
    let mine = app.get("/land/my").session(&ent).send().await.text();
    assert!(mine.contains(&format!("/land/results/{our_result}")), "{mine}");
    let own = app
        .get(&format!("/land/results/{our_result}"))
        .session(&ent)
        .send()
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.text().contains("缺少数据按参评企业该项平均得分计"),
        "the explanation says how a missing value scored"
    );
    let other = results.iter().find(|r| r["name"] == "甲精密制造有限公司").unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = app.get(&format!("/land/results/{other}")).session(&ent).send().await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "another firm's result");
    let res = app
        .get(&format!("/api/v1/land/runs/{run}/results"))
        .bearer(&app.token("ent_a").await)
        .send()
        .await;
    assert_eq!(res.json()["total"], 1, "an enterprise user lists only its own result");
    let page = post(
        &app,
        &ent,
        &format!("/land/results/{our_result}/objections"),
        &[
            ("reason", "2023 年税收漏报：实缴 120 万元"),
            ("evidence", "完税证明 2023 年合计 120 万元"),
        ],
    )
    .await;
    assert!(page.contains("异议已提交"), "{page}");
    let page = post(
        &app,
        &ent,
        &format!("/land/results/{our_result}/objections"),
        &[("reason", "不")],
    )
    .await;
    assert!(page.contains("请写明异议理由"), "{page}");
    // Not final while an objection is open.
    let page = post(&app, &admin, &format!("/land/runs/{run}/finalize"), &[]).await;
    assert!(page.contains("还有 1 条异议未处理"), "{page}");
    let objection = app
        .scalar(&format!("SELECT MAX(id) FROM land_objection WHERE run_id = {run}"))
        .await;
    let page = post(
        &app,
        &staff,
        &format!("/land/objections/{objection}/resolve"),
        &[
            ("decision", "accept"),
            ("answer", "经核实税收漏报，已更正"),
            ("back", &format!("/land/results/{our_result}")),
        ],
    )
    .await;
    assert!(page.contains("已采纳"), "{page}");
    // The data is corrected in the registry, then the run is re-evaluated: the change is logged.
    let our_uscc = app
        .get(&format!("/api/v1/enterprises/{}", fx.enterprise))
        .bearer(&token)
        .send()
        .await
        .json()["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let fix = vec![
        vec!["统一社会信用代码", "年度", "税收(万元)"],
        vec![&our_uscc, "2023", "120"],
    ];
    let res = import(&app, &token, "annual", "更正.xlsx", &xlsx("年度数据", &fix), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let before = app
        .get(&format!("/api/v1/land/results/{our_result}"))
        .bearer(&token)
        .send()
        .await
        .json();
    let page = post(&app, &admin, &format!("/land/runs/{run}/rerun"), &[]).await;
    assert!(page.contains("家企业的结果有变化"), "{page}");
    let after = app
        .get(&format!("/api/v1/land/results/{our_result}"))
        .bearer(&token)
        .send()
        .await
        .json();
    // 120 万 over 10 亩 = 12 万/亩: 12 / 24.097 × 30 = 14.94 more points.
    let tax = |r: &serde_json::Value| {
        r["detail"]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "tax_per_mu")
            .unwrap()["score"]
            .clone()
    };
    assert_eq!((tax(&before), tax(&after)), ("0.00".into(), "14.94".into()));
    let logged = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'land_result' AND entity_id = '{our_result}' AND action = 'update'"
        ))
        .await;
    assert_eq!(logged, 1, "the re-run's change to the result is in the audit log");
    // A class set by hand needs a reason; it is shown with the computed class.
    let page = post(
        &app,
        &staff,
        &format!("/land/results/{our_result}/class"),
        &[("class", "D 倒逼整治"), ("reason", "")],
    )
    .await;
    assert!(page.contains("调档须写明理由"), "{page}");
    let page = post(
        &app,
        &staff,
        &format!("/land/results/{our_result}/class"),
        &[("class", "D 倒逼整治"), ("reason", "存在违法用地，按区亩均办决定降档")],
    )
    .await;
    assert!(
        page.contains("已调整为 D 倒逼整治") && page.contains("存在违法用地"),
        "{page}"
    );
    // Final: locked against adjustments, objections and re-runs.
    let page = post(&app, &admin, &format!("/land/runs/{run}/finalize"), &[]).await;
    assert!(page.contains("评价结果已确认并锁定"), "{page}");
    let page = post(
        &app,
        &staff,
        &format!("/land/results/{our_result}/class"),
        &[("class", "A 优先发展"), ("reason", "再调一次试试")],
    )
    .await;
    // The enterprise page (一企一档) shows the result, the parcel and the 标准地 contract.
    for who in [&admin, &ent] {
        let page = app
            .get(&format!("/enterprises/{}", fx.enterprise))
            .session(who)
            .send()
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.text();
        let panel = &text[text.find("id=\"land-panel\"").expect("the 亩均 panel")..];
        assert!(
            panel.contains("D 倒逼整治") && panel.contains("A-01") && panel.contains("BDZ-2021-01"),
            "{panel}"
        );
    }
    assert!(page.contains("已确认锁定，不能调档"), "{page}");
    let page = post(
        &app,
        &ent,
        &format!("/land/results/{our_result}/objections"),
        &[("reason", "再提一次异议")],
    )
    .await;
    assert!(page.contains("只能在公示期内提出异议"), "{page}");
    // A differentiated policy for D, and the power company's list.
    let page = post(
        &app,
        &admin,
        "/land/measures",
        &[
            ("class", "huangyan-2022-guishang|D 倒逼整治"),
            ("category", "电价"),
            ("measure", "加价 0.1 元/千瓦时"),
            ("department", "供电公司"),
        ],
    )
    .await;
    assert!(page.contains("加价 0.1 元/千瓦时"), "{page}");
    let list = app
        .get(&format!("/land/runs/{run}/measures.xlsx?category=%E7%94%B5%E4%BB%B7"))
        .session(&admin)
        .send()
        .await;
    let cells = list.xlsx_cells();
    assert!(cells.iter().any(|c| c == "加价 0.1 元/千瓦时"), "{cells:?}");
    assert!(cells.iter().any(|c| c == &our_uscc), "{cells:?}");
    // D-class clearance: one case, planned, closed with the land recovered.
    let page = post(&app, &admin, &format!("/land/runs/{run}/clearance"), &[]).await;
    assert!(page.contains("已为 1 家末档企业建立出清台账"), "{page}");
    let case = app
        .scalar(&format!("SELECT MAX(id) FROM clearance_case WHERE run_id = {run}"))
        .await;
    let page = post(
        &app,
        &staff,
        &format!("/land/clearance/{case}/close"),
        &[
            ("closed_on", "2024-06-30"),
            ("land_recovered", "2.5"),
            ("note", "已收回"),
        ],
    )
    .await;
    assert!(page.contains("请先确定出清路径和措施"), "{page}");
    let page = post(
        &app,
        &staff,
        &format!("/land/clearance/{case}/plan"),
        &[
            ("route", "buy_back"),
            ("actions", "政府回购闲置厂房 2.5 亩"),
            ("department_id", &fx.science_dept.to_string()),
            ("deadline", "2024-12-31"),
        ],
    )
    .await;
    assert!(
        page.contains("政府回购收储") && page.contains("政府回购闲置厂房"),
        "{page}"
    );
    // Progress is reported like a ledger task's, never going back.
    let progress = format!("/land/clearance/{case}/progress");
    let page = post(
        &app,
        &staff,
        &progress,
        &[("note", "已完成厂房评估，收储协议谈判中"), ("percent", "60")],
    )
    .await;
    assert!(page.contains("已报送进展") && page.contains("60%"), "{page}");
    let page = post(
        &app,
        &staff,
        &progress,
        &[("note", "协议条款有变化"), ("percent", "40")],
    )
    .await;
    assert!(page.contains("完成比例不能低于上次报送的 60%"), "{page}");
    let list = app.get("/land/clearance").session(&admin).send().await.text();
    assert!(list.contains("60%"), "the ledger shows the latest progress");
    let page = post(
        &app,
        &staff,
        &format!("/land/clearance/{case}/close"),
        &[
            ("closed_on", "2024-06-30"),
            ("land_recovered", "2.5"),
            ("note", "厂房已收储"),
        ],
    )
    .await;
    assert!(page.contains("已销号"), "{page}");
    let cases = app
        .get("/api/v1/land/clearance?status=closed")
        .bearer(&token)
        .send()
        .await
        .json();
    let closed = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == case)
        .unwrap()
        .clone();
    assert_eq!(
        (closed["route_name"].as_str(), closed["land_recovered"].as_str()),
        (Some("政府回购收储"), Some("2.5"))
    );
    let export = app
        .get("/land/clearance/export.xlsx?status=closed")
        .session(&admin)
        .send()
        .await;
    assert!(export.xlsx_cells().iter().any(|c| c == "厂房已收储"));
    // Year on year: the fixture's draft-free run and this one, for the same enterprises.
    let t = app
        .get(&format!("/api/v1/land/transitions?from={}&to={run}", fx.land_run))
        .bearer(&token)
        .send()
        .await
        .json();
    let labels: Vec<&str> = t["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let at = |from: &str, to: &str| {
        let (i, j) = (
            labels.iter().position(|l| *l == from).unwrap(),
            labels.iter().position(|l| *l == to).unwrap(),
        );
        t["counts"][i][j].as_u64().unwrap()
    };
    assert_eq!(at("未评价", "A 优先发展"), 1, "{t}");
    assert!(
        at("B 提升发展", "D 倒逼整治") + at("A 优先发展", "D 倒逼整治") == 1,
        "{t}"
    );
    let page = app
        .get(&format!("/land/transitions?from={}&to={run}&by=industry", fx.land_run))
        .session(&admin)
        .send()
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("transition-matrix"));
    // The run's export lists every result with its indicators.
    let export = app
        .get(&format!("/land/runs/{run}/export.xlsx"))
        .session(&admin)
        .send()
        .await;
    let cells = export.xlsx_cells();
    assert!(
        cells.iter().any(|c| c == "亩均税收(万元/亩)") && cells.iter().any(|c| c == "210.31"),
        "{cells:?}"
    );
}

#[tokio::test]
async fn shared_parcels_are_evaluated_together_and_standard_land_is_checked_against_the_annual_data() {
    let app = TestApp::new().await;
    let token = app.token("admin_a").await;
    let admin = app.login("admin_a").await;
    let staff = app.login("staff_a").await;
    let usccs = three_firms(&app, &token).await;
    post(&app, &admin, "/land/schemes/shipped", &[]).await;
    // An 8 亩 parcel shared by 甲 (owner) and 乙 (tenant).
    let res = app
        .post("/land/parcels")
        .session(&staff)
        .form(&[
            ("code", "B-02"),
            ("name", "二号地块"),
            ("area", "8"),
            ("location", "创新路 8 号"),
        ])
        .send()
        .await;
    let parcel = res
        .location()
        .unwrap()
        .trim_start_matches("/land/parcels/")
        .parse::<i64>()
        .unwrap();
    assert!(
        crate::helpers::follow(&app, &res, &staff)
            .await
            .contains("已登记地块 B-02")
    );
    let page = post(&app, &staff, "/land/parcels", &[("code", "B-02"), ("area", "3")]).await;
    assert!(page.contains("地块编号“B-02”已存在"), "{page}");
    let page = post(&app, &staff, "/land/parcels", &[("code", "B-03"), ("area", "0")]).await;
    assert!(page.contains("用地面积（亩）应大于 0"), "{page}");
    let occupants = format!("/land/parcels/{parcel}/occupants");
    post(&app, &staff, &occupants, &[("uscc", &usccs[0]), ("role", "owner")]).await;
    let page = post(&app, &staff, &occupants, &[("uscc", &usccs[1]), ("role", "tenant")]).await;
    assert!(
        page.contains("甲精密制造有限公司（土地使用权人）") || page.contains("租赁使用"),
        "{page}"
    );
    let page = post(&app, &staff, &occupants, &[("uscc", &usccs[1]), ("role", "tenant")]).await;
    assert!(page.contains("乙精密制造有限公司 已在这个地块上"), "{page}");
    let page = post(
        &app,
        &staff,
        &occupants,
        &[("uscc", "91110000000000000X"), ("role", "owner")],
    )
    .await;
    assert!(
        page.contains("企业库中没有统一社会信用代码为 91110000000000000X 的企业"),
        "{page}"
    );
    // Evaluated as one: 甲 and 乙's tax over the parcel's 8 亩, (240.97 + 120) / 8 = 45.1213 万/亩,
    // one rank and one score for both, and the explanation says so.
    let run = app
        .post("/api/v1/land/runs")
        .bearer(&token)
        .json(serde_json::json!({"scheme_id": "huangyan-2022-guishang", "year": 2023}))
        .send()
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.text());
    let run = run.json()["id"].as_i64().unwrap();
    let results = app
        .get(&format!("/api/v1/land/runs/{run}/results"))
        .bearer(&token)
        .send()
        .await
        .json();
    let by = |name: &str| {
        results["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    let (a, b) = (by("甲精密制造有限公司"), by("乙精密制造有限公司"));
    assert_eq!(
        (a["rank"].clone(), a["score"].clone()),
        (b["rank"].clone(), b["score"].clone())
    );
    let tax = a["detail"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "tax_per_mu")
        .unwrap()
        .clone();
    assert_eq!(tax["value"], "45.1213");
    let merged = a["detail"]["merged"].as_str().unwrap();
    assert!(
        merged.contains("与乙精密制造有限公司共用地块 B-02（8 亩），合并计算"),
        "{merged}"
    );
    let page = app
        .get(&format!("/land/results/{}", a["id"]))
        .session(&admin)
        .send()
        .await
        .text();
    assert!(page.contains("合并计算，结果共享"), "the result page shows the merging");
    // 标准地: at least five control indicators.
    let contracts = format!("/land/parcels/{parcel}/contracts");
    let four = [
        ("uscc", usccs[0].as_str()),
        ("contract_no", "BDZ-2022-07"),
        ("signed_on", "2022-01-10"),
        ("project_name", "精密部件扩产项目"),
        ("investment_intensity", "400"),
        ("floor_area_ratio", "1.2"),
        ("tax_per_mu", "20"),
        ("energy_value_added", "2"),
        ("operating_years", "1"),
    ];
    let page = post(&app, &staff, &contracts, &four).await;
    assert!(page.contains("标准地至少约定五项控制指标"), "{page}");
    let mut five = four.to_vec();
    five.push(("emission_value_added", "500"));
    let res = app.post(&contracts).session(&staff).form(&five).send().await;
    let contract = res
        .location()
        .unwrap()
        .trim_start_matches("/land/contracts/")
        .parse::<i64>()
        .unwrap();
    let page = crate::helpers::follow(&app, &res, &staff).await;
    assert!(
        page.contains("已登记标准地合同 BDZ-2022-07") && page.contains("建设中"),
        "{page}"
    );
    // 竣工: 3200 万 over 8 亩 = 400 万/亩 (met); 5000 m² over 8 × 666.67 m² = 0.94 (short of 1.2).
    let page = post(
        &app,
        &staff,
        &format!("/land/contracts/{contract}/completion"),
        &[
            ("completed_on", "2022-06-30"),
            ("fixed_investment", "3200"),
            ("floor_area", "5000"),
        ],
    )
    .await;
    assert!(
        page.contains("固定资产投资强度 = 固定资产投资 3200 万元 ÷ 用地 8 亩 = 400 万元/亩；约定 ≥ 400 万元/亩，达标"),
        "{page}"
    );
    assert!(
        page.contains("容积率 = 总建筑面积 5000 m² ÷（8 亩 × 666.67 m²/亩） = 0.94；约定 ≥ 1.2，差 0.26"),
        "{page}"
    );
    // After the one-year operating period, 甲's 2023 figures: 240.97 万 / 8 亩 = 30.12 万/亩 (met);
    // 1361.6 万 / 500 吨 = 2.72 万/吨标准煤 (met); 1361.6 万 / 0.3 吨 = 4538.67 万/吨 (met).
    let check = app
        .get(&format!("/api/v1/land/contracts/{contract}/check?year=2023"))
        .bearer(&token)
        .send()
        .await
        .json();
    assert_eq!(check["stage"], "运行期满");
    assert_eq!(check["output_year"], 2023);
    let line = |label: &str| {
        check["output"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["label"] == label)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (line("亩均税收")["actual"].as_str(), line("亩均税收")["met"].as_bool()),
        (Some("30.12"), Some(true))
    );
    assert_eq!(line("单位排放增加值")["actual"], "4538.67");
    assert_eq!(check["completion"][1]["shortfall"], "0.26");
    // Parcels come in from Excel: a bad file saves nothing and names each row and column.
    let count = &format!(
        "SELECT COUNT(*) FROM land_parcel WHERE zone_id = {}",
        app.fx.alpha.zone_id
    );
    let before = app.scalar(count).await;
    let header = vec![
        "地块编号",
        "名称",
        "用地面积(亩)",
        "所属载体",
        "土地使用权人",
        "租赁企业",
    ];
    let bad = xlsx(
        "地块",
        &[
            header.clone(),
            vec!["C-01", "三号地块", "6", "", &usccs[2], ""],
            vec!["C-01", "重复", "3", "", "", ""],
            vec!["C-02", "四号地块", "0", "", "", ""],
            vec!["C-03", "五号地块", "4", "不存在的园区", "91110000000000000X", ""],
        ],
    );
    let res = app
        .post("/land/parcels/import")
        .session(&staff)
        .multipart(&[("file", Some("地块.xlsx"), bad.as_slice())])
        .send()
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text();
    for needle in [
        "与第 2 行的地块编号重复",
        "用地面积（亩）应大于 0",
        "企业库中没有载体“不存在的园区”",
        "企业库中没有统一社会信用代码为 91110000000000000X 的企业",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    assert_eq!(app.scalar(count).await, before, "nothing saved");
    let good = xlsx(
        "地块",
        &[
            header.clone(),
            vec!["C-01", "三号地块", "6", "", &usccs[2], ""],
            vec!["B-02", "二号地块", "8", "", "", ""],
        ],
    );
    let res = app
        .post("/land/parcels/import")
        .session(&staff)
        .multipart(&[("file", Some("地块.xlsx"), good.as_slice())])
        .send()
        .await;
    let page = crate::helpers::follow(&app, &res, &staff).await;
    assert!(
        page.contains("新增 1 个地块，更新 1 个，未变 0 个；新增使用企业 1 家"),
        "{page}"
    );
    // The export re-imports unchanged.
    let export = app.get("/land/parcels/export.xlsx").session(&staff).send().await;
    let res = app
        .post("/land/parcels/import")
        .session(&staff)
        .multipart(&[("file", Some("导出.xlsx"), export.body.as_slice())])
        .send()
        .await;
    let page = crate::helpers::follow(&app, &res, &staff).await;
    let total = app.scalar(count).await;
    assert!(
        page.contains(&format!("新增 0 个地块，更新 0 个，未变 {total} 个；新增使用企业 0 家")),
        "{page}"
    );
    // Electricity (用电量) comes in with the annual data and 规下 schemes read it: 丁 is 规下 on
    // 4 亩 with the 黄岩 规下 file's firm G's figures: 50 + 98.58 = 148.58.
    let d = numbered_uscc(710);
    let rows = vec![
        vec!["企业名称", "统一社会信用代码", "用地面积(亩)", "企业规模"],
        vec!["丁小微制造有限公司", &d, "4", "规下"],
    ];
    assert_eq!(
        import(&app, &token, "enterprise", "企业.xlsx", &xlsx("企业", &rows), false)
            .await
            .status,
        StatusCode::OK
    );
    let annual = vec![
        vec!["统一社会信用代码", "年度", "税收(万元)", "用电量(万千瓦时)"],
        vec![&d, "2023", "46.3728", "100"],
    ];
    let res = import(&app, &token, "annual", "年报.xlsx", &xlsx("年度数据", &annual), false).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let run = app
        .post("/api/v1/land/runs")
        .bearer(&token)
        .json(serde_json::json!({"scheme_id": "huangyan-2022-guixia", "year": 2023}))
        .send()
        .await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.text());
    let run = run.json()["id"].as_i64().unwrap();
    let results = app
        .get(&format!(
            "/api/v1/land/runs/{run}/results?class=B+%E6%8F%90%E5%8D%87%E5%8F%91%E5%B1%95"
        ))
        .bearer(&token)
        .send()
        .await
        .json();
    let dd = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uscc"] == d.as_str())
        .unwrap()
        .clone();
    assert_eq!(dd["score"], "148.58", "{dd}");
    let annual_out = app
        .get(&format!("/api/v1/enterprises/{}/annual", dd["enterprise_id"]))
        .bearer(&token)
        .send()
        .await
        .json();
    assert!(annual_out.to_string().contains("\"electricity\":\"100"), "{annual_out}");
}

#[tokio::test]
async fn an_edited_scheme_retires_the_one_in_use_and_the_earlier_file_can_be_restored() {
    let app = TestApp::new().await;
    let staff = app.login("staff_a").await;
    let token = app.token("admin_a").await;
    let shipped = std::fs::read_to_string(format!(
        "{}/rules/land/huangyan-2022-guishang.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let edited = shipped.replacen("note = \"", "note = \"本区 2023 年修订。", 1);
    assert_ne!(edited, shipped);
    let upload = |text: String| {
        let app = &app;
        let staff = &staff;
        async move {
            let res = app
                .post("/land/schemes/upload")
                .session(staff)
                .multipart(&[("file", Some("huangyan.toml"), text.as_bytes())])
                .send()
                .await;
            crate::helpers::follow(app, &res, staff).await
        }
    };
    let in_use = || async {
        let all = app.get("/api/v1/land/schemes").bearer(&token).send().await.json();
        all.as_array()
            .unwrap()
            .iter()
            .filter(|s| s["scheme_id"] == "huangyan-2022-guishang")
            .map(|s| {
                (
                    s["version"].as_str().unwrap()[..12].to_string(),
                    s["status"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(upload(shipped.clone()).await.contains("与在用版本相同，未变化"));
    assert!(upload(edited).await.contains("已启用新版本"));
    let versions = in_use().await;
    assert_eq!(
        versions.iter().filter(|(_, s)| s == "active").count(),
        1,
        "{versions:?}"
    );
    assert_eq!(versions.len(), 2);
    assert!(upload(shipped).await.contains("已恢复使用此前的版本"));
    let after = in_use().await;
    assert_eq!(after.iter().filter(|(_, s)| s == "active").count(), 1, "{after:?}");
    assert_ne!(
        versions.iter().find(|(_, s)| s == "active"),
        after.iter().find(|(_, s)| s == "active"),
        "the earlier version is the one in use again"
    );
}
