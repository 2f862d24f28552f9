//! Departments (部门: 局/部/办/中心) of a zone: who owns tasks, projects, policies and reviews
//! in later modules. Admins manage the list; department staff keep their own contact data.

pub mod domain;
pub mod entity;
pub mod store;
pub mod web;

pub use web::routes;
