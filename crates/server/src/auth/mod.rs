//! Authentication: password hashing, tokens, and the `AuthUser` extractor.

pub mod extractor;
pub mod hash_pool;
pub mod password;
pub mod tokens;

pub use extractor::AuthUser;
pub use hash_pool::HashPool;
pub use password::PasswordHasher;
pub use tokens::TokenKeys;
