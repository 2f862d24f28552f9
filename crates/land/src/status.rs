//! The closed sets of codes of 亩均效益评价, each with its Chinese label in one place: a run's
//! status, an objection's status, a clearance case's status and route, the subsets of a run's
//! results that a list filters on, how class transitions are grouped, an occupant's role on a
//! parcel and a 标准地 contract's stage. The database columns keep the code; pages show the
//! label, or — where a page is bilingual — the message key the value maps to.

use chrono::NaiveDate;

gaoxin_core::coded_enum! {
    /// An evaluation run's status: a draft, published for 公示 (enterprises see their own
    /// result and may object), then final and locked.
    pub enum RunStatus {
        Draft = "draft" / "草稿",
        Publicity = "publicity" / "公示中",
        Final = "final" / "已确认",
    }
}

impl RunStatus {
    /// The message key pages show the status with (the pages are bilingual).
    pub const fn key(self) -> &'static str {
        match self {
            RunStatus::Draft => "land.status_draft",
            RunStatus::Publicity => "land.status_publicity",
            RunStatus::Final => "land.status_final",
        }
    }

    /// The message key of a stored status; an unknown one reads as a draft, the status a run
    /// starts with.
    pub fn key_of(code: &str) -> &'static str {
        RunStatus::of(code).unwrap_or(RunStatus::Draft).key()
    }
}

gaoxin_core::coded_enum! {
    /// An objection's status: open until a department accepts it (the data was wrong and is
    /// corrected) or rejects it, each with a written answer.
    pub enum ObjectionStatus {
        Open = "open" / "待处理",
        Accepted = "accepted" / "已采纳",
        Rejected = "rejected" / "不予采纳",
    }
}

impl ObjectionStatus {
    /// The message key pages show the status with (the pages are bilingual).
    pub const fn key(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "land.objection_open",
            ObjectionStatus::Accepted => "land.objection_accepted",
            ObjectionStatus::Rejected => "land.objection_rejected",
        }
    }

    /// The message key of a stored status; an unknown one reads as open, the status an
    /// objection starts with.
    pub fn key_of(code: &str) -> &'static str {
        ObjectionStatus::of(code).unwrap_or(ObjectionStatus::Open).key()
    }
}

gaoxin_core::coded_enum! {
    /// A D-class clearance case's status. Only `Open` and `Closed` (销号) are stored; `Overdue`
    /// is an open case past its deadline, which the list filters on and the pages show.
    pub enum CaseStatus {
        Open = "open" / "推进中",
        Overdue = "overdue" / "逾期",
        Closed = "closed" / "已销号",
    }
}

impl CaseStatus {
    /// The message key pages show the status with (the pages are bilingual).
    pub const fn key(self) -> &'static str {
        match self {
            CaseStatus::Open => "land.case_open",
            CaseStatus::Overdue => "land.case_overdue",
            CaseStatus::Closed => "land.case_closed",
        }
    }

    /// How a case with this stored status and deadline stands on `today`: closed, overdue (open
    /// and past its deadline) or open.
    pub fn shown(status: &str, deadline: Option<NaiveDate>, today: NaiveDate) -> CaseStatus {
        match CaseStatus::of(status) {
            Some(CaseStatus::Closed) => CaseStatus::Closed,
            Some(CaseStatus::Open) if deadline.is_some_and(|d| d < today) => CaseStatus::Overdue,
            _ => CaseStatus::Open,
        }
    }
}

gaoxin_core::coded_enum! {
    /// The five routes of a D-class clearance (seed 003, 全面出清 D 类企业).
    pub enum ClearanceRoute {
        Revitalize = "revitalize" / "引进项目盘活",
        Upgrade = "upgrade" / "技术改造提升",
        Eliminate = "eliminate" / "末位整治淘汰",
        Relieve = "relieve" / "纾困服务破解",
        BuyBack = "buy_back" / "政府回购收储",
    }
}

impl ClearanceRoute {
    /// The name of a stored route; empty when there is none of that code.
    pub fn name_of(code: &str) -> &'static str {
        ClearanceRoute::of(code).map_or("", ClearanceRoute::label)
    }
}

gaoxin_core::coded_enum! {
    /// The subsets of a run's results a list asks for besides a class (`?class=`). The code of
    /// `OutOfScope` is also the exclusion id `gaoxin_rules::land::Scheme::exclusion_reason`
    /// gives an enterprise outside the scheme's scope; such results are listed only when asked
    /// for, and count as not evaluated in year-on-year transitions.
    pub enum ResultSubset {
        OutOfScope = "scope" / "不在评价范围",
        Excluded = "excluded" / "不参评",
        Adjusted = "adjusted" / "已调档",
    }
}

impl ResultSubset {
    /// Whether a result's exclusion id is the one of enterprises outside the scope.
    pub fn out_of_scope(exclusion_id: Option<&str>) -> bool {
        exclusion_id == Some(ResultSubset::OutOfScope.code())
    }
}

gaoxin_core::coded_enum! {
    /// How year-on-year class transitions are grouped (`?by=`), besides not at all.
    pub enum TransitionGroup {
        Industry = "industry" / "主导产业",
        Carrier = "carrier" / "载体",
    }
}

impl TransitionGroup {
    /// The message key pages show the grouping with (the pages are bilingual).
    pub const fn key(self) -> &'static str {
        match self {
            TransitionGroup::Industry => "ladder.industry",
            TransitionGroup::Carrier => "ladder.carrier",
        }
    }
}

gaoxin_core::coded_enum! {
    /// An enterprise's role on a parcel: its owner (土地使用权人) or a tenant.
    pub enum OccupantRole {
        Owner = "owner" / "土地使用权人",
        Tenant = "tenant" / "租赁使用",
    }
}

impl OccupantRole {
    /// The label of a stored role: anything but an owner is on the parcel as a tenant.
    pub fn shown(code: &str) -> &'static str {
        OccupantRole::of(code).unwrap_or(OccupantRole::Tenant).label()
    }
}

gaoxin_core::coded_enum! {
    /// Where a 标准地 contract stands: being built (or past its completion date), in its
    /// 初始运行期, or with the 初始运行期 over (the output check is due). It is computed, never
    /// stored; pages and the API show the label.
    pub enum ContractStage {
        Building = "building" / "建设中",
        Overdue = "overdue" / "逾期未竣工",
        Operating = "operating" / "初始运行期",
        Expired = "expired" / "运行期满",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_read_as_the_first_state() {
        assert_eq!(RunStatus::key_of("publicity"), "land.status_publicity");
        assert_eq!(RunStatus::key_of("?"), "land.status_draft");
        assert_eq!(ObjectionStatus::key_of("rejected"), "land.objection_rejected");
        assert_eq!(ObjectionStatus::key_of("?"), "land.objection_open");
        assert_eq!(OccupantRole::shown("owner"), "土地使用权人");
        assert_eq!(OccupantRole::shown("?"), "租赁使用");
        assert_eq!(ClearanceRoute::name_of("buy_back"), "政府回购收储");
        assert_eq!(ClearanceRoute::name_of("?"), "");
    }

    #[test]
    fn an_open_case_past_its_deadline_is_overdue() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 6, d).unwrap();
        assert_eq!(CaseStatus::shown("open", Some(day(1)), day(2)), CaseStatus::Overdue);
        assert_eq!(CaseStatus::shown("open", Some(day(2)), day(2)), CaseStatus::Open);
        assert_eq!(CaseStatus::shown("open", None, day(2)), CaseStatus::Open);
        assert_eq!(CaseStatus::shown("closed", Some(day(1)), day(2)), CaseStatus::Closed);
    }
}
