//! Integration tests: the real router, a real database (a fresh SQLite file per test, or a
//! fresh PostgreSQL database per test when GAOXIN_TEST_DATABASE_URL is set), real .xlsx files.

mod helpers;

mod accounts_hardening;
mod architecture;
mod audit;
mod authz_matrix;
mod backup;
mod bad_input;
mod bounds;
mod cli;
mod demo;
mod department_scope;
mod flows;
mod hostile;
mod ladder;
mod land;
mod one_way;
mod openapi;
mod plan_parse;
mod plans;
mod policies;
mod projects;
mod projects_import;
mod registry;
mod rules;
mod settings;
mod targets;
mod zone_isolation;
