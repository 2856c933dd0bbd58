//! Authentication primitives: password hashing (on threads of its own) and
//! tokens. Who a request is signed in as is `request::AuthUser`.

pub mod hash_pool;
pub mod password;
pub mod tokens;

pub use hash_pool::HashPool;
pub use password::PasswordHasher;
pub use tokens::TokenKeys;
