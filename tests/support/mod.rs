#![allow(dead_code)]

pub mod cli;
pub mod holder;
pub mod outbox;
pub mod pty;
pub mod seams;
