//! Planning building blocks shared by the command drivers (`commands/`), knowing no
//! verb: turning a location into a stream of objects ([`expand`]) that pass the
//! line's filters ([`filter`]), each object's destination ([`dest`]), the comparison
//! rules that decide whether to copy ([`compare`]), archived-object rules
//! ([`glacier`]), and the validated sides and transfer settings of a copying line
//! ([`transfer`]). Planning lists and stats; it never writes. Validation errors use
//! s5cmd's messages.

pub mod compare;
pub mod dest;
pub mod expand;
pub mod filter;
pub mod glacier;
pub mod transfer;
