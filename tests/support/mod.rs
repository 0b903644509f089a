// Each test file uses some of these helpers: the rest are not dead code, nor unused imports.
#![allow(dead_code, unused_imports)]

#[macro_use]
pub mod backend;
pub mod cli;
pub mod demo;
pub mod flows;
pub mod holder;
pub mod outbox;
pub mod pty;
pub mod screen;
pub mod seams;
