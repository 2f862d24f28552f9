//! Zone settings (本区设置): values a zone's admin changes without a release — the upload
//! limits first. Each [`Setting`] is declared here with its label, unit, bounds and default; a
//! zone's own value is a row of `zone_setting`, written through the audited [`Writer`]. A setting
//! never written holds its default. The one way to read or change a zone setting.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::audit::Writer;
use crate::error::AppError;
use crate::spreadsheet::{self, Limits};

pub mod entity {
    //! The `zone_setting` table: one row per zone and setting that differs from the default.
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "zone_setting")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub zone_id: i64,
        /// A [`super::Setting`] key.
        pub key: String,
        pub value: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    crate::audited_entity!("zone_setting", zone);
}

/// A whole-number setting: what it is called, in what unit, within which bounds.
#[derive(Debug, PartialEq, Eq)]
pub struct Setting {
    pub code: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub hint: &'static str,
    pub min: i64,
    pub max: i64,
    pub default: i64,
}

/// Rows of one uploaded sheet (a zone may set fewer than the server allows, never more).
pub const UPLOAD_MAX_ROWS: Setting = Setting {
    code: "upload.max_rows",
    label: "导入表格最多行数",
    unit: "行",
    hint: "超过此行数的表格整个退回，请分批导入；不能超过服务器的上限",
    min: 100,
    max: 1_048_576,
    default: 1_000_000,
};

/// Columns of one uploaded sheet.
pub const UPLOAD_MAX_COLUMNS: Setting = Setting {
    code: "upload.max_columns",
    label: "导入表格最多列数",
    unit: "列",
    hint: "含空列；超过的表格退回",
    min: 10,
    max: 16_384,
    default: 256,
};

/// Size of one uploaded file.
pub const UPLOAD_MAX_FILE_MB: Setting = Setting {
    code: "upload.max_file_mb",
    label: "上传文件最大",
    unit: "MB",
    hint: "导入的 Excel / CSV / Word 文件大小上限",
    min: 1,
    max: (spreadsheet::MAX_FILE_BYTES / 1024 / 1024) as i64,
    default: (spreadsheet::MAX_FILE_BYTES / 1024 / 1024) as i64,
};

/// 序时进度: ahead by at least this many percentage points is 超前.
pub const SCHEDULE_AHEAD_PP: Setting = Setting {
    code: "schedule.ahead_pp",
    label: "目标“超前”线",
    unit: "个百分点",
    hint: "实际完成比例高出序时进度至少这么多，记为超前",
    min: 1,
    max: 100,
    default: 10,
};

/// 序时进度: behind by more than this is 滞后 (up to it, 正常).
pub const SCHEDULE_BEHIND_PP: Setting = Setting {
    code: "schedule.behind_pp",
    label: "目标“滞后”线",
    unit: "个百分点",
    hint: "实际完成比例低于序时进度超过这么多，记为滞后；不超过的仍为正常",
    min: 0,
    max: 100,
    default: 5,
};

/// 序时进度: behind by more than this is 严重滞后.
pub const SCHEDULE_SEVERE_PP: Setting = Setting {
    code: "schedule.severe_pp",
    label: "目标“严重滞后”线",
    unit: "个百分点",
    hint: "实际完成比例低于序时进度超过这么多，记为严重滞后（应大于滞后线）",
    min: 1,
    max: 100,
    default: 20,
};

/// Every setting, in the order the settings page shows them.
pub const CATALOGUE: &[&Setting] = &[
    &UPLOAD_MAX_ROWS,
    &UPLOAD_MAX_COLUMNS,
    &UPLOAD_MAX_FILE_MB,
    &SCHEDULE_AHEAD_PP,
    &SCHEDULE_BEHIND_PP,
    &SCHEDULE_SEVERE_PP,
];

/// The setting with `key`.
pub fn by_key(key: &str) -> Option<&'static Setting> {
    CATALOGUE.iter().copied().find(|s| s.code == key)
}

impl Setting {
    /// `raw` as this setting's value, or why not (naming the setting).
    pub fn parse(&self, raw: &str) -> Result<i64, AppError> {
        let cleaned: String = raw.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
        match cleaned.parse::<i64>() {
            Ok(n) if (self.min..=self.max).contains(&n) => Ok(n),
            _ => Err(AppError::field(
                self.code,
                format!(
                    "{}应为 {}–{} 之间的整数（{}），收到“{}”",
                    self.label,
                    self.min,
                    self.max,
                    self.unit,
                    raw.trim().chars().take(20).collect::<String>()
                ),
            )),
        }
    }
}

/// Every setting with the zone's value and whether that is the default.
pub async fn values<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
) -> Result<Vec<(&'static Setting, i64, bool)>, AppError> {
    let rows = entity::Entity::find()
        .filter(entity::Column::ZoneId.eq(zone_id))
        .all(conn)
        .await?;
    Ok(CATALOGUE
        .iter()
        .map(
            |s| match rows.iter().find(|r| r.key == s.code).and_then(|r| r.value.parse().ok()) {
                Some(v) => (*s, v, false),
                None => (*s, s.default, true),
            },
        )
        .collect())
}

/// `setting`'s value in what [`values`] read.
fn value_in(values: &[(&'static Setting, i64, bool)], setting: &Setting) -> i64 {
    values
        .iter()
        .find(|(s, _, _)| *s == setting)
        .map_or(setting.default, |v| v.1)
}

/// The zone's value of `setting`.
pub async fn get<C: ConnectionTrait>(conn: &C, zone_id: i64, setting: &Setting) -> Result<i64, AppError> {
    Ok(entity::Entity::find()
        .filter(entity::Column::ZoneId.eq(zone_id))
        .filter(entity::Column::Key.eq(setting.code))
        .one(conn)
        .await?
        .and_then(|r| r.value.parse().ok())
        .unwrap_or(setting.default))
}

/// Sets the zone's value (the default removes the zone's row); the change is audited.
pub async fn set(writer: &mut Writer, zone_id: i64, setting: &Setting, value: i64) -> Result<(), AppError> {
    if !(setting.min..=setting.max).contains(&value) {
        return Err(setting.parse(&value.to_string()).unwrap_err());
    }
    let before = entity::Entity::find()
        .filter(entity::Column::ZoneId.eq(zone_id))
        .filter(entity::Column::Key.eq(setting.code))
        .one(writer.read())
        .await?;
    match before {
        None if value == setting.default => {}
        None => {
            writer
                .insert_in_zone(entity::ActiveModel {
                    key: Set(setting.code.to_string()),
                    value: Set(value.to_string()),
                    ..Default::default()
                })
                .await?;
        }
        Some(row) if value == setting.default => writer.delete_in_zone(row).await?,
        Some(row) if row.value != value.to_string() => {
            let mut active: entity::ActiveModel = row.clone().into();
            active.value = Set(value.to_string());
            writer.update_in_zone(&row, active).await?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// The limits an upload to this zone is read within: the server's ([`spreadsheet::limits`]),
/// narrowed by the zone's settings — a zone may allow less than its server, never more.
pub async fn upload_limits<C: ConnectionTrait>(conn: &C, zone_id: i64) -> Result<Limits, AppError> {
    let server = spreadsheet::limits();
    let values = values(conn, zone_id).await?;
    let of = |s: &Setting| value_in(&values, s);
    Ok(Limits {
        max_rows: server.max_rows.min(of(&UPLOAD_MAX_ROWS) as u32),
        max_columns: server.max_columns.min(of(&UPLOAD_MAX_COLUMNS) as u32),
        max_file_bytes: server.max_file_bytes.min((of(&UPLOAD_MAX_FILE_MB) as usize) << 20),
        ..server
    })
}

/// The zone's thresholds of 超前 / 正常 / 滞后 / 严重滞后 against 序时进度.
pub async fn schedule_thresholds<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
) -> Result<gaoxin_core::schedule::Thresholds, AppError> {
    let values = values(conn, zone_id).await?;
    let of = |s: &Setting| value_in(&values, s);
    let behind = of(&SCHEDULE_BEHIND_PP);
    Ok(gaoxin_core::schedule::Thresholds {
        ahead_pp: of(&SCHEDULE_AHEAD_PP).into(),
        behind_pp: behind.into(),
        severe_pp: of(&SCHEDULE_SEVERE_PP).max(behind).into(),
    })
}

/// Reads an uploaded table within the zone's [`upload_limits`]: the one way an import reads its
/// file. The reason a file is refused, in Chinese, for the import's report.
pub async fn read_upload<C: ConnectionTrait>(
    conn: &C,
    zone_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<Vec<spreadsheet::Sheet>, String> {
    let limits = upload_limits(conn, zone_id)
        .await
        .map_err(|e| format!("读取本区导入设置失败：{e}"))?;
    spreadsheet::read(file_name, bytes, limits).await
}
