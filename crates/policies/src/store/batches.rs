//! Payment batches (免申即享): creating a draft from the policies in use, filling it with
//! award lines and approved applications, excluding lines, recomputing, discarding, and the
//! status workflow (draft → submitted → approved, or returned to draft). Every change checks
//! the batch's status first.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::computing::compute_with;
use super::versions::{active_versions, used_versions};
use crate::application_entity::{self as application, Model as Application};
use crate::batch_entity::{self as batch, Model as Batch};
use crate::compute::{self, Computed};
use crate::line_entity::{self as line, Model as Line};
use crate::status::{ApplicationStatus, BatchStatus};
use crate::version_entity::{self as version, Model as Version};
use gaoxin_platform::audit::Writer;
use gaoxin_platform::auth::Scope;
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::web::PageParams;
use gaoxin_rules::eval::Explanation;

/// The identity of an award line across runs.
pub type LineKey = (i64, Option<i64>, String, String);

pub(super) fn key_of(l: &Line) -> LineKey {
    (l.enterprise_id, l.event_id, l.policy_id.clone(), l.award_id.clone())
}

pub(super) fn key_of_computed(l: &compute::Line) -> LineKey {
    (l.enterprise_id, l.event_id, l.policy.clone(), l.award.clone())
}

pub async fn list_batches(db: &Db, scope: &Scope, p: &PageParams) -> Result<(Vec<Batch>, u64), AppError> {
    let q = scope.select::<batch::Entity>();
    let total = q.clone().count(db.conn()).await?;
    let rows = q
        .order_by_desc(batch::Column::Id)
        .offset(p.offset())
        .limit(p.per_page())
        .all(db.conn())
        .await?;
    Ok((rows, total))
}

pub async fn get_batch<C: ConnectionTrait>(conn: &C, zone_id: i64, id: i64) -> Result<Batch, AppError> {
    batch::Entity::find_by_id(id)
        .filter(batch::Column::ZoneId.eq(zone_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn batch_lines<C: ConnectionTrait>(conn: &C, zone_id: i64, batch_id: i64) -> Result<Vec<Line>, AppError> {
    Ok(line::Entity::find()
        .filter(line::Column::ZoneId.eq(zone_id))
        .filter(line::Column::BatchId.eq(batch_id))
        .order_by_asc(line::Column::Id)
        .all(conn)
        .await?)
}

/// Runs the 免申即享 awards of the active policies for `year` into a new draft batch. Awards an
/// approved batch of the same year already paid are left out.
pub async fn create_batch(
    writer: &mut Writer,
    zone_id: i64,
    year: i32,
    title: &str,
    created_by: i64,
) -> Result<Batch, AppError> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::field("year", "年度应在 2000–2100 之间"));
    }
    let open = batch::Entity::find()
        .filter(batch::Column::ZoneId.eq(zone_id))
        .filter(batch::Column::Year.eq(year))
        .filter(batch::Column::Status.ne(BatchStatus::Approved.code()))
        .one(writer.read())
        .await?;
    if let Some(b) = open {
        return Err(AppError::Conflict(format!(
            "{year} 年度已有未完成的批次 #{}（{}）：请先完成审批或在其中重新计算",
            b.id, b.title
        )));
    }
    let versions: Vec<Version> = active_versions(writer.read(), zone_id)
        .await?
        .into_iter()
        .filter(|v| {
            v.effective_from <= chrono::NaiveDate::from_ymd_opt(year, 12, 31).expect("a year")
                && v.effective_to
                    .is_none_or(|to| to >= chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("a year"))
        })
        .collect();
    if versions.is_empty() {
        return Err(AppError::BadRequest(format!("没有在 {year} 年有效的已启用政策")));
    }
    let (_, computed) = compute_with(writer.read(), zone_id, year, &versions).await?;
    let title = if title.trim().is_empty() {
        format!("{year} 年度免申即享兑现")
    } else {
        gaoxin_core::validate::required_text("title", "批次名称", title, 200)?
    };
    let used = used_versions(&versions);
    let created = writer
        .insert_in_zone(batch::ActiveModel {
            year: Set(year),
            title: Set(title),
            status: Set(BatchStatus::Draft.code().into()),
            policy_versions: Set(serde_json::to_string(&used).expect("versions serialise")),
            input_hash: Set(computed.input_hash.clone()),
            line_count: Set(0),
            total: Set(0),
            created_by: Set(created_by),
            ..Default::default()
        })
        .await?;
    let filled = fill_batch(writer, &created, computed, &HashMap::new()).await?;
    if filled.line_count == 0 {
        // The caller's transaction is dropped: nothing of the empty batch is saved.
        return Err(AppError::Conflict(format!(
            "{year} 年度没有可兑现的奖励（没有满足条件的免申即享奖励，也没有已批准未兑现的申请），未生成批次"
        )));
    }
    Ok(filled)
}

/// Discards a draft: its lines and itself (audited); approved applications it carried are free
/// to join the next batch.
pub async fn discard_batch(writer: &mut Writer, b: &Batch) -> Result<(), AppError> {
    must_be(b, BatchStatus::Draft, "作废")?;
    for l in batch_lines(writer.read(), b.zone_id, b.id).await? {
        writer.delete_in_zone(l).await?;
    }
    for a in applications_for_batch(writer.read(), b.zone_id, b.year, b.id).await? {
        if a.batch_id == Some(b.id) {
            let mut m = a.clone().into_active_model();
            m.batch_id = Set(None);
            writer.update_in_zone(&a, m).await?;
        }
    }
    writer.delete_in_zone(b.clone()).await?;
    Ok(())
}

/// The award lines a batch is filled with, counted as they are added: how many, and the total
/// of those not excluded.
struct NewLines<'a> {
    /// Exclusions to keep, by line key, with their reasons.
    excluded: &'a HashMap<LineKey, String>,
    rows: Vec<line::ActiveModel>,
    count: i64,
    total: i64,
}

impl NewLines<'_> {
    /// Adds a line; it stays excluded (with its reason) when its key was excluded before.
    fn push(&mut self, key: &LineKey, amount: i64, mut row: line::ActiveModel) {
        let reason = self.excluded.get(key).cloned();
        self.count += 1;
        if reason.is_none() {
            self.total += amount;
        }
        row.excluded = Set(reason.is_some());
        row.exclude_reason = Set(reason);
        self.rows.push(row);
    }
}

/// Inserts the computed 免申即享 lines into the batch (keeping given exclusions by key) and
/// updates its count, total and input hash.
async fn fill_batch(
    writer: &mut Writer,
    b: &Batch,
    computed: Computed,
    excluded: &HashMap<LineKey, String>,
) -> Result<Batch, AppError> {
    let paid_this_year = paid_keys(writer.read(), b.zone_id, b.year, Some(b.id)).await?;
    let mut lines = NewLines {
        excluded,
        rows: Vec::new(),
        count: 0,
        total: 0,
    };
    for l in computed.lines.iter().filter(|l| l.without_application) {
        let key = key_of_computed(l);
        if paid_this_year.contains(&key) {
            continue;
        }
        lines.push(
            &key,
            l.amount,
            line::ActiveModel {
                batch_id: Set(b.id),
                enterprise_id: Set(l.enterprise_id),
                event_id: Set(l.event_id),
                policy_id: Set(l.policy.clone()),
                policy_version_id: Set(l.version_id),
                award_id: Set(l.award.clone()),
                award_name: Set(l.award_name.chars().take(200).collect()),
                article_id: Set(l.article.chars().take(200).collect()),
                amount: Set(l.amount),
                explanation: Set(serde_json::to_string(&l.explanation).expect("an explanation serialises")),
                application_id: Set(None),
                ..Default::default()
            },
        );
    }
    add_applications(writer, b, &mut lines).await?;
    let (count, total) = (lines.count, lines.total);
    writer.insert_many_in_zone(lines.rows).await?;
    let mut a = b.clone().into_active_model();
    a.line_count = Set(count);
    a.total = Set(total);
    a.input_hash = Set(computed.input_hash);
    Ok(writer.update_in_zone(b, a).await?)
}

/// Approved applications (快申快享) of the year join the list, at the amount approved and
/// under the rule version that computed it; each one not yet carried by this batch is marked as
/// carried by it.
async fn add_applications(writer: &mut Writer, b: &Batch, lines: &mut NewLines<'_>) -> Result<(), AppError> {
    for a in applications_for_batch(writer.read(), b.zone_id, b.year, b.id).await? {
        let (Some(amount), Some(explanation)) = (a.amount, a.explanation.clone()) else {
            continue;
        };
        let note: Option<Explanation> = serde_json::from_str(&explanation).ok();
        let Some(version_id) = version::Entity::find()
            .filter(version::Column::ZoneId.eq(b.zone_id))
            .filter(version::Column::Version.eq(note.as_ref().map(|n| n.version.clone()).unwrap_or_default()))
            .one(writer.read())
            .await?
            .map(|v| v.id)
        else {
            continue;
        };
        let key: LineKey = (a.enterprise_id, a.event_id, a.policy_id.clone(), a.award_id.clone());
        lines.push(
            &key,
            amount,
            line::ActiveModel {
                batch_id: Set(b.id),
                enterprise_id: Set(a.enterprise_id),
                event_id: Set(a.event_id),
                policy_id: Set(a.policy_id.clone()),
                policy_version_id: Set(version_id),
                award_id: Set(a.award_id.clone()),
                award_name: Set(note
                    .as_ref()
                    .map(|n| n.award_name.clone())
                    .unwrap_or_else(|| a.award_name.clone())),
                article_id: Set(note.as_ref().map(|n| n.article.clone()).unwrap_or_default()),
                amount: Set(amount),
                explanation: Set(explanation),
                application_id: Set(Some(a.id)),
                ..Default::default()
            },
        );
        if a.batch_id != Some(b.id) {
            let mut m = a.clone().into_active_model();
            m.batch_id = Set(Some(b.id));
            writer.update_in_zone(&a, m).await?;
        }
    }
    Ok(())
}

/// What approved batches of the year (other than `except`) already pay.
pub(super) async fn paid_keys<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    except: Option<i64>,
) -> Result<HashSet<LineKey>, AppError> {
    let approved: Vec<i64> = batch::Entity::find()
        .filter(batch::Column::ZoneId.eq(zone_id))
        .filter(batch::Column::Year.eq(year))
        .filter(batch::Column::Status.eq(BatchStatus::Approved.code()))
        .filter(batch::Column::Id.ne(except.unwrap_or(0)))
        .select_only()
        .column(batch::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    if approved.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(line::Entity::find()
        .filter(line::Column::ZoneId.eq(zone_id))
        .filter(line::Column::BatchId.is_in(approved))
        .filter(line::Column::Excluded.eq(false))
        .all(conn)
        .await?
        .iter()
        .map(key_of)
        .collect())
}

/// Refuses `what` unless the batch is in `status`.
fn must_be(b: &Batch, status: BatchStatus, what: &str) -> Result<(), AppError> {
    if BatchStatus::of(&b.status) != Some(status) {
        return Err(AppError::Conflict(format!(
            "批次 #{} 当前为“{}”，不能{what}",
            b.id,
            BatchStatus::label_of(&b.status)
        )));
    }
    Ok(())
}

/// Recomputes a draft with the policies in use now and today's data; exclusions are kept for
/// the lines that are still there.
pub async fn recompute_batch(writer: &mut Writer, b: &Batch) -> Result<Batch, AppError> {
    must_be(b, BatchStatus::Draft, "重新计算")?;
    let old = batch_lines(writer.read(), b.zone_id, b.id).await?;
    let excluded: HashMap<LineKey, String> = old
        .iter()
        .filter(|l| l.excluded)
        .map(|l| (key_of(l), l.exclude_reason.clone().unwrap_or_default()))
        .collect();
    let versions = active_versions(writer.read(), b.zone_id).await?;
    let (_, computed) = compute_with(writer.read(), b.zone_id, b.year, &versions).await?;
    for l in old {
        writer.delete_in_zone(l).await?;
    }
    let used = used_versions(&versions);
    let mut a = b.clone().into_active_model();
    a.policy_versions = Set(serde_json::to_string(&used).expect("versions serialise"));
    a.return_note = Set(None);
    let b = writer.update_in_zone(b, a).await?;
    fill_batch(writer, &b, computed, &excluded).await
}

/// Recounts a batch's lines and its total of those not excluded.
async fn set_total(writer: &mut Writer, b: &Batch) -> Result<Batch, AppError> {
    let lines = batch_lines(writer.read(), b.zone_id, b.id).await?;
    let total: i64 = lines.iter().filter(|l| !l.excluded).map(|l| l.amount).sum();
    let mut a = b.clone().into_active_model();
    a.total = Set(total);
    a.line_count = Set(lines.len() as i64);
    Ok(writer.update_in_zone(b, a).await?)
}

/// Excludes a line from a draft (with a reason) or puts it back (`reason` None).
pub async fn set_excluded(writer: &mut Writer, b: &Batch, l: &Line, reason: Option<&str>) -> Result<Batch, AppError> {
    must_be(b, BatchStatus::Draft, "修改明细")?;
    let mut a = l.clone().into_active_model();
    match reason {
        Some(r) => {
            let r = gaoxin_core::validate::required_text("reason", "剔除理由", r, 500)?;
            a.excluded = Set(true);
            a.exclude_reason = Set(Some(r));
        }
        None => {
            a.excluded = Set(false);
            a.exclude_reason = Set(None);
        }
    }
    writer.update_in_zone(l, a).await?;
    set_total(writer, b).await
}

pub async fn get_line<C: ConnectionTrait>(conn: &C, zone_id: i64, id: i64) -> Result<Line, AppError> {
    line::Entity::find_by_id(id)
        .filter(line::Column::ZoneId.eq(zone_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Moves a batch along its workflow by the code of the status it goes to (`submitted`,
/// `approved`, or `draft` to return it); any other code is refused. Callers that hold a
/// [`BatchStatus`] use [`move_batch`].
pub async fn transition(
    writer: &mut Writer,
    b: &Batch,
    to: &str,
    by: i64,
    note: Option<&str>,
) -> Result<Batch, AppError> {
    let to = BatchStatus::of(to).ok_or_else(|| AppError::BadRequest("未知的操作".into()))?;
    move_batch(writer, b, to, by, note).await
}

/// Moves a batch to `to`: a draft with lines is submitted for approval, a submitted batch is
/// approved (and locked) or returned to draft with a reason.
pub async fn move_batch(
    writer: &mut Writer,
    b: &Batch,
    to: BatchStatus,
    by: i64,
    note: Option<&str>,
) -> Result<Batch, AppError> {
    let mut a = b.clone().into_active_model();
    match to {
        BatchStatus::Submitted => {
            must_be(b, BatchStatus::Draft, "提交审批")?;
            if b.line_count == 0 {
                return Err(AppError::Conflict("批次没有明细，不能提交".into()));
            }
            a.submitted_by = Set(Some(by));
            a.return_note = Set(None);
        }
        BatchStatus::Approved => {
            must_be(b, BatchStatus::Submitted, "批准")?;
            a.approved_by = Set(Some(by));
            a.approved_at = Set(Some(writer.now()));
        }
        BatchStatus::Draft => {
            must_be(b, BatchStatus::Submitted, "退回")?;
            let note = gaoxin_core::validate::required_text("note", "退回理由", note.unwrap_or(""), 500)?;
            a.return_note = Set(Some(note));
        }
    }
    a.status = Set(to.code().into());
    Ok(writer.update_in_zone(b, a).await?)
}

/// Approved applications of the year that belong in this batch (not yet in another one).
pub async fn applications_for_batch<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    year: i32,
    batch_id: i64,
) -> Result<Vec<Application>, AppError> {
    Ok(application::Entity::find()
        .filter(application::Column::ZoneId.eq(zone_id))
        .filter(application::Column::Year.eq(year))
        .filter(application::Column::Status.eq(ApplicationStatus::Approved.code()))
        .order_by_asc(application::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter(|a| a.batch_id.is_none_or(|b| b == batch_id))
        .collect())
}
