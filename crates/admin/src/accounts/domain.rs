//! Rules for accounts: who may hold which role, and the lock-out policy.

use gaoxin_core::roles::Role;
use gaoxin_core::validate::{FieldError, required_text, username};

/// Consecutive failed logins that lock an account.
pub const MAX_FAILED_LOGINS: i32 = 5;

gaoxin_core::coded_enum! {
    /// Whether an account may sign in. Stored as the boolean `account.active`; the codes name
    /// the two states where a code is wanted, the labels are what exports and the CLI show.
    pub enum AccountState {
        Active = "active" / "启用",
        Disabled = "disabled" / "停用",
    }
}

impl AccountState {
    /// The state of an account whose `active` flag is `active`.
    pub const fn of_flag(active: bool) -> AccountState {
        if active {
            AccountState::Active
        } else {
            AccountState::Disabled
        }
    }
}

/// An account as an admin types it, before validation.
#[derive(Clone, Debug, Default)]
pub struct AccountDraft {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

/// Validates an account created or edited by a zone admin. Province accounts are not zone
/// accounts and are created from the command line only.
pub fn validate(draft: &AccountDraft, allow_province: bool) -> Result<AccountInput, FieldError> {
    let role =
        Role::parse(draft.role.trim()).ok_or_else(|| FieldError::new("role", format!("未知角色：{}", draft.role)))?;
    if role == Role::Province && !allow_province {
        return Err(FieldError::new("role", "省/市级账号只能由系统管理员在命令行创建"));
    }
    let department_id = if role == Role::Staff {
        Some(
            draft
                .department_id
                .ok_or_else(|| FieldError::new("department_id", "部门人员必须选择所属部门"))?,
        )
    } else {
        None
    };
    let enterprise_id = if role == Role::Enterprise {
        Some(
            draft
                .enterprise_id
                .ok_or_else(|| FieldError::new("enterprise", "企业用户必须指定所属企业"))?,
        )
    } else {
        None
    };
    Ok(AccountInput {
        username: username(&draft.username)?,
        display_name: required_text("display_name", "姓名", &draft.display_name, 100)?,
        role,
        department_id,
        enterprise_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_reads_as_enabled_or_disabled() {
        assert_eq!(AccountState::of_flag(true).label(), "启用");
        assert_eq!(AccountState::of_flag(false).label(), "停用");
    }

    #[test]
    fn staff_need_a_department_and_enterprise_users_an_enterprise() {
        let base = AccountDraft {
            username: "wang".into(),
            display_name: "王伟".into(),
            ..Default::default()
        };
        let staff = AccountDraft {
            role: "staff".into(),
            ..base.clone()
        };
        assert_eq!(validate(&staff, false).unwrap_err().field, "department_id");
        let ok = validate(
            &AccountDraft {
                department_id: Some(3),
                ..staff
            },
            false,
        )
        .unwrap();
        assert_eq!(ok.department_id, Some(3));
        let ent = AccountDraft {
            role: "enterprise".into(),
            ..base.clone()
        };
        assert_eq!(validate(&ent, false).unwrap_err().field, "enterprise");
        let province = AccountDraft {
            role: "province".into(),
            ..base.clone()
        };
        assert_eq!(validate(&province, false).unwrap_err().field, "role");
        assert!(validate(&province, true).is_ok());
        let leader = AccountDraft {
            role: "leader".into(),
            department_id: Some(1),
            ..base
        };
        assert_eq!(validate(&leader, false).unwrap().department_id, None);
    }
}
