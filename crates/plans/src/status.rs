//! The ledger's closed sets of codes, each with its Chinese label in one place: a task's
//! status, the kind of a report, a supervision order's status and a department's role on a
//! task. The database columns and the API keep the code; the pages are bilingual, so each
//! value also names its message key (`locales/messages.toml`) where a page shows it.

gaoxin_core::coded_enum! {
    /// Where a task stands: open (in progress, or returned), reported done by the lead
    /// department, then confirmed by the supervisor (督查), which turns it green.
    pub enum TaskStatus {
        Open = "open" / "推进中",
        Done = "done" / "已报完成，待确认",
        Confirmed = "confirmed" / "已确认完成",
    }
}

impl TaskStatus {
    /// The status of a stored code; a code that is none of these counts as open, as the
    /// colour rules have always read it.
    pub fn of_stored(code: &str) -> TaskStatus {
        TaskStatus::of(code).unwrap_or(TaskStatus::Open)
    }
}

gaoxin_core::coded_enum! {
    /// What a report on a task is: the lead department's progress or completion, a
    /// cooperating department's part, or a leader's comment (批示).
    pub enum ReportKind {
        Progress = "progress" / "进展",
        Completion = "completion" / "报送完成",
        Part = "part" / "配合部门报送",
        Comment = "comment" / "领导批示",
    }
}

impl ReportKind {
    /// The kinds the lead department files: they carry the percent complete and the targets'
    /// actual values, and answer an open supervision order.
    pub const BY_LEAD: [ReportKind; 2] = [ReportKind::Progress, ReportKind::Completion];

    /// Whether the lead department files this kind.
    pub fn by_lead(self) -> bool {
        ReportKind::BY_LEAD.contains(&self)
    }

    /// The codes of [`ReportKind::BY_LEAD`], for a query.
    pub fn by_lead_codes() -> [&'static str; 2] {
        ReportKind::BY_LEAD.map(ReportKind::code)
    }

    /// The message key of the kind's name on the task page.
    pub fn message_key(self) -> &'static str {
        match self {
            ReportKind::Progress => "plans.kind_progress",
            ReportKind::Completion => "plans.kind_completion",
            ReportKind::Part => "plans.kind_part",
            ReportKind::Comment => "plans.kind_comment",
        }
    }
}

gaoxin_core::coded_enum! {
    /// A supervision order (督办单): open until the supervisor closes it (办结) once the lead
    /// department has answered.
    pub enum OrderStatus {
        Open = "open" / "未办结",
        Closed = "closed" / "已办结",
    }
}

impl OrderStatus {
    /// The status of a stored code; anything but `closed` is still open.
    pub fn of_stored(code: &str) -> OrderStatus {
        OrderStatus::of(code).unwrap_or(OrderStatus::Open)
    }

    /// The message key of the status on the task and orders pages.
    pub fn message_key(self) -> &'static str {
        match self {
            OrderStatus::Open => "plans.order_open",
            OrderStatus::Closed => "plans.order_closed",
        }
    }
}

pub use gaoxin_core::status::DepartmentRole;

/// The message key of a department's role on the task pages (bilingual).
pub fn role_key(role: DepartmentRole) -> &'static str {
    match role {
        DepartmentRole::Lead => "plans.lead",
        DepartmentRole::Cooperating => "plans.cooperating",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_codes_read_back() {
        assert_eq!(TaskStatus::of_stored("confirmed"), TaskStatus::Confirmed);
        assert_eq!(TaskStatus::of_stored("whatever"), TaskStatus::Open);
        assert_eq!(OrderStatus::of_stored("closed"), OrderStatus::Closed);
        assert_eq!(ReportKind::by_lead_codes(), ["progress", "completion"]);
        assert!(!ReportKind::Part.by_lead());
        assert!(DepartmentRole::Lead.is("lead"));
        assert_eq!(DepartmentRole::label_of("cooperating"), "配合");
        assert_eq!(role_key(DepartmentRole::Lead), "plans.lead");
    }
}
