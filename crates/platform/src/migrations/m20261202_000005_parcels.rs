//! Land parcels (地块) with the enterprises on them (owner, tenants: a shared parcel is
//! evaluated as one), 标准地 contracts with their control indicators and the facts recorded at
//! completion (竣工), the annual electricity use (用电量) the 规下 亩均 schemes read, and the
//! progress reports of D-class clearance cases.

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
enum AnnualData {
    Table,
    Electricity,
}

#[derive(DeriveIden)]
enum ClearanceCase {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ClearanceUpdate {
    Table,
    Id,
    ZoneId,
    CaseId,
    Note,
    Percent,
    CreatedBy,
}

#[derive(DeriveIden)]
enum LandParcel {
    Table,
    Id,
    ZoneId,
    Code,
    Name,
    Area,
    Location,
    CarrierId,
    LandUse,
    SuppliedOn,
    Note,
}

#[derive(DeriveIden)]
enum ParcelOccupant {
    Table,
    Id,
    ZoneId,
    ParcelId,
    EnterpriseId,
    Role,
}

#[derive(DeriveIden)]
enum StandardLandContract {
    Table,
    Id,
    ZoneId,
    ParcelId,
    EnterpriseId,
    ContractNo,
    SignedOn,
    ProjectName,
    InvestmentIntensity,
    FloorAreaRatio,
    TaxPerMu,
    ValueAddedPerMu,
    OutputPerMu,
    EnergyValueAdded,
    EmissionValueAdded,
    RdShare,
    CompletionDue,
    OperatingYears,
    CompletedOn,
    FixedInvestment,
    FloorArea,
    Note,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // 用电量 in kWh (the import reads 万千瓦时 to 4 decimals, i.e. to the kWh).
        manager
            .alter_table(
                Table::alter()
                    .table(AnnualData::Table)
                    .add_column(big_integer_null(AnnualData::Electricity))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(LandParcel::Table)
                    .col(big_pk_auto(LandParcel::Id))
                    .col(big_integer(LandParcel::ZoneId))
                    // 地块编号 (宗地号 / 不动产单元号), unique in the zone.
                    .col(string_len(LandParcel::Code, 60))
                    .col(string_len(LandParcel::Name, 200))
                    // Ten-thousandths of a 亩.
                    .col(big_integer(LandParcel::Area))
                    .col(string_len(LandParcel::Location, 300))
                    .col(big_integer_null(LandParcel::CarrierId))
                    // 工业, 仓储, 研发 …
                    .col(string_len(LandParcel::LandUse, 30))
                    .col(date_null(LandParcel::SuppliedOn))
                    .col(string_len_null(LandParcel::Note, 500))
                    .foreign_key(&mut fk(
                        "fk_land_parcel_zone",
                        (LandParcel::Table, LandParcel::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_land_parcel_zone_code",
            LandParcel::Table,
            vec![LandParcel::ZoneId, LandParcel::Code],
        )
        .await?;

        manager
            .create_table(stamped(
                Table::create()
                    .table(ParcelOccupant::Table)
                    .col(big_pk_auto(ParcelOccupant::Id))
                    .col(big_integer(ParcelOccupant::ZoneId))
                    .col(big_integer(ParcelOccupant::ParcelId))
                    .col(big_integer(ParcelOccupant::EnterpriseId))
                    // `owner` (土地使用权人) or `tenant` (租赁使用).
                    .col(string_len(ParcelOccupant::Role, 16))
                    .foreign_key(&mut fk(
                        "fk_parcel_occupant_zone",
                        (ParcelOccupant::Table, ParcelOccupant::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_parcel_occupant_parcel",
                        (ParcelOccupant::Table, ParcelOccupant::ParcelId),
                        (LandParcel::Table, LandParcel::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_parcel_occupant_enterprise",
                        (ParcelOccupant::Table, ParcelOccupant::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_parcel_occupant_parcel_enterprise",
            ParcelOccupant::Table,
            vec![ParcelOccupant::ParcelId, ParcelOccupant::EnterpriseId],
        )
        .await?;
        index(
            manager,
            "ix_parcel_occupant_enterprise",
            ParcelOccupant::Table,
            vec![ParcelOccupant::EnterpriseId],
        )
        .await?;

        // Control indicators in ten-thousandths (万元/亩, ratio, 万元/吨标准煤, 万元/吨, percent);
        // None: the contract does not set it.
        manager
            .create_table(stamped(
                Table::create()
                    .table(StandardLandContract::Table)
                    .col(big_pk_auto(StandardLandContract::Id))
                    .col(big_integer(StandardLandContract::ZoneId))
                    .col(big_integer(StandardLandContract::ParcelId))
                    .col(big_integer(StandardLandContract::EnterpriseId))
                    .col(string_len(StandardLandContract::ContractNo, 100))
                    .col(date(StandardLandContract::SignedOn))
                    .col(string_len(StandardLandContract::ProjectName, 200))
                    .col(big_integer_null(StandardLandContract::InvestmentIntensity))
                    .col(big_integer_null(StandardLandContract::FloorAreaRatio))
                    .col(big_integer_null(StandardLandContract::TaxPerMu))
                    .col(big_integer_null(StandardLandContract::ValueAddedPerMu))
                    .col(big_integer_null(StandardLandContract::OutputPerMu))
                    .col(big_integer_null(StandardLandContract::EnergyValueAdded))
                    .col(big_integer_null(StandardLandContract::EmissionValueAdded))
                    .col(big_integer_null(StandardLandContract::RdShare))
                    .col(date_null(StandardLandContract::CompletionDue))
                    // 初始运行期 after completion, in years (the output check falls due then).
                    .col(integer(StandardLandContract::OperatingYears))
                    // Recorded at 竣工: the day, fixed-asset investment (fen), floor area (0.01 m²).
                    .col(date_null(StandardLandContract::CompletedOn))
                    .col(big_integer_null(StandardLandContract::FixedInvestment))
                    .col(big_integer_null(StandardLandContract::FloorArea))
                    .col(string_len_null(StandardLandContract::Note, 500))
                    .foreign_key(&mut fk(
                        "fk_standard_land_contract_zone",
                        (StandardLandContract::Table, StandardLandContract::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_standard_land_contract_parcel",
                        (StandardLandContract::Table, StandardLandContract::ParcelId),
                        (LandParcel::Table, LandParcel::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_standard_land_contract_enterprise",
                        (StandardLandContract::Table, StandardLandContract::EnterpriseId),
                        (Enterprise::Table, Enterprise::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        unique(
            manager,
            "uq_standard_land_contract_zone_no",
            StandardLandContract::Table,
            vec![StandardLandContract::ZoneId, StandardLandContract::ContractNo],
        )
        .await?;

        // A clearance case's progress, reported by the responsible department (as a ledger task's).
        manager
            .create_table(stamped(
                Table::create()
                    .table(ClearanceUpdate::Table)
                    .col(big_pk_auto(ClearanceUpdate::Id))
                    .col(big_integer(ClearanceUpdate::ZoneId))
                    .col(big_integer(ClearanceUpdate::CaseId))
                    .col(text(ClearanceUpdate::Note))
                    // Percent complete, 0–100.
                    .col(integer(ClearanceUpdate::Percent))
                    .col(big_integer_null(ClearanceUpdate::CreatedBy))
                    .foreign_key(&mut fk(
                        "fk_clearance_update_zone",
                        (ClearanceUpdate::Table, ClearanceUpdate::ZoneId),
                        (Zone::Table, Zone::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_clearance_update_case",
                        (ClearanceUpdate::Table, ClearanceUpdate::CaseId),
                        (ClearanceCase::Table, ClearanceCase::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            ))
            .await?;
        index(
            manager,
            "ix_clearance_update_case",
            ClearanceUpdate::Table,
            vec![ClearanceUpdate::CaseId],
        )
        .await?;
        Ok(())
    }
}
