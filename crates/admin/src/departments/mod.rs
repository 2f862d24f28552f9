//! Department pages (部门: 局/部/办/中心): admins manage the list; department staff keep their
//! own contact data. The department table and its store are in `gaoxin_platform::departments`.

pub mod web;

pub use web::routes;
