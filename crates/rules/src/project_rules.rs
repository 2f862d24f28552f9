//! The investment-project rulebook (重大项目推进规则): a dated TOML file a zone loads as a version.
//! It names the stages in order with the days a project may stay in each before it is flagged
//! as stalled and the evidence each transition records; the 超亿元 threshold; when a blocking
//! problem escalates; the site-visit rule (一季一观摩); the admission review (双周一评审) against
//! the industry plan and the negative list; the half-year scores (半年一考核). Pure: no web
//! framework, no database.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    id: String,
    name: String,
    #[serde(default)]
    document_number: String,
    valid_from: toml::value::Datetime,
    #[serde(default)]
    example: bool,
    /// 万元: a project at or above it is 超亿元 (major).
    major_threshold: Decimal,
    stages: Vec<Stage>,
    problems: ProblemRule,
    visit: VisitRule,
    admission: Admission,
    scores: ScoreRule,
}

/// A stage of the pipeline.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// English key kept in the database (`signed`).
    pub key: String,
    /// As shown (`签约`).
    pub name: String,
    /// Days a project may stay in this stage; None: no limit (the last stage).
    #[serde(default)]
    pub max_days: Option<i64>,
    /// What the transition into this stage records (`合同编号`); empty: nothing required.
    #[serde(default)]
    pub evidence: String,
    /// Which target this stage counts for: `signed`, `started`, `producing`.
    #[serde(default)]
    pub counts: Option<String>,
}

/// When a blocking problem turns colour.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProblemRule {
    /// Days before the deadline a problem is shown as due soon.
    pub warn_days: i64,
    /// Days overdue after which the problem goes to the attached leader.
    pub escalate_after_days: i64,
}

/// Which projects the quarter's site visit (观摩) takes.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VisitRule {
    pub count: usize,
    /// The earliest stage a visited project has reached (key).
    pub from_stage: String,
    /// Only projects at or above this total investment (万元).
    #[serde(default)]
    pub min_investment: Decimal,
}

/// The admission review.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Admission {
    /// Score at or above which the suggestion is 准入.
    pub admit_score: i32,
    /// Score at or above which the suggestion is 有条件准入 (below: 不予准入).
    pub conditional_score: i32,
    /// The zone's industry plan: GB/T 4754 code prefixes with the points they give.
    #[serde(default)]
    pub industries: Vec<Industry>,
    /// 准入负面清单: a project whose industry code starts with one of these is refused.
    #[serde(default)]
    pub negative: Vec<Negative>,
    /// What the reviewers tick.
    #[serde(default)]
    pub checklist: Vec<CheckItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Industry {
    pub prefix: String,
    pub name: String,
    pub points: i32,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Negative {
    pub prefix: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckItem {
    pub key: String,
    pub text: String,
    pub points: i32,
}

/// Half-year scores: points per unit of each achievement.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScoreRule {
    /// Per 亿元 of total investment signed in the period.
    pub signed_per_yi: Decimal,
    /// Per project started.
    pub started: Decimal,
    /// Per project in production.
    pub producing: Decimal,
    /// Per 亿元 of investment completed (monthly actuals in the period).
    pub investment_per_yi: Decimal,
    /// Per problem resolved by its deadline.
    pub problem_on_time: Decimal,
    /// Per problem resolved after its deadline (0 or negative).
    pub problem_late: Decimal,
    /// Per problem still open past its deadline at the period's end (0 or negative).
    pub problem_overdue: Decimal,
}

/// A checked rulebook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rulebook {
    pub id: String,
    pub name: String,
    pub document_number: String,
    pub valid_from: NaiveDate,
    pub example: bool,
    /// Fen.
    pub major_threshold: i64,
    pub stages: Vec<Stage>,
    pub problems: ProblemRule,
    pub visit: VisitRule,
    pub admission: Admission,
    pub scores: ScoreRule,
    /// SHA-256 of the file's text.
    pub version: String,
}

const FEN_PER_WAN: i64 = 1_000_000;

fn wan_to_fen(wan: Decimal, what: &str) -> Result<i64, String> {
    let fen = wan * Decimal::from(FEN_PER_WAN);
    if fen.fract() != Decimal::ZERO || fen < Decimal::ZERO {
        return Err(format!("{what} 应为不小于 0、最多 6 位小数的万元数"));
    }
    i64::try_from(fen).map_err(|_| format!("{what} 太大"))
}

/// Reads and checks a rulebook file; errors name the line and what is wrong.
pub fn load(text: &str) -> Result<Rulebook, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| {
            let line = text[..s.start].matches('\n').count() + 1;
            format!("第 {line} 行：")
        });
        format!("{}{}", at.unwrap_or_default(), e.message())
    })?;
    let valid_from = NaiveDate::parse_from_str(&file.valid_from.to_string(), "%Y-%m-%d")
        .map_err(|_| "valid_from 应为日期，如 2026-01-01".to_string())?;
    if file.id.trim().is_empty()
        || !file
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("id 应为字母、数字和连字符，如 xiangmu-2026".into());
    }
    if file.stages.len() < 2 {
        return Err("[[stages]] 至少要有两个阶段".into());
    }
    let mut seen = std::collections::HashSet::new();
    for (i, s) in file.stages.iter().enumerate() {
        if s.key.is_empty() || !s.key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(format!("第 {} 个阶段的 key 应为小写字母和下划线", i + 1));
        }
        if !seen.insert(s.key.clone()) {
            return Err(format!("阶段 key“{}”重复", s.key));
        }
        if s.name.trim().is_empty() {
            return Err(format!("阶段“{}”缺少 name", s.key));
        }
        if s.max_days.is_some_and(|d| d <= 0) {
            return Err(format!("阶段“{}”的 max_days 应为正整数", s.name));
        }
        if let Some(c) = &s.counts
            && !matches!(c.as_str(), "signed" | "started" | "producing")
        {
            return Err(format!("阶段“{}”的 counts 应为 signed、started 或 producing", s.name));
        }
    }
    for counts in ["signed", "started", "producing"] {
        if file
            .stages
            .iter()
            .filter(|s| s.counts.as_deref() == Some(counts))
            .count()
            != 1
        {
            return Err(format!("counts = \"{counts}\" 应恰好标在一个阶段上"));
        }
    }
    if !file.stages.iter().any(|s| s.key == file.visit.from_stage) {
        return Err(format!("[visit] from_stage“{}”不是已定义的阶段", file.visit.from_stage));
    }
    if file.problems.warn_days < 0 || file.problems.escalate_after_days < 0 {
        return Err("[problems] 的天数不能为负数".into());
    }
    if file.admission.conditional_score > file.admission.admit_score {
        return Err("[admission] conditional_score 不能高于 admit_score".into());
    }
    let s = &file.scores;
    if s.problem_late > Decimal::ZERO || s.problem_overdue > Decimal::ZERO {
        return Err("[scores] problem_late 和 problem_overdue 是扣分，应为 0 或负数".into());
    }
    let mut keys = std::collections::HashSet::new();
    for item in &file.admission.checklist {
        if !keys.insert(item.key.clone()) {
            return Err(format!("[[admission.checklist]] key“{}”重复", item.key));
        }
    }
    Ok(Rulebook {
        major_threshold: wan_to_fen(file.major_threshold, "major_threshold")?,
        id: file.id,
        name: file.name,
        document_number: file.document_number,
        valid_from,
        example: file.example,
        stages: file.stages,
        problems: file.problems,
        visit: file.visit,
        admission: file.admission,
        scores: file.scores,
        version: hex::encode(Sha256::digest(text.as_bytes())),
    })
}

impl Rulebook {
    pub fn stage(&self, key: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.key == key)
    }

    /// The stage's position (0 = first); unknown keys sort first.
    pub fn position(&self, key: &str) -> usize {
        self.stages.iter().position(|s| s.key == key).unwrap_or(0)
    }

    pub fn stage_name(&self, key: &str) -> String {
        self.stage(key)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| key.to_string())
    }

    /// The stage after `key`, if any.
    pub fn next(&self, key: &str) -> Option<&Stage> {
        let at = self.stages.iter().position(|s| s.key == key)?;
        self.stages.get(at + 1)
    }

    /// The stage a target metric counts (`signed` → 签约).
    pub fn counting(&self, counts: &str) -> &Stage {
        self.stages
            .iter()
            .find(|s| s.counts.as_deref() == Some(counts))
            .expect("checked at load")
    }

    /// Has a project at `key` reached the stage `counts` names?
    pub fn reached(&self, key: &str, counts: &str) -> bool {
        self.position(key) >= self.position(&self.counting(counts).key)
    }

    pub fn is_major(&self, total_investment_fen: i64) -> bool {
        total_investment_fen >= self.major_threshold
    }

    /// Stalled: the project has stayed in its stage longer than the stage allows.
    pub fn stalled(&self, stage: &str, since: NaiveDate, today: NaiveDate) -> Option<String> {
        let s = self.stage(stage)?;
        let max = s.max_days?;
        let days = (today - since).num_days();
        (days > max).then(|| {
            format!(
                "停滞：{}阶段已 {days} 天（{}起），超过规定的 {max} 天",
                s.name,
                since.format("%Y-%m-%d")
            )
        })
    }
}

/// How a blocking problem stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemState {
    Open,
    DueSoon,
    Overdue,
    /// Overdue for longer than the rule allows: it goes to the attached leader.
    Escalated,
    Resolved,
}

impl ProblemState {
    pub fn name(self) -> &'static str {
        match self {
            ProblemState::Open => "办理中",
            ProblemState::DueSoon => "临期",
            ProblemState::Overdue => "逾期",
            ProblemState::Escalated => "逾期升级",
            ProblemState::Resolved => "已解决",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            ProblemState::Open => "normal",
            ProblemState::DueSoon => "blue",
            ProblemState::Overdue => "yellow",
            ProblemState::Escalated => "red",
            ProblemState::Resolved => "green",
        }
    }

    pub fn is_overdue(self) -> bool {
        matches!(self, ProblemState::Overdue | ProblemState::Escalated)
    }
}

/// A problem's state with the reason in words.
pub fn problem_state(
    rule: &ProblemRule,
    deadline: NaiveDate,
    resolved_on: Option<NaiveDate>,
    leader: &str,
    today: NaiveDate,
) -> (ProblemState, String) {
    if let Some(r) = resolved_on {
        let late = (r - deadline).num_days();
        return if late > 0 {
            (ProblemState::Resolved, format!("{r} 解决，超期 {late} 天"))
        } else {
            (ProblemState::Resolved, format!("{r} 按期解决"))
        };
    }
    let over = (today - deadline).num_days();
    if over > rule.escalate_after_days {
        let to = if leader.is_empty() { "挂钩领导" } else { leader };
        (
            ProblemState::Escalated,
            format!(
                "逾期 {over} 天（时限 {deadline}），超过 {} 天，已升级至{to}",
                rule.escalate_after_days
            ),
        )
    } else if over > 0 {
        (ProblemState::Overdue, format!("逾期 {over} 天（时限 {deadline}）"))
    } else if -over <= rule.warn_days {
        (ProblemState::DueSoon, format!("{} 天后到期（时限 {deadline}）", -over))
    } else {
        (ProblemState::Open, format!("时限 {deadline}"))
    }
}

/// The outcome of an admission review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewOutcome {
    pub score: i32,
    /// The code of the suggested [`Decision`].
    pub suggested: &'static str,
    /// One line per point given or the veto, citing the rulebook.
    pub lines: Vec<String>,
    pub vetoed: bool,
}

gaoxin_core::coded_enum! {
    /// What an admission review decides (or suggests): the code is stored with the review.
    pub enum Decision {
        Admit = "admit" / "准入",
        Conditional = "conditional" / "有条件准入",
        Reject = "reject" / "不予准入",
    }
}

/// The label of a stored decision code; empty for none (a review not decided yet).
pub fn decision_name(code: &str) -> &'static str {
    Decision::of(code).map_or("", Decision::label)
}

/// Scores a project for admission: the industry plan's points for its GB/T 4754 code, the
/// ticked checklist items; a code on the negative list is refused whatever the score.
pub fn review(admission: &Admission, industry_code: Option<&str>, ticked: &[String]) -> ReviewOutcome {
    let code = industry_code.unwrap_or("").trim();
    let mut lines = Vec::new();
    let mut score = 0;
    let mut vetoed = false;
    for n in &admission.negative {
        if !code.is_empty() && code.starts_with(&n.prefix) {
            vetoed = true;
            lines.push(format!("行业代码 {code} 属准入负面清单（{}）：{}", n.prefix, n.reason));
        }
    }
    let best = admission
        .industries
        .iter()
        .filter(|i| !code.is_empty() && code.starts_with(&i.prefix))
        .max_by_key(|i| i.prefix.len());
    match best {
        Some(i) => {
            score += i.points;
            lines.push(format!("符合产业规划：{}（{}），+{} 分", i.name, i.prefix, i.points));
        }
        None if code.is_empty() => lines.push("未填行业代码，产业规划 0 分".into()),
        None => lines.push(format!("行业代码 {code} 不在产业规划重点行业内，0 分")),
    }
    for item in &admission.checklist {
        if ticked.iter().any(|t| t == &item.key) {
            score += item.points;
            lines.push(format!("✔ {}，+{} 分", item.text, item.points));
        } else {
            lines.push(format!("✘ {}，0 分", item.text));
        }
    }
    let suggested = if vetoed {
        Decision::Reject
    } else if score >= admission.admit_score {
        Decision::Admit
    } else if score >= admission.conditional_score {
        Decision::Conditional
    } else {
        Decision::Reject
    };
    lines.push(format!(
        "合计 {score} 分（准入线 {}，有条件准入线 {}）→ 建议{}",
        admission.admit_score,
        admission.conditional_score,
        suggested.label()
    ));
    ReviewOutcome {
        score,
        suggested: suggested.code(),
        lines,
        vetoed,
    }
}

/// What one project contributed to a period's scores.
#[derive(Debug, Clone)]
pub struct ProjectFacts {
    pub code: String,
    pub name: String,
    pub department: Option<String>,
    pub officer: String,
    pub total_investment: i64,
    pub signed_in_period: bool,
    pub started_in_period: bool,
    pub producing_in_period: bool,
    /// Fen completed within the period.
    pub investment_in_period: i64,
}

/// A problem as the scores see it at the period's end.
#[derive(Debug, Clone)]
pub struct ProblemFacts {
    pub project: String,
    pub title: String,
    pub department: Option<String>,
    pub deadline: NaiveDate,
    pub resolved_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine {
    pub points: Decimal,
    pub text: String,
}

/// One department's or officer's score with its lines.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub name: String,
    pub total: Decimal,
    pub lines: Vec<ScoreLine>,
    pub rank: usize,
}

fn yi(fen: i64) -> Decimal {
    Decimal::from(fen) / Decimal::from(100_000_000_i64 * 100)
}

/// 亿元 to the 万元 (up to 4 decimals), for the explanations.
pub fn yi_text(fen: i64) -> String {
    yi(fen).round_dp(4).normalize().to_string()
}

/// Period scores of departments (lead) and 招商 officers. Problems count for their lead
/// department only. Everyone with a line appears; ranks are shared on ties.
pub fn scores(
    rule: &ScoreRule,
    projects: &[ProjectFacts],
    problems: &[ProblemFacts],
    period_end: NaiveDate,
) -> (Vec<Score>, Vec<Score>) {
    let mut departments: BTreeMap<String, Vec<ScoreLine>> = BTreeMap::new();
    let mut officers: BTreeMap<String, Vec<ScoreLine>> = BTreeMap::new();
    for p in projects {
        let mut lines = Vec::new();
        if p.signed_in_period {
            let points = (yi(p.total_investment) * rule.signed_per_yi).round_dp(2);
            lines.push(ScoreLine {
                points,
                text: format!(
                    "{} {} 签约，总投资 {} 亿元 × {} 分/亿元",
                    p.code,
                    p.name,
                    yi_text(p.total_investment),
                    rule.signed_per_yi
                ),
            });
        }
        if p.started_in_period {
            lines.push(ScoreLine {
                points: rule.started,
                text: format!("{} {} 开工，+{} 分", p.code, p.name, rule.started),
            });
        }
        if p.producing_in_period {
            lines.push(ScoreLine {
                points: rule.producing,
                text: format!("{} {} 投产，+{} 分", p.code, p.name, rule.producing),
            });
        }
        if p.investment_in_period > 0 {
            let points = (yi(p.investment_in_period) * rule.investment_per_yi).round_dp(2);
            lines.push(ScoreLine {
                points,
                text: format!(
                    "{} {} 完成投资 {} 亿元 × {} 分/亿元",
                    p.code,
                    p.name,
                    yi_text(p.investment_in_period),
                    rule.investment_per_yi
                ),
            });
        }
        if lines.is_empty() {
            continue;
        }
        if let Some(d) = &p.department {
            departments.entry(d.clone()).or_default().extend(lines.iter().cloned());
        }
        if !p.officer.is_empty() {
            officers.entry(p.officer.clone()).or_default().extend(lines);
        }
    }
    for q in problems {
        let Some(d) = &q.department else { continue };
        let line = match q.resolved_on {
            Some(r) if r > period_end => None,
            Some(r) if r <= q.deadline => Some(ScoreLine {
                points: rule.problem_on_time,
                text: format!(
                    "问题按期解决：{}（{}），+{} 分",
                    q.title, q.project, rule.problem_on_time
                ),
            }),
            Some(r) => Some(ScoreLine {
                points: rule.problem_late,
                text: format!(
                    "问题超期 {} 天解决：{}（{}），{} 分",
                    (r - q.deadline).num_days(),
                    q.title,
                    q.project,
                    rule.problem_late
                ),
            }),
            None => None,
        }
        .or_else(|| {
            (q.resolved_on.is_none_or(|r| r > period_end) && q.deadline < period_end).then(|| ScoreLine {
                points: rule.problem_overdue,
                text: format!(
                    "问题期末仍逾期 {} 天：{}（{}），{} 分",
                    (period_end - q.deadline).num_days(),
                    q.title,
                    q.project,
                    rule.problem_overdue
                ),
            })
        });
        if let Some(line) = line
            && line.points != Decimal::ZERO
        {
            departments.entry(d.clone()).or_default().push(line);
        }
    }
    (ranked(departments), ranked(officers))
}

fn ranked(by_name: BTreeMap<String, Vec<ScoreLine>>) -> Vec<Score> {
    let mut all: Vec<Score> = by_name
        .into_iter()
        .map(|(name, lines)| Score {
            total: lines.iter().map(|l| l.points).sum(),
            name,
            lines,
            rank: 0,
        })
        .collect();
    all.sort_by(|a, b| b.total.cmp(&a.total).then(a.name.cmp(&b.name)));
    let mut rank = 0;
    for i in 0..all.len() {
        if i == 0 || all[i].total != all[i - 1].total {
            rank = i + 1;
        }
        all[i].rank = rank;
    }
    all
}

/// The period `2026H1`, `2026H2` or `2026` as dates.
pub fn period(text: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let t = text.trim().to_ascii_uppercase();
    let bad = || format!("考核期“{text}”应写作 2026H1、2026H2 或 2026");
    let (year, half) = match t.split_once('H') {
        Some((y, h)) => (y.parse::<i32>().map_err(|_| bad())?, Some(h)),
        None => (t.parse::<i32>().map_err(|_| bad())?, None),
    };
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).ok_or_else(bad);
    match half {
        None => Ok((d(1, 1)?, d(12, 31)?)),
        Some("1") => Ok((d(1, 1)?, d(6, 30)?)),
        Some("2") => Ok((d(7, 1)?, d(12, 31)?)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../rules/projects/xiangmu-example.toml");

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_example_loads_with_seven_stages() {
        let r = load(EXAMPLE).unwrap();
        let names: Vec<_> = r.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["在谈", "签约", "供地", "开工", "竣工", "投产", "达产"]);
        assert_eq!(r.major_threshold, 10_000 * FEN_PER_WAN);
        assert_eq!(r.next("land_supplied").unwrap().name, "开工");
        assert!(r.next("full_capacity").is_none());
        assert!(r.reached("completed", "started"));
        assert!(!r.reached("land_supplied", "started"));
    }

    #[test]
    fn bad_files_name_what_is_wrong() {
        let e = load(&EXAMPLE.replace("counts = \"started\"", "")).unwrap_err();
        assert!(e.contains("started"), "{e}");
        let e = load(&EXAMPLE.replace("problem_late = -1", "problem_late = 1")).unwrap_err();
        assert!(e.contains("problem_late"), "{e}");
        let e = load("id = 3").unwrap_err();
        assert!(e.contains("第 1 行"), "{e}");
    }

    #[test]
    fn stalled_after_the_stage_limit() {
        let r = load(EXAMPLE).unwrap();
        let max = r.stage("signed").unwrap().max_days.unwrap();
        let since = day("2026-01-01");
        assert!(
            r.stalled("signed", since, since + chrono::Days::new(max as u64))
                .is_none()
        );
        let why = r
            .stalled("signed", since, since + chrono::Days::new(max as u64 + 1))
            .unwrap();
        assert!(why.contains("签约阶段已"), "{why}");
        assert!(r.stalled("full_capacity", since, day("2030-01-01")).is_none());
    }

    #[test]
    fn problems_escalate_to_the_leader() {
        let rule = ProblemRule {
            warn_days: 3,
            escalate_after_days: 7,
        };
        let d = day("2026-11-10");
        assert_eq!(
            problem_state(&rule, d, None, "张三", day("2026-11-01")).0,
            ProblemState::Open
        );
        assert_eq!(
            problem_state(&rule, d, None, "张三", day("2026-11-08")).0,
            ProblemState::DueSoon
        );
        assert_eq!(
            problem_state(&rule, d, None, "张三", day("2026-11-12")).0,
            ProblemState::Overdue
        );
        let (s, why) = problem_state(&rule, d, None, "张三", day("2026-11-20"));
        assert_eq!(s, ProblemState::Escalated);
        assert!(why.contains("升级至张三"), "{why}");
        let (s, why) = problem_state(&rule, d, Some(day("2026-11-12")), "", day("2026-11-20"));
        assert_eq!(s, ProblemState::Resolved);
        assert!(why.contains("超期 2 天"), "{why}");
    }

    #[test]
    fn review_scores_and_vetoes() {
        let r = load(EXAMPLE).unwrap();
        let all: Vec<String> = r.admission.checklist.iter().map(|c| c.key.clone()).collect();
        let good = review(&r.admission, Some("3976"), &all);
        assert_eq!(good.suggested, "admit");
        assert!(good.lines[0].contains("符合产业规划"), "{:?}", good.lines);
        let negative = r.admission.negative[0].prefix.clone();
        let bad = review(&r.admission, Some(&format!("{negative}1")), &all);
        assert!(bad.vetoed);
        assert_eq!(bad.suggested, "reject");
        let none = review(&r.admission, Some("3976"), &[]);
        assert_eq!(none.suggested, "reject");
    }

    #[test]
    fn scores_are_explained_and_ranked() {
        let r = load(EXAMPLE).unwrap();
        let p = ProjectFacts {
            code: "P1".into(),
            name: "甲".into(),
            department: Some("投资促进局".into()),
            officer: "李四".into(),
            total_investment: 250_000_000 * 100,
            signed_in_period: true,
            started_in_period: true,
            producing_in_period: false,
            investment_in_period: 50_000_000 * 100,
        };
        let q = ProblemFacts {
            project: "甲".into(),
            title: "用电".into(),
            department: Some("经济发展局".into()),
            deadline: day("2026-03-01"),
            resolved_on: None,
        };
        let (d, o) = scores(&r.scores, &[p], &[q], day("2026-06-30"));
        assert_eq!(d.len(), 2);
        assert_eq!(o[0].name, "李四");
        let top = &d[0];
        assert_eq!(top.name, "投资促进局");
        assert_eq!(
            top.total,
            Decimal::new(25, 1) * r.scores.signed_per_yi
                + r.scores.started
                + Decimal::new(5, 1) * r.scores.investment_per_yi
        );
        assert!(top.lines[0].text.contains("总投资 2.5 亿元"), "{:?}", top.lines);
        assert!(d[1].lines[0].text.contains("期末仍逾期 121 天"), "{:?}", d[1].lines);
    }

    #[test]
    fn periods() {
        assert_eq!(period("2026h2").unwrap(), (day("2026-07-01"), day("2026-12-31")));
        assert!(period("2026Q1").is_err());
    }
}
