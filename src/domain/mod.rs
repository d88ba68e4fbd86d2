//! Plain types and pure rules, free of I/O, so they can be tested on their own.

pub mod catalog;
pub mod code_of_conduct;
pub mod contact;
pub mod event;
pub mod group;
pub mod mailbox;
pub mod posting;
pub mod school;
pub mod user;
