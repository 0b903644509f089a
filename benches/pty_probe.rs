//! A minimal pseudo-terminal driver for timing the real binary: every chunk the program
//! writes is timestamped as it arrives, and fed to a vt100 screen.

#![allow(dead_code)] // shared by several benches; each uses part of it

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Probe {
    pub started: Instant,
    chunks: Arc<Mutex<Vec<(Instant, usize)>>>,
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Probe {
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Probe {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_recovery-desk"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let chunks = Arc::new(Mutex::new(Vec::new()));
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(24).unwrap(),
            NonZeroU16::new(80).unwrap(),
            0,
        )));
        let started = Instant::now();
        let child = pty.slave.spawn_command(cmd).expect("spawn recovery-desk");
        drop(pty.slave);
        let (c, s) = (chunks.clone(), screen.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let now = Instant::now();
                s.lock().unwrap().process(&buf[..n]);
                c.lock().unwrap().push((now, n));
            }
        });
        Probe {
            started,
            chunks,
            screen,
            writer,
            child,
            _master: pty.master,
        }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits (spinning briefly) until `text` is on screen; returns when it was first seen.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Instant {
        let deadline = Instant::now() + timeout;
        loop {
            if self.contents().contains(text) {
                // The chunk that completed it is the last one received.
                return self
                    .chunks
                    .lock()
                    .unwrap()
                    .last()
                    .map(|c| c.0)
                    .unwrap_or_else(Instant::now);
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} not on screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    pub fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Arrival times of the output chunks after `from`.
    pub fn chunk_times_since(&self, from: Instant) -> Vec<Instant> {
        self.chunks
            .lock()
            .unwrap()
            .iter()
            .filter(|c| c.0 >= from)
            .map(|c| c.0)
            .collect()
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().unwrap_or(0)
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Median and 90th percentile of `v` (sorted in place).
pub fn median_p90(v: &mut [Duration]) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[(v.len() * 9) / 10])
}
