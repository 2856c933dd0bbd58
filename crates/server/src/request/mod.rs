//! What every HTTP request shares, REST's and the socket's upgrade alike:
//! the one mapping of a domain error to an answer, who is signed in, and the
//! client's address. Both transports stand on it; it knows neither.

mod error;
mod signed_in;

pub use error::HttpError;
pub use signed_in::{AuthUser, ClientAddress, Needs, authenticate, bearer_token, client_address};
