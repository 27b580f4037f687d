//! The HTTP client the generator drives: connections (TCP, TLS, connect timeout and backoff),
//! the protocol they speak (chosen once), a pool of idle HTTP/1 ones or of shared HTTP/2
//! ones, what request `n` is (`requests`, the request seam), a session per request task,
//! the deadline alarm, and the classification of failures into kinds.

mod alarm;
mod backoff;
mod classify;
mod connect;
mod h2_watch;
mod multiplex;
mod pool;
mod protocol;
mod redirect;
mod request;
mod requests;
mod stream;
mod tls;
mod tunnel;
mod wire_size;
mod x509;

pub use connect::{Connector, Route, connector};
pub use pool::Pool;
pub use protocol::Protocol;
pub use request::{Client, ON_TIME_SLACK, Session};
pub use requests::RequestTemplate;
pub use tls::{TlsOptions, client_config};
