//! The demo zone's targets for this year, taken from the seeds' own sentences — seed 000
//! "全年新认定高新技术企业40家、入库科技型中小企业130家", "本地劳动力就业1600人", "完成拆迁5万平方米";
//! seed 001 "技改设备投入达序时进度"; seed 000's "'12345'的招商目标" — each owned by the department
//! that would carry it, reported month by month up to last month at its own pace, so that the
//! list shows targets ahead, on track, behind and far behind; and two computed from the demo's
//! own projects (新签约项目, 新开工项目). Its own generator, so that earlier data stays the same
//! per seed.

use std::collections::HashMap;

use chrono::Datelike;
use rust_decimal::Decimal;

use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_targets::domain::TargetDraft;
use gaoxin_targets::store;

use super::rng::Rng;

/// Name, unit, value, department, monthly profile, and the pace the demo reports at (percent of
/// 序时进度: over 100 ahead, under 80 far behind).
const TARGETS: [(&str, &str, &str, &str, &str, u32); 6] = [
    ("新认定高新技术企业", "家", "40", "科学技术局", "", 118),
    (
        "入库科技型中小企业",
        "家",
        "130",
        "科学技术局",
        "1,2,3,3,2,1,1,1,1,1,1,1",
        97,
    ),
    ("本地劳动力就业", "人", "1600", "人力资源部", "", 90),
    ("完成拆迁", "万平方米", "5", "国土规划建设管理局", "", 62),
    ("招商引资到位资金", "亿元", "50", "投资促进局", "", 104),
    ("技改设备投入", "亿元", "8", "经济发展局", "", 84),
];

/// Creates this year's targets and their monthly reports up to last month (this month in January).
pub(super) async fn demo_targets(
    writer: &mut Writer,
    admin: &Scope,
    seed: u64,
    departments: &HashMap<&'static str, i64>,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed ^ 0x7a26_0019);
    let today = admin.today();
    let year = today.year();
    let last = (today.month() - 1).max(1);
    for (name, unit, value, department, profile, pace) in TARGETS {
        let spec = TargetDraft {
            name: name.into(),
            unit: unit.into(),
            period: year.to_string(),
            value: value.into(),
            profile: profile.into(),
            ..Default::default()
        }
        .check()
        .map_err(|e| anyhow::anyhow!("{name}: {e:?}"))?;
        let target = store::create(
            writer,
            admin,
            spec.clone(),
            departments.get(department).copied(),
            "entered",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let counted = matches!(unit, "家" | "人");
        let mut previous = Decimal::ZERO;
        for month in 1..=last {
            let at = gaoxin_core::schedule::month_end(year, month).min(today);
            let (share, _) = gaoxin_core::schedule::expected_share(spec.period, &spec.profile, at);
            // The pace, give or take 6 points from month to month.
            let wobble = Decimal::from(rng.below(13) as i64 - 6);
            let reached = spec.low * share * (Decimal::from(pace) + wobble) / Decimal::ONE_HUNDRED;
            // A figure to date never falls.
            let figure = if counted { reached.floor() } else { reached.round_dp(2) }.max(previous);
            previous = figure;
            store::report(
                writer,
                admin,
                &target,
                &format!("{year}-{month:02}"),
                &figure.to_string(),
                "",
            )
            .await
            .map_err(|e| anyhow::anyhow!("{name} {month}: {e}"))?;
        }
    }
    for (name, value, department, metric) in [
        ("新签约项目", "60", "投资促进局", "projects.signed"),
        ("新开工项目", "40", "投资促进局", "projects.started"),
    ] {
        let spec = TargetDraft {
            name: name.into(),
            unit: "个".into(),
            period: year.to_string(),
            value: value.into(),
            metric: metric.into(),
            ..Default::default()
        }
        .check()
        .map_err(|e| anyhow::anyhow!("{name}: {e:?}"))?;
        store::create(writer, admin, spec, departments.get(department).copied(), "entered")
            .await
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    }
    Ok(())
}
