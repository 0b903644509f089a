#![allow(dead_code)]

pub mod holder;
pub mod pty;
pub mod seams;
