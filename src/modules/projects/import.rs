//! The project ledger from and to Excel.
