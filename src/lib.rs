//! gaoxin: the operating platform of a Chinese high-tech / development zone management committee.
//!
//! This crate only wires: the router that merges every module's routes (`app`), the OpenAPI
//! document they describe (`openapi`), the CLI tree (`cli`, `gaoxin bench` from gaoxin-bench) and the demo
//! zone (`demo`). The modules are crates below it — see ARCHITECTURE.md for the map.

pub mod app;
pub mod cli;
pub mod demo;
pub mod openapi;
pub mod system;
