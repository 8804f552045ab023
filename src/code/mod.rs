//! The user's code. Python first; other languages would sit beside it.

pub mod python;
