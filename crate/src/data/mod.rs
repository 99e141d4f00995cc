//! Data sets, in the compact forms the build prepares for the page.

pub mod mnist;
pub mod tasks;
pub mod text;
