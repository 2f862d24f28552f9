//! The `plan_score_scheme` table: a scoring scheme file (考核计分办法) as a zone loaded it. Its
//! text is kept forever; its SHA-256 is the version; one version per scheme id is in use.

gaoxin_platform::rule_version_table!("plan_score_scheme");
