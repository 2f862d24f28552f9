//! Who may do what: the roles of PRODUCT.md and sets of them.
//!
//! Pure domain code: no web framework, no database.

use serde::{Deserialize, Serialize};

/// A user's role. One role per account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 管理员: accounts, departments and configuration of one zone.
    Admin,
    /// 领导: reads everything of the zone, changes nothing (comments come with later modules).
    Leader,
    /// 部门人员: belongs to a department and edits what the department owns.
    Staff,
    /// 企业用户: belongs to one enterprise and sees only it.
    Enterprise,
    /// 审计: reads everything of the zone including the audit log; changes nothing.
    Auditor,
    /// 省/市: reads and compares every zone of the deployment; changes nothing.
    Province,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Leader,
        Role::Staff,
        Role::Enterprise,
        Role::Auditor,
        Role::Province,
    ];

    /// The stable code stored in the database and used in the API and CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Staff => "staff",
            Role::Enterprise => "enterprise",
            Role::Auditor => "auditor",
            Role::Province => "province",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The i18n key of the role's label (领导, 管理员, …).
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role.admin",
            Role::Leader => "role.leader",
            Role::Staff => "role.staff",
            Role::Enterprise => "role.enterprise",
            Role::Auditor => "role.auditor",
            Role::Province => "role.province",
        }
    }

    /// Whether an account of this role belongs to exactly one zone (all but province).
    pub fn is_zone_bound(self) -> bool {
        self != Role::Province
    }

    /// Whether this role may change anything at all. Auditors and province readers never
    /// write domain data (their own password and tokens aside); leaders write only their
    /// decisions (approving or returning a payment batch — the routes say which).
    pub fn may_write(self) -> bool {
        matches!(self, Role::Admin | Role::Leader | Role::Staff | Role::Enterprise)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of roles, used to say who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleSet(u8);

impl RoleSet {
    pub const fn empty() -> RoleSet {
        RoleSet(0)
    }

    pub const fn of(roles: &[Role]) -> RoleSet {
        let mut bits = 0u8;
        let mut i = 0;
        while i < roles.len() {
            bits |= 1 << (roles[i] as u8);
            i += 1;
        }
        RoleSet(bits)
    }

    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn roles(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.contains(*r)).collect()
    }
}

/// Every signed-in user, whatever the role.
pub const EVERYONE: RoleSet = RoleSet::of(&Role::ALL);
/// Those who read the whole zone: everyone but enterprise users.
pub const ZONE_READERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Leader, Role::Staff, Role::Auditor, Role::Province]);
/// The zone administrator alone.
pub const ADMINS: RoleSet = RoleSet::of(&[Role::Admin]);
/// Those who read the audit log.
pub const AUDIT_READERS: RoleSet = RoleSet::of(&[Role::Admin, Role::Auditor]);
/// Those who edit what a department owns (admin for every department, staff for their own).
pub const DEPARTMENT_EDITORS: RoleSet = RoleSet::of(&[Role::Admin, Role::Staff]);
/// Zone readers plus enterprise users (who see only their own enterprise).
pub const ENTERPRISE_READERS: RoleSet = EVERYONE;
/// Who approves payment batches: leaders only (the department that prepares a batch does not
/// approve it).
/// Enterprise users only (their own pages).
pub const ENTERPRISE_USERS: RoleSet = RoleSet::of(&[Role::Enterprise]);

pub const LEADERS: RoleSet = RoleSet::of(&[Role::Leader]);
/// The province / city reader.
pub const PROVINCE: RoleSet = RoleSet::of(&[Role::Province]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_code_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn role_sets_contain_exactly_their_members() {
        assert!(ZONE_READERS.contains(Role::Province));
        assert!(!ZONE_READERS.contains(Role::Enterprise));
        assert_eq!(AUDIT_READERS.roles(), vec![Role::Admin, Role::Auditor]);
        assert_eq!(EVERYONE.roles().len(), 6);
        assert!(!RoleSet::empty().contains(Role::Admin));
    }

    #[test]
    fn auditors_and_province_readers_never_write() {
        let writers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.may_write()).collect();
        assert_eq!(writers, vec![Role::Admin, Role::Leader, Role::Staff, Role::Enterprise]);
    }
}
