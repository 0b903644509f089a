//! Pure rules of the product: no I/O, no clock reads, no database. Every function here takes
//! the time and the randomness it needs as arguments, so tests can pin them.

pub mod case_ref;
pub mod identifier;
pub mod lockout;
pub mod mask;
pub mod model;
pub mod one_time;
pub mod password;
pub mod pending_change;
pub mod phone;
pub mod recovery_code;
pub mod recovery_drill;
pub mod sign_in_helper;
pub mod sign_in_method;
pub mod totp;
