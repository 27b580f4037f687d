//! The HTTP client the generator drives: connections (TCP, TLS, connect timeout and backoff),
//! the protocol they speak (chosen once), a pool of idle HTTP/1 ones or of shared HTTP/2
//! ones, what request `n` is (`requests`, the request seam, with `template` and `filled` for
//! requests that are each their own), a session per request task,
//! the deadline alarm, and the classification of failures into kinds.

mod alarm;
mod backoff;
mod classify;
mod connect;
mod filled;
mod h2_watch;
mod multiplex;
mod pool;
mod protocol;
mod redirect;
mod request;
mod requests;
pub mod scenario;
mod stream;
pub mod template;
mod tls;
mod tunnel;
mod wire_size;
mod x509;

pub use connect::{Connector, Route, connector};
pub use filled::Holes;
pub use pool::Pool;
pub use protocol::Protocol;
pub use request::{Client, ON_TIME_SLACK, Session};
pub use requests::{RequestTemplate, Vary};
pub use tls::{TlsOptions, client_config};
