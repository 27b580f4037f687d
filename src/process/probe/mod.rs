//! Readings of the process's own resources.

pub mod fd;
pub mod memory;
