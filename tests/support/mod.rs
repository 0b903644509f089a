#![allow(dead_code)]

pub mod cli;
pub mod demo;
pub mod flows;
pub mod holder;
pub mod outbox;
pub mod pty;
pub mod seams;
