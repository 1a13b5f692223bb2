//! Planning: turning a command's locations into a stream of objects (expand), each
//! object's destination (dest), and the ops that copy or delete them (copy, rm).
//! Planning lists and stats; it never writes. Validation errors use s5cmd's messages.

pub mod copy;
pub mod dest;
pub mod expand;
pub mod glacier;
pub mod rm;
pub mod sync;
