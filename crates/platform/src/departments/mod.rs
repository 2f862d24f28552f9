//! Departments (部门) of a zone: who owns tasks, projects, policies and reviews. Every module
//! names departments, so their table, validation, name matching and store live here.

pub mod domain;
pub mod duties;
pub mod entity;
pub mod store;
