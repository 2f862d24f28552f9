//! The domain modules. Each owns its tables (entity), its storage queries (store), its pure
//! rules (domain), its pages and API routes (web, api) and its CLI commands (cli).

pub mod accounts;
pub mod audit;
pub mod departments;
pub mod enterprises;
pub mod home;
pub mod ladder;
pub mod land;
pub mod plans;
pub mod policies;
pub mod projects;
pub mod system;
pub mod zones;
