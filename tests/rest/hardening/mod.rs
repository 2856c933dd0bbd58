//! Holes a security read of the server found (issue 9). Each test failed on
//! the code before its fix.

mod credentials;
mod input;
mod privacy;
mod storage_and_ops;

use themechat_tests::{TestResponse, assert_error_shape};

/// An answer that is an error has the API's error body.
fn assert_error_shape_if_error(resp: &TestResponse) {
    if resp.status >= 400 {
        assert_error_shape(resp);
    }
}
