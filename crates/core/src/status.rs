//! Statuses and other closed sets of codes: an enum whose every value has the code stored in the
//! database and shown in the API, and the Chinese label shown on pages — in one place.
//!
//! ```
//! gaoxin_core::coded_enum! {
//!     /// An evaluation run's status.
//!     pub enum RunStatus {
//!         Draft = "draft" / "草稿",
//!         Final = "final" / "已确认",
//!     }
//! }
//! assert_eq!(RunStatus::of("final"), Some(RunStatus::Final));
//! assert_eq!(RunStatus::Final.code(), "final");
//! assert_eq!(RunStatus::Final.label(), "已确认");
//! assert_eq!(RunStatus::label_of("draft"), "草稿");
//! ```

/// Defines an enum of codes with their labels: `code()`, `label()`, `of(code)`, `label_of(code)`
/// (the code itself when unknown), `ALL`, and `Display` as the label.
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the order written.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and used in the API.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The Chinese label pages show.
            pub const fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            /// The value of a stored code.
            pub fn of(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Whether a stored code is this value.
            pub fn is(self, code: &str) -> bool {
                code == self.code()
            }

            /// The label of a stored code (the code itself when it is not one of these).
            pub fn label_of(code: &str) -> &str {
                match $name::of(code) {
                    Some(v) => v.label(),
                    None => code,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

coded_enum! {
    /// How a department takes part in a task, a project or a problem: 牵头 (it leads and answers
    /// for it) or 配合 (it cooperates). Plans, projects and scoring schemes all say it this way.
    pub enum DepartmentRole {
        Lead = "lead" / "牵头",
        Cooperating = "cooperating" / "配合",
    }
}

coded_enum! {
    /// A zone's areas of work that one department holds (职责分工), set by the admin: its staff
    /// act on the area's shared objects (imports into the registry, criteria and targets,
    /// evaluations, parcels, policy files, batches and applications); other departments read.
    /// An area nobody holds is the admin's alone.
    pub enum Duty {
        Registry = "registry" / "企业库（导入、更正审核）",
        Ladder = "ladder" / "梯度培育（认定标准、培育目标、测算）",
        Land = "land" / "亩均评价（评价方案、测算、公示、处置）",
        Parcels = "parcels" / "土地资源（地块、合同）",
        Policies = "policies" / "政策兑现（政策文件、兑现批次、申报审核）",
    }
}

#[cfg(test)]
mod tests {
    crate::coded_enum! {
        /// A test set.
        pub enum Colour {
            Red = "red" / "红",
            Green = "green" / "绿",
        }
    }

    #[test]
    fn codes_and_labels_go_both_ways() {
        assert_eq!(Colour::ALL, &[Colour::Red, Colour::Green]);
        assert_eq!(Colour::of("green"), Some(Colour::Green));
        assert_eq!(Colour::of("blue"), None);
        assert_eq!(Colour::Green.code(), "green");
        assert_eq!(Colour::label_of("red"), "红");
        assert_eq!(Colour::label_of("blue"), "blue");
        assert_eq!(Colour::Red.to_string(), "红");
        assert!(Colour::Red.is("red") && !Colour::Red.is("green"));
    }
}
