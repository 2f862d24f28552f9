//! Importing the registry and annual data from .xlsx / .csv: every cell validated, a preview
//! of new / changed / unchanged rows with the changes field by field, and an all-or-nothing
//! commit in one audited transaction. Used by the import pages and by
//! `gaoxin enterprise import` / `gaoxin annual import`.

use std::collections::{HashMap, HashSet};

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;

use super::annual_entity as annual;
use super::carrier_entity as carrier;
use super::domain::{
    ANNUAL_COLUMNS, AnnualRecord, ENTERPRISE_COLUMNS, EnterpriseRecord, Scale, Status, parse_annual, parse_enterprise,
    tags_from_column, tags_to_column,
};
use super::entity as enterprise;
use super::status::{CarrierKind, ChangeKind};
use gaoxin_core::quantity::{Fixed, Mu, Tonnes, Wan};
use gaoxin_platform::audit::{EntityOf, ModelOf, WriteContext, Writer, ZoneRow, ZoneScoped};
use gaoxin_platform::db::Db;
use gaoxin_platform::error::AppError;
use gaoxin_platform::settings;
use gaoxin_platform::spreadsheet::{self, ColumnSpec, ImportError, Located};

/// One changed field of a row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub column: String,
    pub before: String,
    pub after: String,
}

/// A row that would be added or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RowChange {
    pub row: u32,
    /// A [`ChangeKind`] code: `new` or `changed`.
    pub kind: String,
    pub key: String,
    pub name: String,
    pub fields: Vec<FieldChange>,
}

impl RowChange {
    /// Whether the row adds an entry (else it changes one).
    pub fn is_new(&self) -> bool {
        ChangeKind::of(&self.kind) == Some(ChangeKind::New)
    }
}

/// What an import found (and, when committed, did).
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub file: String,
    pub sheet: String,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub errors: Vec<ImportError>,
    /// Headers of the file that no column of the template matches (ignored).
    pub unknown_columns: Vec<String>,
    /// Carriers the import creates.
    pub new_carriers: Vec<String>,
    /// The rows that change, first [`MAX_LISTED_CHANGES`] of them.
    pub changes: Vec<RowChange>,
    pub committed: bool,
}

pub const MAX_LISTED_CHANGES: usize = 2000;

/// Whether rows whose key exists already are updated (是否更新已经存在的数据).
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    pub update_existing: bool,
    pub dry_run: bool,
}

fn row_errors(
    located: &Located,
    row: &spreadsheet::Row,
    specs: &[ColumnSpec],
    problems: Vec<(&'static str, String)>,
) -> Vec<ImportError> {
    problems
        .into_iter()
        .map(|(key, reason)| located.error(row, key, specs, reason))
        .collect()
}

fn show<const S: u32>(v: Option<Fixed<S>>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn show_opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// The record as the template shows it, column by column (what the diff compares).
pub fn enterprise_cells(r: &EnterpriseRecord) -> Vec<(&'static str, String)> {
    vec![
        ("企业名称", r.name.clone()),
        ("统一社会信用代码", r.uscc.clone()),
        ("行业代码", show_opt(&r.industry_code)),
        (
            "注册日期",
            r.registered_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        ),
        ("注册地址", show_opt(&r.registered_address)),
        ("法定代表人", show_opt(&r.legal_representative)),
        ("企业负责人", show_opt(&r.principal)),
        ("联系电话", show_opt(&r.phone)),
        ("财务负责人", show_opt(&r.finance_officer)),
        ("用地面积(亩)", show(r.land_area)),
        ("从业人员数", show_opt(&r.employees)),
        ("主导产业", show_opt(&r.leading_industry)),
        ("所属载体", show_opt(&r.carrier)),
        ("企业规模", r.scale.map(|s| s.label().to_string()).unwrap_or_default()),
        ("经营状态", r.status.label().to_string()),
        ("标签", r.tags.join("、")),
        ("服务专员", show_opt(&r.service_officer)),
    ]
}

/// A stored enterprise as a record (carrier id resolved to its name).
pub fn record_of(e: &enterprise::Model, carriers: &HashMap<i64, String>) -> EnterpriseRecord {
    EnterpriseRecord {
        name: e.name.clone(),
        uscc: e.uscc.clone(),
        industry_code: e.industry_code.clone(),
        registered_on: e.registered_on,
        registered_address: e.registered_address.clone(),
        legal_representative: e.legal_representative.clone(),
        principal: e.principal.clone(),
        phone: e.phone.clone(),
        finance_officer: e.finance_officer.clone(),
        land_area: e.land_area.map(Fixed),
        employees: e.employees,
        leading_industry: e.leading_industry.clone(),
        carrier: e.carrier_id.and_then(|id| carriers.get(&id).cloned()),
        scale: e.scale.as_deref().and_then(Scale::parse),
        status: Status::parse(&e.status).unwrap_or_default(),
        tags: tags_from_column(e.tags.as_deref()),
        service_officer: e.service_officer.clone(),
    }
}

fn diff(before: &[(&'static str, String)], after: &[(&'static str, String)]) -> Vec<FieldChange> {
    before
        .iter()
        .zip(after)
        .filter(|((_, b), (_, a))| a != b)
        .map(|((column, b), (_, a))| FieldChange {
            column: column.to_string(),
            before: b.clone(),
            after: a.clone(),
        })
        .collect()
}

/// Sets every registry field of an active model from a record.
pub fn apply_record(active: &mut enterprise::ActiveModel, r: &EnterpriseRecord, carrier_id: Option<i64>) {
    active.name = Set(r.name.clone());
    active.uscc = Set(r.uscc.clone());
    active.industry_code = Set(r.industry_code.clone());
    active.registered_on = Set(r.registered_on);
    active.registered_address = Set(r.registered_address.clone());
    active.legal_representative = Set(r.legal_representative.clone());
    active.principal = Set(r.principal.clone());
    active.phone = Set(r.phone.clone());
    active.finance_officer = Set(r.finance_officer.clone());
    active.land_area = Set(r.land_area.map(|m: Mu| m.0));
    active.employees = Set(r.employees);
    active.leading_industry = Set(r.leading_industry.clone());
    active.carrier_id = Set(carrier_id);
    active.scale = Set(r.scale.map(|s| s.code().to_string()));
    active.status = Set(r.status.code().to_string());
    active.tags = Set(tags_to_column(&r.tags));
    active.service_officer = Set(r.service_officer.clone());
}

async fn carriers_of(db: &Db, zone_id: i64) -> Result<Vec<carrier::Model>, AppError> {
    Ok(carrier::Entity::find()
        .filter(carrier::Column::ZoneId.eq(zone_id))
        .all(db.conn())
        .await?)
}

/// Reads the file and starts its report; on a file-level problem, the report says so.
async fn open(
    db: &Db,
    zone_id: i64,
    file_name: &str,
    bytes: &[u8],
    specs: &[ColumnSpec],
) -> Result<(Located, ImportReport), Box<ImportReport>> {
    let fail = |errors: Vec<ImportError>| {
        Box::new(ImportReport {
            file: file_name.to_string(),
            errors,
            ..Default::default()
        })
    };
    let sheets = settings::read_upload(db.conn(), zone_id, file_name, bytes)
        .await
        .map_err(|reason| {
            fail(vec![ImportError {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                value: String::new(),
                reason,
            }])
        })?;
    let located = spreadsheet::locate(sheets, specs).map_err(fail)?;
    let report = ImportReport {
        file: file_name.to_string(),
        sheet: located.sheet.name.clone(),
        unknown_columns: located.unknown_columns.clone(),
        ..Default::default()
    };
    Ok((located, report))
}

/// Imports the enterprise registry (upsert by 统一社会信用代码). Returns the report and, when
/// there were cell errors, the user's file annotated with them.
pub async fn import_enterprises(
    db: &Db,
    ctx: WriteContext,
    file_name: &str,
    bytes: &[u8],
    options: ImportOptions,
) -> Result<(ImportReport, Option<Vec<u8>>), AppError> {
    let zone_id = ctx
        .zone_id
        .ok_or_else(|| AppError::BadRequest("导入需要指定开发区".into()))?;
    let (located, mut report) = match open(db, zone_id, file_name, bytes, ENTERPRISE_COLUMNS).await {
        Ok(opened) => opened,
        Err(report) => return Ok((*report, None)),
    };
    let carriers = carriers_of(db, zone_id).await?;
    let carrier_names: HashMap<i64, String> = carriers.iter().map(|c| (c.id, c.name.clone())).collect();
    let mut carrier_ids: HashMap<String, i64> = carriers.iter().map(|c| (c.name.clone(), c.id)).collect();
    let existing: HashMap<String, enterprise::Model> = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.uscc.clone(), e))
        .collect();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut planned: Vec<(EnterpriseRecord, Option<&enterprise::Model>)> = Vec::new();
    let mut new_carriers: Vec<String> = Vec::new();
    for row in &located.rows {
        let record = match parse_enterprise(&row.cells) {
            Ok(r) => r,
            Err(problems) => {
                report
                    .errors
                    .extend(row_errors(&located, row, ENTERPRISE_COLUMNS, problems));
                continue;
            }
        };
        if let Some(first) = seen.insert(record.uscc.clone(), row.row) {
            report.errors.push(located.error(
                row,
                "uscc",
                ENTERPRISE_COLUMNS,
                format!("与第 {first} 行的统一社会信用代码重复"),
            ));
            continue;
        }
        if let Some(name) = &record.carrier
            && !carrier_ids.contains_key(name)
            && !new_carriers.contains(name)
        {
            new_carriers.push(name.clone());
        }
        let before = existing.get(&record.uscc);
        let after_cells = enterprise_cells(&record);
        match before {
            None => {
                report.new += 1;
                if report.changes.len() < MAX_LISTED_CHANGES {
                    report.changes.push(RowChange {
                        row: row.row,
                        kind: ChangeKind::New.code().into(),
                        key: record.uscc.clone(),
                        name: record.name.clone(),
                        fields: Vec::new(),
                    });
                }
                planned.push((record, None));
            }
            Some(model) => {
                let fields = diff(&enterprise_cells(&record_of(model, &carrier_names)), &after_cells);
                if fields.is_empty() || !options.update_existing {
                    report.unchanged += 1;
                } else {
                    report.changed += 1;
                    if report.changes.len() < MAX_LISTED_CHANGES {
                        report.changes.push(RowChange {
                            row: row.row,
                            kind: ChangeKind::Changed.code().into(),
                            key: record.uscc.clone(),
                            name: record.name.clone(),
                            fields,
                        });
                    }
                    planned.push((record, Some(model)));
                }
            }
        }
    }
    report.new_carriers = new_carriers.clone();
    if !report.errors.is_empty() {
        let annotated = spreadsheet::annotated_copy(&located, &report.errors, ENTERPRISE_COLUMNS).ok();
        return Ok((report, annotated));
    }
    if options.dry_run || planned.is_empty() {
        return Ok((report, None));
    }
    let mut writer = Writer::begin(db, ctx).await?;
    for name in new_carriers {
        let created = writer
            .insert_in_zone(carrier::ActiveModel {
                name: Set(name.clone()),
                kind: Set(CarrierKind::Building.code().into()),
                address: Set(None),
                ..Default::default()
            })
            .await?;
        carrier_ids.insert(name, created.id);
    }
    let mut inserts = Vec::new();
    for (record, before) in &planned {
        let carrier_id = record.carrier.as_ref().and_then(|n| carrier_ids.get(n).copied());
        match before {
            None => {
                let mut active = <enterprise::ActiveModel as Default>::default();
                apply_record(&mut active, record, carrier_id);
                inserts.push(active);
            }
            Some(model) => {
                let mut active = (*model).clone().into_active_model();
                apply_record(&mut active, record, carrier_id);
                writer.update_in_zone(*model, active).await?;
            }
        }
    }
    writer.insert_many_in_zone(inserts).await?;
    writer
        .event(
            "import",
            "enterprise",
            file_name,
            Some(serde_json::json!({"file": file_name, "new": report.new, "changed": report.changed, "unchanged": report.unchanged})),
        )
        .await?;
    writer.commit().await?;
    report.committed = true;
    Ok((report, None))
}

fn annual_cells(r: &AnnualRecord) -> Vec<(&'static str, String)> {
    vec![
        ("营业收入(万元)", show(r.revenue)),
        ("工业总产值(万元)", show(r.gross_output)),
        ("工业增加值(万元)", show(r.value_added)),
        ("税收(万元)", show(r.tax)),
        ("研发经费(万元)", show(r.rd_expense)),
        ("综合能耗(吨标准煤)", show(r.energy)),
        ("化学需氧量排放(吨)", show(r.cod)),
        ("氨氮排放(吨)", show(r.ammonia)),
        ("二氧化硫排放(吨)", show(r.sulfur_dioxide)),
        ("氮氧化物排放(吨)", show(r.nitrogen_oxides)),
        ("用电量(万千瓦时)", show(r.electricity)),
        ("研发人员数", show_opt(&r.rd_staff)),
        ("科技人员数", show_opt(&r.tech_staff)),
        ("高新技术产品收入(万元)", show(r.hitech_revenue)),
        ("有效发明专利数", show_opt(&r.invention_patents)),
    ]
}

pub fn annual_record_of(a: &annual::Model, uscc: &str) -> AnnualRecord {
    AnnualRecord {
        uscc: uscc.to_string(),
        year: a.year,
        revenue: a.revenue.map(Fixed),
        gross_output: a.gross_output.map(Fixed),
        value_added: a.value_added.map(Fixed),
        tax: a.tax.map(Fixed),
        rd_expense: a.rd_expense.map(Fixed),
        energy: a.energy.map(Fixed),
        cod: a.cod.map(Fixed),
        ammonia: a.ammonia.map(Fixed),
        sulfur_dioxide: a.sulfur_dioxide.map(Fixed),
        nitrogen_oxides: a.nitrogen_oxides.map(Fixed),
        electricity: a.electricity.map(Fixed),
        rd_staff: a.rd_staff,
        tech_staff: a.tech_staff,
        hitech_revenue: a.hitech_revenue.map(Fixed),
        invention_patents: a.invention_patents,
    }
}

/// A value present in the import replaces the stored one; an empty cell keeps what is stored
/// (an empty cell says "not in this file", not "zero").
fn merge(stored: &AnnualRecord, incoming: &AnnualRecord) -> AnnualRecord {
    fn pick<T: Copy>(new: Option<T>, old: Option<T>) -> Option<T> {
        new.or(old)
    }
    AnnualRecord {
        uscc: incoming.uscc.clone(),
        year: incoming.year,
        revenue: pick(incoming.revenue, stored.revenue),
        gross_output: pick(incoming.gross_output, stored.gross_output),
        value_added: pick(incoming.value_added, stored.value_added),
        tax: pick(incoming.tax, stored.tax),
        rd_expense: pick(incoming.rd_expense, stored.rd_expense),
        energy: pick(incoming.energy, stored.energy),
        cod: pick(incoming.cod, stored.cod),
        ammonia: pick(incoming.ammonia, stored.ammonia),
        sulfur_dioxide: pick(incoming.sulfur_dioxide, stored.sulfur_dioxide),
        nitrogen_oxides: pick(incoming.nitrogen_oxides, stored.nitrogen_oxides),
        electricity: pick(incoming.electricity, stored.electricity),
        rd_staff: pick(incoming.rd_staff, stored.rd_staff),
        tech_staff: pick(incoming.tech_staff, stored.tech_staff),
        hitech_revenue: pick(incoming.hitech_revenue, stored.hitech_revenue),
        invention_patents: pick(incoming.invention_patents, stored.invention_patents),
    }
}

fn apply_annual(active: &mut annual::ActiveModel, r: &AnnualRecord) {
    let raw6 = |v: Option<Wan>| v.map(|v| v.0);
    let raw3 = |v: Option<Tonnes>| v.map(|v| v.0);
    active.year = Set(r.year);
    active.revenue = Set(raw6(r.revenue));
    active.gross_output = Set(raw6(r.gross_output));
    active.value_added = Set(raw6(r.value_added));
    active.tax = Set(raw6(r.tax));
    active.rd_expense = Set(raw6(r.rd_expense));
    active.energy = Set(raw3(r.energy));
    active.cod = Set(raw3(r.cod));
    active.ammonia = Set(raw3(r.ammonia));
    active.sulfur_dioxide = Set(raw3(r.sulfur_dioxide));
    active.nitrogen_oxides = Set(raw3(r.nitrogen_oxides));
    active.electricity = Set(r.electricity.map(|v| v.0));
    active.rd_staff = Set(r.rd_staff);
    active.tech_staff = Set(r.tech_staff);
    active.hitech_revenue = Set(raw6(r.hitech_revenue));
    active.invention_patents = Set(r.invention_patents);
}

/// Where each value came from, stored compactly as `{"导入 年报.xlsx（王建国）": ["revenue", "tax"]}`
/// (one label per import, the fields it supplied); fields a newer import supplies move to
/// its label.
fn sources(previous: Option<&str>, incoming: &AnnualRecord, label: &str) -> Option<String> {
    let mut groups: serde_json::Map<String, serde_json::Value> =
        previous.and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
    let keys = ANNUAL_COLUMNS.iter().skip(2).map(|c| c.key);
    let supplied: Vec<&str> = keys
        .zip(annual_cells(incoming))
        .filter(|(_, (_, value))| !value.is_empty())
        .map(|(key, _)| key)
        .collect();
    if supplied.is_empty() {
        return previous.map(str::to_string);
    }
    for fields in groups.values_mut() {
        if let Some(list) = fields.as_array_mut() {
            list.retain(|f| !f.as_str().is_some_and(|f| supplied.contains(&f)));
        }
    }
    groups.retain(|_, fields| fields.as_array().is_some_and(|l| !l.is_empty()));
    groups.insert(label.to_string(), serde_json::json!(supplied));
    Some(serde_json::Value::Object(groups).to_string())
}

/// The stored sources as field → label.
pub fn source_by_field(stored: &str) -> serde_json::Map<String, serde_json::Value> {
    let groups: serde_json::Map<String, serde_json::Value> = serde_json::from_str(stored).unwrap_or_default();
    let mut out = serde_json::Map::new();
    for (label, fields) in groups {
        for field in fields.as_array().into_iter().flatten().filter_map(|f| f.as_str()) {
            out.insert(field.to_string(), serde_json::Value::String(label.clone()));
        }
    }
    out
}

/// A sheet of yearly figures, one row per enterprise and year (annual data, innovation data):
/// what the shared import needs to know of it.
pub trait YearlySheet {
    type Record: Clone;
    type Active: ZoneRow;
    /// The template's columns; the first two are 统一社会信用代码 and 年度.
    const COLUMNS: &'static [ColumnSpec];
    /// The audited entity name of the rows (the import's audit event names it).
    const ENTITY: &'static str;
    fn parse(cells: &HashMap<&str, gaoxin_core::tabular::Cell>) -> Result<Self::Record, Vec<(&'static str, String)>>;
    fn key(r: &Self::Record) -> (&str, i32);
    /// (enterprise id, year) of a stored row.
    fn stored_key(m: &ModelOf<Self::Active>) -> (i64, i32);
    /// The figures of a record, as shown in the preview (header, value).
    fn cells(r: &Self::Record) -> Vec<(&'static str, String)>;
    fn record_of(m: &ModelOf<Self::Active>, uscc: &str) -> Self::Record;
    /// A value present in the import replaces the stored one; an empty cell keeps what is
    /// stored (an empty cell says "not in this file", not "zero").
    fn merge(stored: &Self::Record, incoming: &Self::Record) -> Self::Record;
    /// A new row for the merged record (`incoming` is what the file supplied; `label` names
    /// the import, for sheets that keep where each value came from).
    fn create(enterprise_id: i64, incoming: &Self::Record, merged: &Self::Record, label: &str) -> Self::Active;
    fn update(
        model: &ModelOf<Self::Active>,
        incoming: &Self::Record,
        merged: &Self::Record,
        label: &str,
    ) -> Self::Active;
}

/// The annual data (年度数据).
pub struct AnnualSheet;

impl YearlySheet for AnnualSheet {
    type Record = AnnualRecord;
    type Active = annual::ActiveModel;
    const COLUMNS: &'static [ColumnSpec] = ANNUAL_COLUMNS;
    const ENTITY: &'static str = "annual_data";

    fn parse(cells: &HashMap<&str, gaoxin_core::tabular::Cell>) -> Result<AnnualRecord, Vec<(&'static str, String)>> {
        parse_annual(cells)
    }

    fn key(r: &AnnualRecord) -> (&str, i32) {
        (&r.uscc, r.year)
    }

    fn stored_key(m: &annual::Model) -> (i64, i32) {
        (m.enterprise_id, m.year)
    }

    fn cells(r: &AnnualRecord) -> Vec<(&'static str, String)> {
        annual_cells(r)
    }

    fn record_of(m: &annual::Model, uscc: &str) -> AnnualRecord {
        annual_record_of(m, uscc)
    }

    fn merge(stored: &AnnualRecord, incoming: &AnnualRecord) -> AnnualRecord {
        merge(stored, incoming)
    }

    fn create(enterprise_id: i64, incoming: &AnnualRecord, merged: &AnnualRecord, label: &str) -> annual::ActiveModel {
        let mut active = annual::ActiveModel {
            enterprise_id: Set(enterprise_id),
            sources_json: Set(sources(None, incoming, label)),
            ..Default::default()
        };
        apply_annual(&mut active, merged);
        active
    }

    fn update(
        model: &annual::Model,
        incoming: &AnnualRecord,
        merged: &AnnualRecord,
        label: &str,
    ) -> annual::ActiveModel {
        let mut active = model.clone().into_active_model();
        apply_annual(&mut active, merged);
        active.sources_json = Set(sources(model.sources_json.as_deref(), incoming, label));
        active
    }
}

/// Imports annual data (one row per enterprise and year, upsert by 统一社会信用代码 + 年度).
pub async fn import_annual(
    db: &Db,
    ctx: WriteContext,
    file_name: &str,
    bytes: &[u8],
    options: ImportOptions,
) -> Result<(ImportReport, Option<Vec<u8>>), AppError> {
    import_yearly::<AnnualSheet>(db, ctx, file_name, bytes, options).await
}

/// Imports a yearly sheet: upsert by 统一社会信用代码 + 年度, all or nothing.
pub async fn import_yearly<S: YearlySheet>(
    db: &Db,
    ctx: WriteContext,
    file_name: &str,
    bytes: &[u8],
    options: ImportOptions,
) -> Result<(ImportReport, Option<Vec<u8>>), AppError> {
    let zone_id = ctx
        .zone_id
        .ok_or_else(|| AppError::BadRequest("导入需要指定开发区".into()))?;
    let (located, mut report) = match open(db, zone_id, file_name, bytes, S::COLUMNS).await {
        Ok(opened) => opened,
        Err(report) => return Ok((*report, None)),
    };
    let enterprises: HashMap<String, (i64, String)> = enterprise::Entity::find()
        .filter(enterprise::Column::ZoneId.eq(zone_id))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.uscc, (e.id, e.name)))
        .collect();
    let zone_column = <EntityOf<S::Active> as ZoneScoped>::zone_column();
    let existing: HashMap<(i64, i32), ModelOf<S::Active>> = <EntityOf<S::Active> as EntityTrait>::find()
        .filter(zone_column.eq(zone_id))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|a| (S::stored_key(&a), a))
        .collect();
    let label = format!("导入 {file_name}（{}）", ctx.actor_name);
    let mut seen: HashSet<(String, i32)> = HashSet::new();
    type Planned<'a, S> = (
        i64,
        <S as YearlySheet>::Record,
        <S as YearlySheet>::Record,
        Option<&'a ModelOf<<S as YearlySheet>::Active>>,
    );
    let mut planned: Vec<Planned<S>> = Vec::new();
    for row in &located.rows {
        let record = match S::parse(&row.cells) {
            Ok(r) => r,
            Err(problems) => {
                report.errors.extend(row_errors(&located, row, S::COLUMNS, problems));
                continue;
            }
        };
        let (uscc, year) = S::key(&record);
        let Some((enterprise_id, name)) = enterprises.get(uscc) else {
            report.errors.push(located.error(
                row,
                "uscc",
                S::COLUMNS,
                "企业库中没有这个统一社会信用代码：请先导入企业",
            ));
            continue;
        };
        if !seen.insert((uscc.to_string(), year)) {
            report
                .errors
                .push(located.error(row, "year", S::COLUMNS, "同一企业同一年度在文件中出现了两次"));
            continue;
        }
        let before = existing.get(&(*enterprise_id, year));
        let stored = before.map(|b| S::record_of(b, uscc));
        let merged = match &stored {
            Some(s) => S::merge(s, &record),
            None => record.clone(),
        };
        let key = format!("{uscc} {year}");
        match &stored {
            None => {
                report.new += 1;
                if report.changes.len() < MAX_LISTED_CHANGES {
                    report.changes.push(RowChange {
                        row: row.row,
                        kind: ChangeKind::New.code().into(),
                        key,
                        name: name.clone(),
                        fields: Vec::new(),
                    });
                }
                planned.push((*enterprise_id, record, merged, None));
            }
            Some(s) => {
                let fields = diff(&S::cells(s), &S::cells(&merged));
                if fields.is_empty() || !options.update_existing {
                    report.unchanged += 1;
                } else {
                    report.changed += 1;
                    if report.changes.len() < MAX_LISTED_CHANGES {
                        report.changes.push(RowChange {
                            row: row.row,
                            kind: ChangeKind::Changed.code().into(),
                            key,
                            name: name.clone(),
                            fields,
                        });
                    }
                    planned.push((*enterprise_id, record, merged, before));
                }
            }
        }
    }
    if !report.errors.is_empty() {
        let annotated = spreadsheet::annotated_copy(&located, &report.errors, S::COLUMNS).ok();
        return Ok((report, annotated));
    }
    if options.dry_run || planned.is_empty() {
        return Ok((report, None));
    }
    let mut writer = Writer::begin(db, ctx).await?;
    let mut inserts = Vec::new();
    for (enterprise_id, incoming, merged, before) in &planned {
        match before {
            None => inserts.push(S::create(*enterprise_id, incoming, merged, &label)),
            Some(model) => {
                writer
                    .update_in_zone(*model, S::update(model, incoming, merged, &label))
                    .await?;
            }
        }
    }
    writer.insert_many_in_zone(inserts).await?;
    writer
        .event(
            "import",
            S::ENTITY,
            file_name,
            Some(serde_json::json!({"file": file_name, "new": report.new, "changed": report.changed, "unchanged": report.unchanged})),
        )
        .await?;
    writer.commit().await?;
    report.committed = true;
    Ok((report, None))
}
