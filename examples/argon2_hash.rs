//! Our Argon2id with the same interface as the reference C implementation's CLI
//! (Debian `argon2`): `argon2_hash SALT < password` prints the PHC string, at recovery-desk's
//! parameters (m=19456 KiB, t=2, p=1). Used for the side-by-side in docs/BENCHMARKS.md:
//!
//! ```sh
//! printf 'correct horse' | argon2 saltsaltsalt -id -t 2 -k 19456 -p 1 -e
//! printf 'correct horse' | target/release/examples/argon2_hash saltsaltsalt
//! ```

use recovery_desk::secret::{self, Secret};
use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(salt) = std::env::args_os().nth(1) else {
        eprintln!("usage: argon2_hash SALT < password");
        return ExitCode::from(2);
    };
    let mut password = String::new();
    if std::io::stdin().read_to_string(&mut password).is_err() {
        eprintln!("argon2_hash: cannot read the password from standard input");
        return ExitCode::from(1);
    }
    let p = Secret::new(password);
    use std::os::unix::ffi::OsStrExt;
    match secret::hash_with_salt(&p, salt.as_bytes()) {
        Ok(phc) => {
            println!("{phc}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("argon2_hash: {e}");
            ExitCode::from(1)
        }
    }
}
