//! The closed sets of codes of policy cash-out, each with its Chinese label in one place: a
//! payment batch's status, an application's status, and how close a match is. The database
//! columns keep the code; pages show the label.

gaoxin_core::coded_enum! {
    /// A payment batch's status: a draft under review, submitted to a leader, approved (locked).
    /// A leader who returns a batch sends it back to `Draft`; a discarded draft is deleted, so
    /// there is no status for it.
    pub enum BatchStatus {
        Draft = "draft" / "草稿（审核中）",
        Submitted = "submitted" / "待领导审批",
        Approved = "approved" / "已批准（锁定）",
    }
}

gaoxin_core::coded_enum! {
    /// A 快申快享 application's status: awaiting the department's review, approved (it joins
    /// the year's next batch), or returned with a reason.
    pub enum ApplicationStatus {
        Submitted = "submitted" / "待审核",
        Approved = "approved" / "已批准",
        Returned = "returned" / "已退回",
    }
}

gaoxin_core::coded_enum! {
    /// How an enterprise stands against an award in policy matching: it qualifies, or it is
    /// near (one condition short). The matches page and its export filter on the code.
    pub enum Standing {
        Qualifies = "qualifies" / "符合",
        Near = "near" / "接近",
    }
}
