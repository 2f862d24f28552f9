//! Cultivation ladder (梯度培育): the innovation data of enterprises (one row per enterprise and
//! year: staff, assets, IP by class, conversions, financing, valuation, market share), the
//! criteria versions a zone has loaded (text kept forever, so a run reproduces), and evaluation
//! runs with one result per enterprise and tier.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::m20261124_000001_foundation::{fk, index, stamped, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InnovationData {
    Table,
    Id,
    ZoneId,
    EnterpriseId,
    Year,
    TotalStaff,
    TotalAssets,
    NetAssets,
    DomesticRdExpense,
    TotalCost,
    MainRevenue,
    IpClass1,
    IpClass2,
    AchievementsTransferred,
    EquityFinancing,
    ValuationUsd,
    MarketShare,
    RdInstitutions,
    RdManagementScore,
    IpQualityScore,
}

#[derive(DeriveIden)]
enum CriteriaVersion {
    Table,
    Id,
    ZoneId,
    CriteriaId,
    Tier,
    Name,
    Version,
    FileName,
    Source,
    DocumentNumber,
    EffectiveFrom,
    EffectiveTo,
    Local,
    Status,
    LoadedBy,
}

#[derive(DeriveIden)]
enum LadderRun {
    Table,
    Id,
    ZoneId,
    Year,
    AsOf,
    MarginBp,
    CriteriaVersions,
    EnterpriseCount,
    Counts,
    InputHash,
    CreatedBy,
}

#[derive(DeriveIden)]
enum LadderTarget {
    Table,
    Id,
    ZoneId,
    Tier,
    Year,
    Count,
    Note,
}

#[derive(DeriveIden)]
enum LadderResult {
    Table,
    Id,
    ZoneId,
    RunId,
    EnterpriseId,
    Tier,
    Status,
    WithinReach,
    Held,
    Unmet,
    Gaps,
    Missing,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(stamped(
                Table::create()
                    .table(InnovationData::Table)
                    .col(big_pk_auto(InnovationData::Id))
                    .col(big_integer(InnovationData::ZoneId))
                    .col(big_integer(InnovationData::EnterpriseId))
                    .col(integer(InnovationData::Year))
                    .col(integer_null(InnovationData::TotalStaff))
                    // Money in fen; net assets may be negative.
                    .col(big_integer_null(InnovationData::TotalAssets))
                    .col(big_integer_null(InnovationData::NetAssets))
                    .col(big_integer_null(InnovationData::DomesticRdExpense))
                    .col(big_integer_null(InnovationData::TotalCost))
                    .col(big_integer_null(InnovationData::MainRevenue))
                    .col(integer_null(InnovationData::IpClass1))
                    .col(integer_null(InnovationData::IpClass2))
                    .col(integer_null(InnovationData::AchievementsTransferred))
                    .col(big_integer_null(InnovationData::EquityFinancing))
                    // US cents.
                    .col(big_integer_null(InnovationData::ValuationUsd))
                    // Hundredths of a percent (12.34% = 1234).
                    .col(big_integer_null(InnovationData::MarketShare))
                    .col(integer_null(InnovationData::RdInstitutions))
                    .col(integer_null(InnovationData::RdManagementScore))
                    .col(integer_null(InnovationData::IpQualityScore))
                    .foreign_key(&mut fk(
                        "fk_innovation_data_zone",
                        (InnovationData::Table, InnovationData::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_innovation_data_enterprise",
                        (InnovationData::Table, InnovationData::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_innovation_data_enterprise_year",
            InnovationData::Table,
            vec![InnovationData::EnterpriseId, InnovationData::Year],
        )
        .await?;
        index(
            manager,
            "ix_innovation_data_zone_year",
            InnovationData::Table,
            vec![InnovationData::ZoneId, InnovationData::Year],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(CriteriaVersion::Table)
                    .col(big_pk_auto(CriteriaVersion::Id))
                    .col(big_integer(CriteriaVersion::ZoneId))
                    .col(string_len(CriteriaVersion::CriteriaId, 100))
                    .col(string_len(CriteriaVersion::Tier, 50))
                    .col(string_len(CriteriaVersion::Name, 100))
                    .col(string_len(CriteriaVersion::Version, 64))
                    .col(string_len(CriteriaVersion::FileName, 200))
                    .col(text(CriteriaVersion::Source))
                    .col(string_len(CriteriaVersion::DocumentNumber, 100))
                    .col(date(CriteriaVersion::EffectiveFrom))
                    .col(date_null(CriteriaVersion::EffectiveTo))
                    .col(boolean(CriteriaVersion::Local).default(false))
                    // `active` (in use) or `retired` (replaced by a later version of the tier).
                    .col(string_len(CriteriaVersion::Status, 16))
                    .col(big_integer_null(CriteriaVersion::LoadedBy))
                    .foreign_key(&mut fk(
                        "fk_criteria_version_zone",
                        (CriteriaVersion::Table, CriteriaVersion::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_criteria_version_zone_version",
            CriteriaVersion::Table,
            vec![CriteriaVersion::ZoneId, CriteriaVersion::Version],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(LadderRun::Table)
                    .col(big_pk_auto(LadderRun::Id))
                    .col(big_integer(LadderRun::ZoneId))
                    .col(integer(LadderRun::Year))
                    .col(date(LadderRun::AsOf))
                    // The "within reach" margin in basis points (2000 = 20%).
                    .col(integer(LadderRun::MarginBp))
                    // JSON: [{"tier", "criteria", "version_id", "version"}].
                    .col(text(LadderRun::CriteriaVersions))
                    .col(big_integer(LadderRun::EnterpriseCount))
                    // JSON: {tier: {"held", "qualifies", "unknown", "within_reach"}}.
                    .col(text(LadderRun::Counts))
                    // SHA-256 over every enterprise's facts, in order: a rerun on the same data
                    // with the same versions gives the same hash and the same results.
                    .col(string_len(LadderRun::InputHash, 64))
                    .col(big_integer_null(LadderRun::CreatedBy))
                    .foreign_key(&mut fk(
                        "fk_ladder_run_zone",
                        (LadderRun::Table, LadderRun::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_ladder_run_zone_year",
            LadderRun::Table,
            vec![LadderRun::ZoneId, LadderRun::Year],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(LadderResult::Table)
                    .col(big_pk_auto(LadderResult::Id))
                    .col(big_integer(LadderResult::ZoneId))
                    .col(big_integer(LadderResult::RunId))
                    .col(big_integer(LadderResult::EnterpriseId))
                    .col(string_len(LadderResult::Tier, 50))
                    // `qualifies`, `unknown`, `fails`.
                    .col(string_len(LadderResult::Status, 16))
                    .col(boolean(LadderResult::WithinReach))
                    // Holds a valid recognition of the tier on the day evaluated.
                    .col(boolean(LadderResult::Held))
                    // How many items of the nearest route fail.
                    .col(integer(LadderResult::Unmet))
                    // The failing items with their gaps, one per line, in Chinese.
                    .col(text(LadderResult::Gaps))
                    // The facts to supply (需补充), separated by 、.
                    .col(text(LadderResult::Missing))
                    // JSON `rules::ladder::RouteResult` of the deciding route, for candidates
                    // (qualifying, unknown or within reach); the rest keep only the summary.
                    .col(text_null(LadderResult::Detail))
                    .foreign_key(&mut fk(
                        "fk_ladder_result_zone",
                        (LadderResult::Table, LadderResult::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_ladder_result_run",
                        (LadderResult::Table, LadderResult::RunId),
                        (LadderRun::Table, LadderRun::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_ladder_result_enterprise",
                        (LadderResult::Table, LadderResult::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_ladder_result_run_tier_status",
            LadderResult::Table,
            vec![LadderResult::RunId, LadderResult::Tier, LadderResult::Status],
        )
        .await?;
        index(
            manager,
            "ix_ladder_result_run_enterprise",
            LadderResult::Table,
            vec![LadderResult::RunId, LadderResult::EnterpriseId],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(LadderTarget::Table)
                    .col(big_pk_auto(LadderTarget::Id))
                    .col(big_integer(LadderTarget::ZoneId))
                    .col(string_len(LadderTarget::Tier, 50))
                    .col(integer(LadderTarget::Year))
                    // How many enterprises should hold the tier by the end of the year.
                    .col(integer(LadderTarget::Count))
                    .col(string_len_null(LadderTarget::Note, 300))
                    .foreign_key(&mut fk(
                        "fk_ladder_target_zone",
                        (LadderTarget::Table, LadderTarget::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_ladder_target_zone_tier_year",
            LadderTarget::Table,
            vec![LadderTarget::ZoneId, LadderTarget::Tier, LadderTarget::Year],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "ladder_target",
            "ladder_result",
            "ladder_run",
            "criteria_version",
            "innovation_data",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
