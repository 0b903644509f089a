#![allow(dead_code)]

pub mod pty;
pub mod seams;
