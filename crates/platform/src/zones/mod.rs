//! Zones (高新区/开发区): one deployment hosts one or many; every domain row belongs to one.

pub mod domain;
pub mod entity;
pub mod store;
