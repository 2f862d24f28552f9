//! The test harness: a fresh database per test, the fixture of two zones with every role,
//! and a small request builder over the real router (no socket).

#![allow(dead_code)]

use std::io::Read;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use gaoxin::app::{AppConfig, AppState, app};
use gaoxin_admin::accounts::{domain::AccountInput, store as accounts};
use gaoxin_core::roles::Role;
use gaoxin_enterprises::{domain, store as enterprises};
use gaoxin_platform::audit::{WriteContext, Writer};
use gaoxin_platform::db::{DatabaseUrl, Db};
use gaoxin_platform::departments::{domain::DepartmentInput, store as departments};
use gaoxin_platform::secrets::hash_password;
use gaoxin_platform::zones::store as zones;
use gaoxin_policies::events::EventInput;
use gaoxin_policies::store as policies;
use gaoxin_rules::sources::EventKind;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Statement};
use tower::ServiceExt;

pub const PASSWORD: &str = "test-pass-1";

/// One argon2 hash for every fixture account (hashing is deliberately slow).
pub static PASSWORD_HASH: LazyLock<String> = LazyLock::new(|| hash_password(PASSWORD).unwrap());

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn new() -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let suffix = format!(
            "{}_{}_{}",
            std::process::id(),
            n,
            gaoxin_platform::secrets::random_hex(3)
        );
        match std::env::var("GAOXIN_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let name = format!("gx_test_{suffix}");
                let admin = Db::connect(&DatabaseUrl::parse(&admin_url).unwrap()).await.unwrap();
                admin
                    .conn()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create the test database (GAOXIN_TEST_DATABASE_URL must allow CREATE DATABASE)");
                admin.close().await;
                let mut url = url::Url::parse(&admin_url).unwrap();
                url.set_path(&format!("/{name}"));
                TestDb {
                    url: DatabaseUrl::parse(url.as_str()).unwrap(),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
            _ => {
                let path = std::env::temp_dir().join(format!("gaoxin_test_{suffix}.db"));
                TestDb {
                    url: DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap(),
                    cleanup: Cleanup::File(path),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(admin) = Db::connect(&DatabaseUrl::parse(&admin_url).unwrap()).await {
                            let _ = admin
                                .conn()
                                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// What the fixture created in one zone.
#[derive(Clone, Debug)]
pub struct ZoneFixture {
    pub zone_id: i64,
    pub code: String,
    pub name: String,
    pub science_dept: i64,
    pub economy_dept: i64,
    pub enterprise: i64,
    pub other_enterprise: i64,
    pub admin: i64,
    /// The shipped 新开〔2020〕28号, loaded.
    pub policy_version: i64,
    /// A 2024 certified technology contract of `enterprise` (20,000,000 yuan → capped at 100,000).
    pub event: i64,
    /// The approved 2024 batch, and its lines for `enterprise` and `other_enterprise`.
    pub batch: i64,
    pub line: i64,
    pub other_line: i64,
    /// An application (快申快享) of `enterprise` for a talent award, with one attachment.
    pub application: i64,
    pub attachment: i64,
    /// The shipped 高企 criteria as loaded, and the 2024 ladder run.
    pub criteria_version: i64,
    pub ladder_run: i64,
    pub land_scheme: i64,
    pub land_run: i64,
    pub land_result: i64,
    pub land_objection: i64,
    pub land_measure: i64,
    pub clearance_case: i64,
    /// A yearly target (2026, 40 家, owned by science), nothing reported.
    pub target: i64,
    pub land_parcel: i64,
    pub parcel_occupant: i64,
    pub land_contract: i64,
    /// A plan with one task (lead: science; cooperating: economy), a target, a progress report
    /// with an evidence file answering an open supervision order.
    pub plan: i64,
    pub plan_task: i64,
    pub task_attachment: i64,
    pub supervision_order: i64,
    /// A project (lead: science, investor `enterprise`) at 签约 with an open problem (lead:
    /// science) on the agenda of a weekly meeting.
    pub project: i64,
    pub project_problem: i64,
    pub project_meeting: i64,
    pub meeting_item: i64,
}

#[derive(Clone, Debug)]
pub struct Fixture {
    pub alpha: ZoneFixture,
    pub beta: ZoneFixture,
    pub province: i64,
}

/// Text that exists only in zone beta: no response to a zone-alpha caller may contain it.
pub const BETA_MARKERS: [&str; 3] = ["贝塔", "BETA-ONLY", "91320281"];

async fn zone_fixture(db: &Db, code: &str, label: &str, suffix: &str, uscc_area: &str) -> ZoneFixture {
    let zone = zones::create(db, WriteContext::system(None, "test"), code, &format!("{label}高新区"))
        .await
        .unwrap();
    let mut w = Writer::begin(db, WriteContext::system(Some(zone.id), "test"))
        .await
        .unwrap();
    let contact = if code == "beta" {
        "BETA-ONLY 联系人"
    } else {
        "阿尔法联系人"
    };
    let dept = |name: &str, order: i32| DepartmentInput {
        name: format!("{label}{name}"),
        short_name: None,
        contact_person: Some(contact.to_string()),
        phone: Some("0373-3681234".into()),
        sort_order: order,
    };
    let science = departments::create(&mut w, zone.id, dept("科学技术局", 10))
        .await
        .unwrap();
    let economy = departments::create(&mut w, zone.id, dept("经济发展局", 20))
        .await
        .unwrap();
    // 科学技术局 (staff_a's) holds every area of work; 经济发展局 holds none.
    for duty in gaoxin_platform::departments::duties::Duty::ALL {
        gaoxin_platform::departments::duties::assign(&mut w, zone.id, *duty, Some(science.id))
            .await
            .unwrap();
    }
    let uscc1 = gaoxin_core::uscc::with_check_char(&format!("91{uscc_area}MA0000001")).unwrap();
    let uscc2 = gaoxin_core::uscc::with_check_char(&format!("91{uscc_area}MA0000002")).unwrap();
    let e1 = enterprises::create(
        &mut w,
        domain::validate(&format!("{label}测试科技有限公司"), &uscc1).unwrap(),
    )
    .await
    .unwrap();
    let e2 = enterprises::create(
        &mut w,
        domain::validate(&format!("{label}另一家有限公司"), &uscc2).unwrap(),
    )
    .await
    .unwrap();
    let carrier = w
        .insert_in_zone(gaoxin_enterprises::carrier_entity::ActiveModel {
            name: sea_orm::ActiveValue::Set(format!("{label}孵化器")),
            kind: sea_orm::ActiveValue::Set("incubator".into()),
            address: sea_orm::ActiveValue::Set(None),
            ..Default::default()
        })
        .await
        .unwrap();
    w.insert_in_zone(gaoxin_enterprises::annual_entity::ActiveModel {
        enterprise_id: sea_orm::ActiveValue::Set(e1.id),
        year: sea_orm::ActiveValue::Set(2024),
        revenue: sea_orm::ActiveValue::Set(Some(123_456_000_000)),
        ..Default::default()
    })
    .await
    .unwrap();
    let _ = carrier;
    let mut admin = 0;
    let mut leader = 0;
    let mut ent_account = 0;
    for (user, role) in [
        ("admin", Role::Admin),
        ("leader", Role::Leader),
        ("staff", Role::Staff),
        ("ent", Role::Enterprise),
        ("auditor", Role::Auditor),
    ] {
        let a = accounts::create(
            &mut w,
            Some(zone.id),
            AccountInput {
                username: format!("{user}_{suffix}"),
                display_name: format!("{label}{user}"),
                role,
                department_id: (role == Role::Staff).then_some(science.id),
                enterprise_id: (role == Role::Enterprise).then_some(e1.id),
            },
            PASSWORD_HASH.clone(),
        )
        .await
        .unwrap();
        if role == Role::Admin {
            admin = a.id;
        }
        if role == Role::Leader {
            leader = a.id;
        }
        if role == Role::Enterprise {
            ent_account = a.id;
        }
    }
    // Policy cash-out: the shipped seed-002 policy, two contracts, an approved 2024 batch.
    let (file, source) = gaoxin_policies::shipped::files()
        .into_iter()
        .find(|(f, _)| f.contains("xinkai-2020-28"))
        .expect("the shipped seed-002 policy");
    let (version, _) = gaoxin_policies::rule_file::load_policy_file(&mut w, zone.id, &file, &source, None)
        .await
        .unwrap();
    let contract = |amount: i64, reference: &str| EventInput {
        occurred_on: chrono::NaiveDate::from_ymd_opt(2024, 5, 20),
        reference: reference.to_string(),
        category: Some("技术开发".into()),
        amount: Some(amount * 100),
        certified: Some(true),
        ..Default::default()
    };
    let reference = if code == "beta" {
        "BETA-ONLY-HT-1"
    } else {
        "HT-2024-001"
    };
    policies::save_events(
        &mut w,
        zone.id,
        EventKind::TechnologyContract,
        &[
            (e1.id, contract(20_000_000, reference)),
            (e2.id, contract(5_000_000, &format!("{reference}-2"))),
        ],
        policies::Registrant::OPERATOR,
    )
    .await
    .unwrap();
    let batch = policies::create_batch(&mut w, zone.id, 2024, "", leader).await.unwrap();
    let batch = policies::transition(&mut w, &batch, "submitted", leader, None)
        .await
        .unwrap();
    let batch = policies::transition(&mut w, &batch, "approved", leader, None)
        .await
        .unwrap();
    let lines = policies::batch_lines(w.read(), zone.id, batch.id).await.unwrap();
    let line_of = |e: i64| lines.iter().find(|l| l.enterprise_id == e).expect("a line").id;
    let (line, other_line) = (line_of(e1.id), line_of(e2.id));
    // 快申快享: the shipped talent example, a talent of e1 and its application.
    let (file, source) = gaoxin_policies::shipped::files()
        .into_iter()
        .find(|(f, _)| f.contains("talent"))
        .expect("the shipped talent example");
    gaoxin_policies::rule_file::load_policy_file(&mut w, zone.id, &file, &source, None)
        .await
        .unwrap();
    let talent = if code == "beta" { "BETA-ONLY 人才" } else { "张三" };
    policies::save_events(
        &mut w,
        zone.id,
        EventKind::Talent,
        &[(
            e1.id,
            EventInput {
                occurred_on: chrono::NaiveDate::from_ymd_opt(2024, 3, 1),
                reference: talent.into(),
                category: Some("博士".into()),
                ..Default::default()
            },
        )],
        policies::Registrant::OPERATOR,
    )
    .await
    .unwrap();
    use gaoxin_policies::{attachment_entity, event_entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let talent_event = event_entity::Entity::find()
        .filter(event_entity::Column::ZoneId.eq(zone.id))
        .filter(event_entity::Column::Kind.eq("talent"))
        .one(w.read())
        .await
        .unwrap()
        .unwrap()
        .id;
    let offers = vec![gaoxin_policies::applications::Offer {
        code: "example-talent:talent_introduction".into(),
        policy: "example-talent".into(),
        award: "talent_introduction".into(),
        label: "示例〔2024〕3号 · 引进高层次人才用人单位奖励".into(),
        on: Some(EventKind::Talent),
    }];
    let application = gaoxin_policies::applications::create(
        &mut w,
        &offers,
        zone.id,
        e1.id,
        ent_account,
        gaoxin_policies::applications::NewApplication {
            offer: "example-talent:talent_introduction".into(),
            year: "2024".into(),
            event: Some(talent_event),
            statement: format!("{talent} 博士全职到岗"),
            files: vec![("证明.pdf".into(), b"%PDF-1.4".to_vec())],
        },
    )
    .await
    .unwrap();
    let event = lines
        .iter()
        .find(|l| l.id == line)
        .and_then(|l| l.event_id)
        .expect("paid on the contract");
    let attachment = attachment_entity::Entity::find()
        .filter(attachment_entity::Column::ApplicationId.eq(application.id))
        .one(w.read())
        .await
        .unwrap()
        .unwrap()
        .id;
    // Cultivation ladder: e1's 2022–2024 facts, its 高企 recognition (2023), the shipped 科小
    // and 高企 criteria, and a 2024 run.
    for year in 2022..=2024 {
        let grow = i64::from(year - 2021);
        if year < 2024 {
            w.insert_in_zone(gaoxin_enterprises::annual_entity::ActiveModel {
                enterprise_id: sea_orm::ActiveValue::Set(e1.id),
                year: sea_orm::ActiveValue::Set(year),
                revenue: sea_orm::ActiveValue::Set(Some(3_000_000_000 * grow)),
                rd_expense: sea_orm::ActiveValue::Set(Some(200_000_000 * grow)),
                tech_staff: sea_orm::ActiveValue::Set(Some(30)),
                ..Default::default()
            })
            .await
            .unwrap();
        }
        w.insert_in_zone(gaoxin_enterprises::innovation_entity::ActiveModel {
            enterprise_id: sea_orm::ActiveValue::Set(e1.id),
            year: sea_orm::ActiveValue::Set(year),
            total_staff: sea_orm::ActiveValue::Set(Some(120)),
            total_assets: sea_orm::ActiveValue::Set(Some(5_000_000_000)),
            net_assets: sea_orm::ActiveValue::Set(Some(1_000_000_000 * grow)),
            ip_class1: sea_orm::ActiveValue::Set(Some(1)),
            ip_class2: sea_orm::ActiveValue::Set(Some(3)),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let certificate = if code == "beta" {
        "BETA-ONLY-GR"
    } else {
        "GR202341000001"
    };
    policies::save_events(
        &mut w,
        zone.id,
        EventKind::Recognition,
        &[(
            e1.id,
            EventInput {
                occurred_on: chrono::NaiveDate::from_ymd_opt(2023, 11, 1),
                reference: certificate.into(),
                category: Some("高新技术企业".into()),
                level: Some("国家级".into()),
                first_time: Some(true),
                ..Default::default()
            },
        )],
        policies::Registrant::OPERATOR,
    )
    .await
    .unwrap();
    let mut criteria_version = 0;
    for (file, source) in gaoxin_ladder::shipped::files()
        .into_iter()
        .filter(|(f, _)| f.starts_with("high-tech") || f.starts_with("tech-sme"))
    {
        let (v, _) = gaoxin_ladder::rule_file::load_criteria_file(&mut w, zone.id, &file, &source, None)
            .await
            .unwrap();
        if v.tier == "high_tech" {
            criteria_version = v.id;
        }
    }
    let ladder_run = gaoxin_ladder::store::evaluate_zone(
        &mut w,
        zone.id,
        2024,
        chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
        gaoxin_rules::ladder::DEFAULT_MARGIN,
        None,
    )
    .await
    .unwrap()
    .id;
    // 亩均: e1 is a 规上 firm on 10 亩 with 2023 figures; the shipped 黄岩 规上 scheme, a 2023
    // run published for objections (today), an objection of e1, a measure for its class and a
    // clearance case.
    let fresh = gaoxin_enterprises::entity::Entity::find_by_id(e1.id)
        .one(w.read())
        .await
        .unwrap()
        .unwrap();
    let mut a = sea_orm::IntoActiveModel::into_active_model(fresh.clone());
    a.land_area = sea_orm::ActiveValue::Set(Some(100_000));
    a.scale = sea_orm::ActiveValue::Set(Some("above".into()));
    w.update_in_zone(&fresh, a).await.unwrap();
    let (file, source) = gaoxin_land::shipped::files()
        .into_iter()
        .find(|(f, _)| f.starts_with("huangyan-2022-guishang"))
        .unwrap();
    let (land_scheme, _) = gaoxin_land::rule_file::load_scheme_file(&mut w, zone.id, &file, &source, None)
        .await
        .unwrap();
    let run = gaoxin_land::store::evaluate_zone(
        &mut w,
        &land_scheme,
        2023,
        chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap(),
        None,
    )
    .await
    .unwrap();
    let mut a = sea_orm::IntoActiveModel::into_active_model(run.clone());
    a.status = sea_orm::ActiveValue::Set("publicity".into());
    a.publicity_from = sea_orm::ActiveValue::Set(Some(chrono::Utc::now().date_naive()));
    a.publicity_until = sea_orm::ActiveValue::Set(Some(chrono::Utc::now().date_naive() + chrono::Duration::days(7)));
    let run = w.update_in_zone(&run, a).await.unwrap();
    let land_result = gaoxin_land::result_entity::Entity::find()
        .filter(gaoxin_land::result_entity::Column::RunId.eq(run.id))
        .filter(gaoxin_land::result_entity::Column::EnterpriseId.eq(e1.id))
        .one(w.read())
        .await
        .unwrap()
        .unwrap();
    let marker = if code == "beta" {
        "BETA-ONLY 异议"
    } else {
        "税收少算了"
    };
    let land_objection = w
        .insert_in_zone(gaoxin_land::objection_entity::ActiveModel {
            run_id: sea_orm::ActiveValue::Set(run.id),
            result_id: sea_orm::ActiveValue::Set(land_result.id),
            enterprise_id: sea_orm::ActiveValue::Set(e1.id),
            reason: sea_orm::ActiveValue::Set(marker.into()),
            evidence: sea_orm::ActiveValue::Set(String::new()),
            status: sea_orm::ActiveValue::Set("open".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let land_measure = w
        .insert_in_zone(gaoxin_land::measure_entity::ActiveModel {
            scheme_id: sea_orm::ActiveValue::Set(land_scheme.scheme_id.clone()),
            class_name: sea_orm::ActiveValue::Set(land_result.class.clone()),
            category: sea_orm::ActiveValue::Set("电价".into()),
            measure: sea_orm::ActiveValue::Set(
                if code == "beta" {
                    "BETA-ONLY 电价"
                } else {
                    "执行基准电价"
                }
                .into(),
            ),
            department: sea_orm::ActiveValue::Set("供电公司".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let clearance_case = w
        .insert_in_zone(gaoxin_land::clearance_entity::ActiveModel {
            run_id: sea_orm::ActiveValue::Set(run.id),
            result_id: sea_orm::ActiveValue::Set(land_result.id),
            enterprise_id: sea_orm::ActiveValue::Set(e1.id),
            actions: sea_orm::ActiveValue::Set(if code == "beta" { "BETA-ONLY 盘活" } else { "" }.into()),
            status: sea_orm::ActiveValue::Set("open".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    // A 10 亩 parcel held by e1 with a 标准地 contract.
    let land_parcel = w
        .insert_in_zone(gaoxin_land::parcel_entity::ActiveModel {
            code: sea_orm::ActiveValue::Set(if code == "beta" { "BETA-ONLY-P1" } else { "A-01" }.into()),
            name: sea_orm::ActiveValue::Set(format!("{label}一号地块")),
            area: sea_orm::ActiveValue::Set(100_000),
            location: sea_orm::ActiveValue::Set(String::new()),
            land_use: sea_orm::ActiveValue::Set("工业".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let parcel_occupant = w
        .insert_in_zone(gaoxin_land::occupant_entity::ActiveModel {
            parcel_id: sea_orm::ActiveValue::Set(land_parcel),
            enterprise_id: sea_orm::ActiveValue::Set(e1.id),
            role: sea_orm::ActiveValue::Set("owner".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let land_contract = w
        .insert_in_zone(gaoxin_land::contract_entity::ActiveModel {
            parcel_id: sea_orm::ActiveValue::Set(land_parcel),
            enterprise_id: sea_orm::ActiveValue::Set(e1.id),
            contract_no: sea_orm::ActiveValue::Set(if code == "beta" { "BETA-ONLY-C1" } else { "BDZ-2021-01" }.into()),
            signed_on: sea_orm::ActiveValue::Set(chrono::NaiveDate::from_ymd_opt(2021, 3, 1).unwrap()),
            project_name: sea_orm::ActiveValue::Set("智能装备项目".into()),
            investment_intensity: sea_orm::ActiveValue::Set(Some(4_000_000)),
            floor_area_ratio: sea_orm::ActiveValue::Set(Some(12_000)),
            tax_per_mu: sea_orm::ActiveValue::Set(Some(200_000)),
            energy_value_added: sea_orm::ActiveValue::Set(Some(20_000)),
            emission_value_added: sea_orm::ActiveValue::Set(Some(5_000_000)),
            operating_years: sea_orm::ActiveValue::Set(2),
            completed_on: sea_orm::ActiveValue::Set(chrono::NaiveDate::from_ymd_opt(2021, 12, 1)),
            fixed_investment: sea_orm::ActiveValue::Set(Some(3_600_000_000)),
            floor_area: sea_orm::ActiveValue::Set(Some(800_000)),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    use gaoxin_plans as plans;
    let plan = w
        .insert_in_zone(plans::plan_entity::ActiveModel {
            title: sea_orm::ActiveValue::Set(format!("{label}2024年重点工作方案")),
            year: sea_orm::ActiveValue::Set(2024),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let plan_task = w
        .insert_in_zone(plans::task_entity::ActiveModel {
            plan_id: sea_orm::ActiveValue::Set(Some(plan)),
            seq: sea_orm::ActiveValue::Set(1),
            reference: sea_orm::ActiveValue::Set("一.1".into()),
            section: sea_orm::ActiveValue::Set(String::new()),
            text: sea_orm::ActiveValue::Set(
                if code == "beta" {
                    "BETA-ONLY 新增高企50家"
                } else {
                    "新增高新技术企业50家"
                }
                .into(),
            ),
            start_date: sea_orm::ActiveValue::Set(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
            due_date: sea_orm::ActiveValue::Set(chrono::NaiveDate::from_ymd_opt(2024, 12, 31)),
            percent: sea_orm::ActiveValue::Set(40),
            status: sea_orm::ActiveValue::Set("open".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    for (i, (dept, role)) in [(science.id, "lead"), (economy.id, "cooperating")]
        .into_iter()
        .enumerate()
    {
        w.insert_in_zone(plans::task_department_entity::ActiveModel {
            task_id: sea_orm::ActiveValue::Set(plan_task),
            department_id: sea_orm::ActiveValue::Set(Some(dept)),
            written: sea_orm::ActiveValue::Set(if role == "lead" {
                science.name.clone()
            } else {
                economy.name.clone()
            }),
            role: sea_orm::ActiveValue::Set(role.into()),
            position: sea_orm::ActiveValue::Set(i as i32),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    w.insert_in_zone(plans::target_entity::ActiveModel {
        task_id: sea_orm::ActiveValue::Set(plan_task),
        position: sea_orm::ActiveValue::Set(0),
        text: sea_orm::ActiveValue::Set("新增高新技术企业50家".into()),
        value: sea_orm::ActiveValue::Set("50".into()),
        unit: sea_orm::ActiveValue::Set("家".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let supervision_order = w
        .insert_in_zone(plans::supervision_entity::ActiveModel {
            task_id: sea_orm::ActiveValue::Set(plan_task),
            reason: sea_orm::ActiveValue::Set("进度滞后".into()),
            issued_on: sea_orm::ActiveValue::Set(chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()),
            deadline: sea_orm::ActiveValue::Set(chrono::NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()),
            status: sea_orm::ActiveValue::Set("open".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let report = w
        .insert_in_zone(plans::report_entity::ActiveModel {
            task_id: sea_orm::ActiveValue::Set(plan_task),
            department_id: sea_orm::ActiveValue::Set(Some(science.id)),
            kind: sea_orm::ActiveValue::Set("progress".into()),
            note: sea_orm::ActiveValue::Set(
                if code == "beta" {
                    "BETA-ONLY 进展"
                } else {
                    "已认定20家"
                }
                .into(),
            ),
            percent: sea_orm::ActiveValue::Set(Some(40)),
            supervision_id: sea_orm::ActiveValue::Set(Some(supervision_order)),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let task_attachment = w
        .insert_in_zone(plans::attachment_entity::ActiveModel {
            report_id: sea_orm::ActiveValue::Set(report),
            file_name: sea_orm::ActiveValue::Set("认定名单.txt".into()),
            content_type: sea_orm::ActiveValue::Set("text/plain".into()),
            size: sea_orm::ActiveValue::Set(6),
            data: sea_orm::ActiveValue::Set(if code == "beta" {
                b"BETA-X".to_vec()
            } else {
                b"list-a".to_vec()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    use gaoxin_projects::entities as pe;
    use sea_orm::ActiveValue::Set;
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let project = w
        .insert_in_zone(pe::project::ActiveModel {
            code: Set(format!("XM-{code}-1")),
            name: Set(if code == "beta" {
                "BETA-ONLY 贝塔智能装备项目".into()
            } else {
                "阿尔法智能装备产业园项目".into()
            }),
            enterprise_id: Set(Some(e1.id)),
            investor: Set(e1.name.clone()),
            industry_code: Set(Some("3562".into())),
            total_investment: Set(150_000 * 1_000_000),
            fixed_investment: Set(Some(120_000 * 1_000_000)),
            source: Set("驻点招商".into()),
            officer: Set("招商专员甲".into()),
            leader: Set("领导甲".into()),
            lead_department_id: Set(Some(science.id)),
            location: Set("创新大道 1 号".into()),
            stage: Set("signed".into()),
            stage_since: Set(day(2026, 1, 10)),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    for (from, to, on) in [
        (None, "negotiating", day(2025, 11, 1)),
        (Some("negotiating"), "signed", day(2026, 1, 10)),
    ] {
        w.insert_in_zone(pe::transition::ActiveModel {
            project_id: Set(project),
            from_stage: Set(from.map(String::from)),
            to_stage: Set(to.into()),
            on_date: Set(on),
            evidence: Set(if from.is_some() {
                "HT-2026-001".into()
            } else {
                String::new()
            }),
            note: Set(String::new()),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    w.insert_in_zone(pe::cooperation::ActiveModel {
        project_id: Set(project),
        problem_id: Set(None),
        department_id: Set(economy.id),
        ..Default::default()
    })
    .await
    .unwrap();
    let project_problem = w
        .insert_in_zone(pe::problem::ActiveModel {
            project_id: Set(project),
            title: Set("用电增容".into()),
            detail: Set(String::new()),
            raised_on: Set(day(2026, 2, 1)),
            lead_department_id: Set(science.id),
            deadline: Set(day(2026, 3, 1)),
            status: Set("open".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let project_meeting = w
        .insert_in_zone(pe::meeting::ActiveModel {
            kind: Set("weekly".into()),
            held_on: Set(day(2026, 3, 2)),
            title: Set("第 10 周会办".into()),
            note: Set(String::new()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let meeting_item = w
        .insert_in_zone(pe::meeting_item::ActiveModel {
            meeting_id: Set(project_meeting),
            project_id: Set(project),
            problem_id: Set(Some(project_problem)),
            reason: Set("问题逾期".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let target = w
        .insert_in_zone(gaoxin_targets::entities::target::ActiveModel {
            name: Set(if code == "beta" {
                "BETA-ONLY 新增规上企业".into()
            } else {
                "新认定高新技术企业".into()
            }),
            unit: Set("家".into()),
            period: Set("2026".into()),
            year: Set(2026),
            value_low: Set("40".into()),
            value_high: Set(None),
            direction: Set("at_least".into()),
            department_id: Set(Some(science.id)),
            origin: Set("entered".into()),
            method: Set("reported".into()),
            metric: Set(None),
            profile: Set(String::new()),
            note: Set(None),
            sort_order: Set(0),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    w.commit().await.unwrap();
    ZoneFixture {
        target,
        project,
        project_problem,
        project_meeting,
        meeting_item,
        plan,
        plan_task,
        task_attachment,
        supervision_order,
        land_parcel,
        parcel_occupant,
        land_contract,
        land_scheme: land_scheme.id,
        land_run: run.id,
        land_result: land_result.id,
        land_objection,
        land_measure,
        clearance_case,
        criteria_version,
        ladder_run,
        zone_id: zone.id,
        code: zone.code,
        name: zone.name,
        science_dept: science.id,
        economy_dept: economy.id,
        enterprise: e1.id,
        other_enterprise: e2.id,
        admin,
        policy_version: version.id,
        event,
        batch: batch.id,
        line,
        other_line,
        application: application.id,
        attachment,
    }
}

/// The id a route path's `{id}` stands for in the policy cash-out pages of a zone (None for
/// other paths).
pub fn policy_path_id(fx: &ZoneFixture, path: &str) -> Option<i64> {
    if path.contains("/projects/") || path.contains("/project-problems/") || path.contains("/meeting-items/") {
        return Some(if path.contains("/problems/") || path.contains("/project-problems/") {
            fx.project_problem
        } else if path.contains("/meeting-items/") {
            fx.meeting_item
        } else if path.contains("/meetings/") {
            fx.project_meeting
        } else {
            fx.project
        });
    }
    if path.starts_with("/plans/") || path.contains("/plan-tasks/") || path.contains("/supervision/") {
        return Some(if path.contains("/attachments/") {
            fx.task_attachment
        } else if path.contains("/orders/") || path.contains("/supervision/") {
            fx.supervision_order
        } else {
            fx.plan_task
        });
    }
    if path.contains("/land/") {
        return Some(if path.contains("/parcels/") {
            fx.land_parcel
        } else if path.contains("/occupants/") {
            fx.parcel_occupant
        } else if path.contains("/contracts/") {
            fx.land_contract
        } else if path.contains("/schemes/") {
            fx.land_scheme
        } else if path.contains("/runs/") {
            fx.land_run
        } else if path.contains("/results/") {
            fx.land_result
        } else if path.contains("/objections/") {
            fx.land_objection
        } else if path.contains("/measures/") {
            fx.land_measure
        } else {
            fx.clearance_case
        });
    }
    if path.contains("/ladder/criteria/") {
        return Some(fx.criteria_version);
    }
    if path.contains("/targets/") {
        return Some(fx.target);
    }
    if path.contains("/ladder/runs/") {
        return Some(fx.ladder_run);
    }
    if !path.contains("/policies/")
        && !path.contains("/batches")
        && !path.contains("/awards/")
        && !path.contains("/events/")
    {
        return None;
    }
    Some(if path.contains("/versions/") {
        fx.policy_version
    } else if path.contains("/applications/") {
        fx.application
    } else if path.contains("/attachments/") {
        fx.attachment
    } else if path.contains("/events/") {
        fx.event
    } else if path.contains("/batches/") {
        fx.batch
    } else {
        // lines and awards
        fx.line
    })
}

/// Two zones, alpha and beta, each with two departments, two enterprises and an account of
/// every zone role (`admin_a`, `leader_a`, `staff_a` of 科学技术局, `ent_a` of the first
/// enterprise, `auditor_a`; the same with `_b`), plus the province reader `prov`.
pub async fn fixture(db: &Db) -> Fixture {
    let alpha = zone_fixture(db, "alpha", "阿尔法", "a", "410700").await;
    let beta = zone_fixture(db, "beta", "贝塔", "b", "320281").await;
    let mut w = Writer::begin(db, WriteContext::system(None, "test")).await.unwrap();
    let province = accounts::create(
        &mut w,
        None,
        AccountInput {
            username: "prov".into(),
            display_name: "省厅读者".into(),
            role: Role::Province,
            department_id: None,
            enterprise_id: None,
        },
        PASSWORD_HASH.clone(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    Fixture {
        alpha,
        beta,
        province: province.id,
    }
}

pub struct TestApp {
    pub db: Db,
    pub state: AppState,
    pub router: Router,
    pub fx: Fixture,
    pub test_db: TestDb,
}

impl TestApp {
    pub async fn new() -> TestApp {
        let test_db = TestDb::new().await;
        let db = Db::open(&test_db.url).await.unwrap();
        let fx = fixture(&db).await;
        let state = AppState {
            db: db.clone(),
            config: Arc::new(AppConfig::default()),
        };
        TestApp {
            router: app(state.clone()),
            db,
            state,
            fx,
            test_db,
        }
    }

    /// The demo zone of `seed` with `enterprises` firms, generated as of `clock` and served on
    /// that clock, beside the usual fixture. Its accounts sign in with [`TestApp::login_demo`].
    pub async fn demo(seed: u64, enterprises: usize, clock: gaoxin_core::clock::Clock) -> TestApp {
        let test_db = TestDb::new().await;
        let db = Db::open(&test_db.url).await.unwrap();
        gaoxin::demo::create_at(&db, seed, enterprises, clock).await.unwrap();
        let fx = fixture(&db).await;
        let state = AppState {
            db: db.clone(),
            config: Arc::new(AppConfig {
                clock,
                ..AppConfig::default()
            }),
        };
        TestApp {
            router: app(state.clone()),
            db,
            state,
            fx,
            test_db,
        }
    }

    /// Serves from now on with the zone's clock fixed at `at` (RFC 3339), on the same database.
    pub fn set_clock(&mut self, at: &str) {
        let clock = gaoxin_core::clock::Clock::fixed(gaoxin_core::clock::Clock::parse(at).unwrap());
        self.state = AppState {
            db: self.db.clone(),
            config: Arc::new(AppConfig {
                clock,
                ..(*self.state.config).clone()
            }),
        };
        self.router = app(self.state.clone());
    }

    /// Signs a demo account in (see [`TestApp::demo`]).
    pub async fn login_demo(&self, username: &str) -> Session {
        self.login_with(username, gaoxin::demo::PASSWORD).await
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            app: self,
            method,
            path: path.to_string(),
            headers: vec![("host".into(), "localhost".into())],
            body: Vec::new(),
            session: None,
            form: None,
            skip_csrf: false,
            extra_cookies: Vec::new(),
            peer: None,
        }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    /// Signs in through the login form; returns the session cookie and its CSRF token.
    pub async fn login(&self, username: &str) -> Session {
        self.login_with(username, PASSWORD).await
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Session {
        let res = self
            .post("/login")
            .form(&[("username", username), ("password", password), ("next", "/")])
            .send()
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "login of {username}: {}", res.text());
        let cookie = res
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("gaoxin_session="))
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut session = Session {
            cookie,
            csrf: String::new(),
        };
        let page = self.get("/account").session(&session).send().await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let html = page.text();
        let marker = "name=\"csrf-token\" content=\"";
        let start = html.find(marker).expect("csrf meta tag") + marker.len();
        session.csrf = html[start..start + 48].to_string();
        session
    }

    /// A bearer token through `POST /api/v1/auth/token`.
    pub async fn token(&self, username: &str) -> String {
        let res = self
            .post("/api/v1/auth/token")
            .json(serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["token"].as_str().unwrap().to_string()
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        let backend = self.db.backend();
        let row = self
            .db
            .conn()
            .query_one_raw(Statement::from_string(backend, sql.to_string()))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    session: Option<Session>,
    form: Option<Vec<(String, String)>>,
    /// The connection's peer, as `axum::serve` with connect info gives it.
    peer: Option<std::net::SocketAddr>,
    skip_csrf: bool,
    extra_cookies: Vec<String>,
}

impl Call<'_> {
    /// Sends the request as if from `address` (e.g. "10.0.0.5:4321").
    pub fn peer(mut self, address: &str) -> Self {
        self.peer = Some(address.parse().expect("an address like 10.0.0.5:4321"));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn session(mut self, session: &Session) -> Self {
        self.session = Some(session.clone());
        self
    }

    pub fn maybe_session(self, session: Option<&Session>) -> Self {
        match session {
            Some(s) => self.session(s),
            None => self,
        }
    }

    /// Sends one more cookie (`name=value`), e.g. the flash message a redirect set.
    pub fn cookie(mut self, pair: &str) -> Self {
        self.extra_cookies.push(pair.to_string());
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Leave out the CSRF token a session call would otherwise carry.
    pub fn without_csrf(mut self) -> Self {
        self.skip_csrf = true;
        self
    }

    pub fn json(mut self, value: serde_json::Value) -> Self {
        self.body = serde_json::to_vec(&value).unwrap();
        self.header("content-type", "application/json")
    }

    pub fn raw(mut self, content_type: &str, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self.header("content-type", content_type)
    }

    /// A multipart/form-data body: (field name, file name for file fields, content).
    pub fn multipart(self, parts: &[(&str, Option<&str>, &[u8])]) -> Self {
        let boundary = "gaoxin-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, file_name, content) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file_name {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
            }
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.raw(&format!("multipart/form-data; boundary={boundary}"), &body)
    }

    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.form = Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        self
    }

    pub async fn send(self) -> TestResponse {
        let unsafe_method = !matches!(self.method, Method::GET | Method::HEAD);
        let mut builder = Request::builder().method(self.method.clone()).uri(&self.path);
        let mut body = self.body;
        if let Some(mut pairs) = self.form {
            if let Some(s) = &self.session
                && !self.skip_csrf
            {
                pairs.push(("_csrf".into(), s.csrf.clone()));
            }
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &pairs {
                ser.append_pair(k, v);
            }
            body = ser.finish().into_bytes();
            builder = builder.header("content-type", "application/x-www-form-urlencoded");
        } else if let Some(s) = &self.session
            && unsafe_method
            && !self.skip_csrf
        {
            builder = builder.header("x-csrf-token", &s.csrf);
        }
        let mut cookies: Vec<String> = self.session.iter().map(|s| s.cookie.clone()).collect();
        cookies.extend(self.extra_cookies);
        if !cookies.is_empty() {
            builder = builder.header("cookie", cookies.join("; "));
        }
        for (k, v) in &self.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let mut request = builder.body(Body::from(body)).unwrap();
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        TestResponse { status, headers, body }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// `name=value` of a cookie this response sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap().to_string())
            .find(|pair| pair.starts_with(&format!("{name}=")))
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Every cell of every sheet of an .xlsx response, as text.
    pub fn xlsx_cells(&self) -> Vec<String> {
        use calamine::{Reader, Xlsx};
        let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(self.body.clone())).expect("a valid .xlsx");
        let mut cells = Vec::new();
        for name in workbook.sheet_names() {
            let range = workbook.worksheet_range(&name).unwrap();
            for row in range.rows() {
                for cell in row {
                    cells.push(cell.to_string());
                }
            }
        }
        cells
    }
}

/// An .xlsx with the given sheet rows (strings; `#n` cells are written as numbers).
pub fn xlsx(sheet: &str, rows: &[Vec<&str>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Some(n) = cell.strip_prefix('#') {
                ws.write_number(r as u32, c as u16, n.parse::<f64>().unwrap()).unwrap();
            } else if !cell.is_empty() {
                ws.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Imports a file through the API (`kind` = enterprise | annual | innovation).
pub async fn import(app: &TestApp, token: &str, kind: &str, file: &str, bytes: &[u8], dry_run: bool) -> TestResponse {
    app.post("/api/v1/enterprises/import")
        .bearer(token)
        .multipart(&[
            ("kind", None, kind.as_bytes()),
            ("dry_run", None, if dry_run { b"true" } else { b"false" }),
            ("file", Some(file), bytes),
        ])
        .send()
        .await
}

/// The rows of the first sheet of an .xlsx, as text.
pub fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a valid .xlsx");
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The page a form post redirected to, with its flash message.
pub async fn follow(app: &TestApp, res: &TestResponse, session: &Session) -> String {
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let flash = res.cookie("gaoxin_flash").expect("a flash message");
    app.get(res.location().expect("a redirect"))
        .session(session)
        .cookie(&flash)
        .send()
        .await
        .text()
}

/// Posts a form and follows the redirect (see `follow`).
pub async fn post_form(app: &TestApp, session: &Session, path: &str, form: &[(&str, &str)]) -> String {
    let res = app.post(path).session(session).form(form).send().await;
    follow(app, &res, session).await
}

/// The text of a .docx: every `w:t`, in order.
pub fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut text = String::new();
    for part in xml.split("<w:t xml:space=\"preserve\">").skip(1) {
        text.push_str(part.split("</w:t>").next().unwrap());
        text.push('|');
    }
    text
}

/// A staff account `staff_eco` of zone alpha's 经济发展局; its id.
pub async fn economy_staff(app: &TestApp) -> i64 {
    let fx = &app.fx.alpha;
    let mut w = Writer::begin(&app.db, WriteContext::system(Some(fx.zone_id), "test"))
        .await
        .unwrap();
    let a = accounts::create(
        &mut w,
        Some(fx.zone_id),
        AccountInput {
            username: "staff_eco".into(),
            display_name: "经发局人员".into(),
            role: Role::Staff,
            department_id: Some(fx.economy_dept),
            enterprise_id: None,
        },
        PASSWORD_HASH.clone(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    a.id
}
